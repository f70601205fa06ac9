"""WebSocket frames, both ways, as pydantic models (version ``v``), and the topics a client subscribes to.

Client → server (``$default``): ``{"action": "subscribe" | "unsubscribe", "topics": [...]}`` or
``{"action": "ping"}``, each with an optional ``id`` echoed in the reply. Server → client: the reply
(``subscribed``, ``pong`` or ``error``) and event frames: small, ids and changed fields, with the
``cursor`` to catch up from (``GET /v1/realtime/events?after=<cursor>``).
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from masteria import event_payloads as payloads

VERSION: Literal[1] = 1
SUBPROTOCOL = "masteria.v1"  # offered with the token in Sec-WebSocket-Protocol: "masteria.v1, <token>"
MAX_FRAME_BYTES = 16 * 1024
MAX_TOPICS = 100  # per connection

INBOX = "inbox"
NOTIFICATIONS = "notifications"
_TOPIC = re.compile(
    r"^(?:(?P<plain>inbox|notifications)"
    r"|(?P<kind>conversation|campaign|cadence|automation|import|pipeline|lead|knowledge_base):(?P<id>[^:]+))$"
)


def conversation_topic(conversation_id: uuid.UUID) -> str:
    return f"conversation:{conversation_id}"


def campaign_topic(campaign_id: uuid.UUID) -> str:
    return f"campaign:{campaign_id}"


def cadence_topic(cadence_id: uuid.UUID) -> str:
    """A cadence's enrollments: entered, step sent, exited."""
    return f"cadence:{cadence_id}"


def automation_topic(automation_id: uuid.UUID) -> str:
    """An automation rule's runs and the custom events its actions emit (the rules editor's run log)."""
    return f"automation:{automation_id}"


def import_topic(import_id: uuid.UUID) -> str:
    return f"import:{import_id}"


def pipeline_topic(pipeline_id: uuid.UUID) -> str:
    return f"pipeline:{pipeline_id}"


def lead_topic(lead_id: uuid.UUID) -> str:
    return f"lead:{lead_id}"


def knowledge_base_topic(knowledge_base_id: uuid.UUID) -> str:
    """A knowledge base's documents' ingestion and its re-embedding."""
    return f"knowledge_base:{knowledge_base_id}"


def parse_topic(value: str) -> str:
    """``inbox``, ``notifications``, ``conversation:{id}``, ``campaign:{id}``, ``cadence:{id}``, ``automation:{id}``,
    ``import:{id}``, ``pipeline:{id}``, ``lead:{id}`` or ``knowledge_base:{id}`` (ids are UUIDs), in canonical form;
    anything else is a ``ValueError``."""
    found = _TOPIC.match(value.strip()) if isinstance(value, str) else None
    if found is None:
        raise ValueError(
            "a topic is inbox, notifications, conversation:{id}, campaign:{id}, cadence:{id}, automation:{id}, "
            "import:{id}, pipeline:{id}, lead:{id} or knowledge_base:{id}"
        )
    if found["plain"]:
        return found["plain"]
    try:
        return f"{found['kind']}:{uuid.UUID(found['id'])}"
    except ValueError as error:
        raise ValueError(f"{found['kind']}:{{id}} needs a UUID") from error


Topic = Annotated[str, Field(max_length=64), AfterValidator(parse_topic)]


# Client → server


class _ClientFrame(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, max_length=64, description="echoed in the reply")


class Subscribe(_ClientFrame):
    action: Literal["subscribe"]
    topics: list[Topic] = Field(min_length=1, max_length=MAX_TOPICS)


class Unsubscribe(_ClientFrame):
    action: Literal["unsubscribe"]
    topics: list[Topic] = Field(min_length=1, max_length=MAX_TOPICS)


class Ping(_ClientFrame):
    action: Literal["ping"]


ClientFrame = Annotated[Subscribe | Unsubscribe | Ping, Field(discriminator="action")]
_client_frame: TypeAdapter[Subscribe | Unsubscribe | Ping] = TypeAdapter(ClientFrame)


class InvalidFrame(ValueError):
    """A client frame we cannot act on: answered with an error frame, the connection stays."""

    def __init__(self, code: str, detail: str, frame_id: str | None = None) -> None:
        super().__init__(detail)
        self.code, self.detail, self.frame_id = code, detail, frame_id


def parse_client_frame(raw: str | bytes | None) -> Subscribe | Unsubscribe | Ping:
    """One frame from a client, or ``InvalidFrame`` saying what is wrong with it."""
    if raw is None or len(raw) == 0:
        raise InvalidFrame("invalid_frame", "empty frame: send a JSON object")
    if len(raw) > MAX_FRAME_BYTES:
        raise InvalidFrame("frame_too_large", f"frames are at most {MAX_FRAME_BYTES} bytes")
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidFrame("invalid_json", "the frame is not JSON") from error
    frame_id = value.get("id") if isinstance(value, dict) and isinstance(value.get("id"), str) else None
    if not isinstance(value, dict):
        raise InvalidFrame("invalid_frame", "the frame is not a JSON object", frame_id)
    try:
        return _client_frame.validate_python(value)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "frame"
        detail = f"{where}: {first['msg']}"[:300]
        raise InvalidFrame("invalid_frame", detail, frame_id[:64] if frame_id else None) from error


# Server → client: replies


class _ServerFrame(BaseModel):
    v: Literal[1] = VERSION


class Subscribed(_ServerFrame):
    type: Literal["subscribed"] = "subscribed"
    id: str | None = None
    topics: list[str] = Field(description="every topic the connection is subscribed to now")


class Pong(_ServerFrame):
    type: Literal["pong"] = "pong"
    id: str | None = None


class ErrorFrame(_ServerFrame):
    type: Literal["error"] = "error"
    id: str | None = None
    code: str = Field(examples=["invalid_frame"])
    detail: str


Reply = Subscribed | Pong | ErrorFrame


# Server → client: events


# The ``data`` of each event frame: the event's payload model (``masteria.event_payloads``), or the part of it a
# frame carries; unknown fields are dropped.

_IGNORE = ConfigDict(extra="ignore", json_schema_extra=None)


class MessageCreatedData(payloads.MessageCreatedFields):
    model_config = _IGNORE


class MessageStatusData(payloads.MessageStatusPayload):
    model_config = _IGNORE

    # wider than the payload on purpose: any status an event carried (older rows too), as the dashboard reads it
    status: str  # type: ignore[assignment]


class MessageUpdatedData(payloads.MessageUpdatedPayload):
    model_config = _IGNORE


class ConversationUpdatedData(payloads.ConversationUpdatedPayload):
    model_config = _IGNORE


class ConversationAssignedData(payloads.ConversationAssignedFields):
    model_config = _IGNORE


class CampaignProgressData(payloads.CampaignProgressPayload):
    """The campaign engine's counts (sent, delivered, read, failed, …) as it records them."""

    model_config = ConfigDict(extra="allow", json_schema_extra=None)


class NotificationCreatedData(payloads.NotificationCreatedPayload):
    model_config = _IGNORE


class _ImportId(BaseModel):
    import_id: uuid.UUID


class ImportProgressData(payloads.ImportCounts, _ImportId):  # the payload's ``id`` is ``import_id`` here
    model_config = _IGNORE


class KnowledgeDocumentProgressData(payloads.KnowledgeDocumentProgressPayload):
    model_config = _IGNORE


class KnowledgeBaseProgressData(payloads.KnowledgeBaseProgressPayload):
    model_config = _IGNORE


class LeadCreatedData(payloads.LeadCreatedPayload):
    model_config = _IGNORE


class LeadUpdatedData(payloads.LeadUpdatedPayload):
    model_config = _IGNORE


class LeadStageChangedData(payloads.LeadStageChangedPayload):
    model_config = _IGNORE


class LeadWonData(payloads.LeadWonPayload):
    model_config = _IGNORE


class LeadLostData(payloads.LeadLostPayload):
    model_config = _IGNORE


class MeetingScheduledData(payloads.MeetingScheduledPayload):
    model_config = _IGNORE


class AppointmentUpdatedData(payloads.AppointmentUpdatedPayload):
    model_config = _IGNORE


class AiStageProposedData(payloads.AiStageProposedPayload):
    model_config = _IGNORE


class AiRepliedData(payloads.AiRepliedPayload):
    model_config = _IGNORE


class AiHandoffData(payloads.AiHandoffPayload):
    model_config = _IGNORE


class CadenceEnrolledData(payloads.CadenceEnrolledPayload):
    model_config = _IGNORE


class CadenceStepSentData(payloads.CadenceStepSentPayload):
    model_config = _IGNORE


class CadenceExitedData(payloads.CadenceExitedPayload):
    model_config = _IGNORE


class AutomationRanData(payloads.AutomationRanPayload):
    model_config = _IGNORE


class CustomEventData(payloads.CustomEventPayload):
    model_config = _IGNORE


class _EventFrame(_ServerFrame):
    cursor: str | None = Field(description="catch up after it: GET /v1/realtime/events?after=<cursor>")
    at: datetime


class MessageCreated(_EventFrame):
    type: Literal["message.created"] = "message.created"
    data: MessageCreatedData


class MessageStatus(_EventFrame):
    type: Literal["message.status"] = "message.status"
    data: MessageStatusData


class MessageUpdated(_EventFrame):
    type: Literal["message.updated"] = "message.updated"
    data: MessageUpdatedData


class ConversationUpdated(_EventFrame):
    type: Literal["conversation.updated"] = "conversation.updated"
    data: ConversationUpdatedData


class ConversationAssigned(_EventFrame):
    type: Literal["conversation.assigned"] = "conversation.assigned"
    data: ConversationAssignedData


class CampaignProgress(_EventFrame):
    type: Literal["campaign.progress"] = "campaign.progress"
    data: CampaignProgressData


class NotificationCreated(_EventFrame):
    type: Literal["notification.created"] = "notification.created"
    data: NotificationCreatedData


class ImportProgress(_EventFrame):
    type: Literal["contacts.import.progress"] = "contacts.import.progress"
    data: ImportProgressData


class KnowledgeDocumentProgress(_EventFrame):
    type: Literal["knowledge.document.progress"] = "knowledge.document.progress"
    data: KnowledgeDocumentProgressData


class KnowledgeBaseProgress(_EventFrame):
    type: Literal["knowledge.base.progress"] = "knowledge.base.progress"
    data: KnowledgeBaseProgressData


class LeadCreated(_EventFrame):
    type: Literal["lead.created"] = "lead.created"
    data: LeadCreatedData


class LeadUpdated(_EventFrame):
    type: Literal["lead.updated"] = "lead.updated"
    data: LeadUpdatedData


class LeadStageChanged(_EventFrame):
    type: Literal["lead.stage_changed"] = "lead.stage_changed"
    data: LeadStageChangedData


class LeadWon(_EventFrame):
    type: Literal["lead.won"] = "lead.won"
    data: LeadWonData


class LeadLost(_EventFrame):
    type: Literal["lead.lost"] = "lead.lost"
    data: LeadLostData


class MeetingScheduled(_EventFrame):
    type: Literal["meeting.scheduled"] = "meeting.scheduled"
    data: MeetingScheduledData


class AppointmentUpdated(_EventFrame):
    type: Literal["appointment.updated"] = "appointment.updated"
    data: AppointmentUpdatedData


class AiStageProposed(_EventFrame):
    type: Literal["ai.stage_proposed"] = "ai.stage_proposed"
    data: AiStageProposedData


class AiReplied(_EventFrame):
    type: Literal["ai.replied"] = "ai.replied"
    data: AiRepliedData


class AiHandoff(_EventFrame):
    type: Literal["ai.handoff"] = "ai.handoff"
    data: AiHandoffData


class CadenceEnrolled(_EventFrame):
    type: Literal["cadence.enrolled"] = "cadence.enrolled"
    data: CadenceEnrolledData


class CadenceStepSent(_EventFrame):
    type: Literal["cadence.step_sent"] = "cadence.step_sent"
    data: CadenceStepSentData


class CadenceExited(_EventFrame):
    type: Literal["cadence.exited"] = "cadence.exited"
    data: CadenceExitedData


CadenceFrame = CadenceEnrolled | CadenceStepSent | CadenceExited


class AutomationRan(_EventFrame):
    type: Literal["automation.ran"] = "automation.ran"
    data: AutomationRanData


class CustomEvent(_EventFrame):
    """On the topic of its source: ``automation:{id}`` or ``cadence:{id}``."""

    type: Literal["custom.event"] = "custom.event"
    data: CustomEventData


LeadFrame = (
    LeadCreated | LeadUpdated | LeadStageChanged | LeadWon | LeadLost | MeetingScheduled | AppointmentUpdated
    | AiStageProposed
)  # fmt: skip

EventFrame = Annotated[
    MessageCreated
    | MessageStatus
    | MessageUpdated
    | ConversationUpdated
    | ConversationAssigned
    | CampaignProgress
    | NotificationCreated
    | ImportProgress
    | KnowledgeDocumentProgress
    | KnowledgeBaseProgress
    | LeadFrame
    | AiReplied
    | AiHandoff
    | CadenceFrame
    | AutomationRan
    | CustomEvent,
    Field(discriminator="type"),
]
event_frame: TypeAdapter[Any] = TypeAdapter(EventFrame)


def dump(frame: BaseModel) -> str:
    """A frame as sent: compact JSON."""
    return frame.model_dump_json()
