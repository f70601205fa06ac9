"""What starts a rule: the trigger types, the domain events each one listens to, and whether one event matches a
rule's trigger (its optional filters: keywords or a regex, a tag, a pipeline or stage, a campaign, a channel).

Every trigger but ``no_reply`` is a domain event (consumed by ``functions/workers/automation_events``); ``no_reply``
("no reply from the customer for N hours") is found by the scheduled sweep (``automations.sweep``), once per quiet
period of a conversation."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, TypeAdapter, field_validator
from pydantic_core import PydanticCustomError

from masteria.automations import patterns
from masteria.events import EventType
from masteria.ports import EventCause, PublishedEvent
from masteria.schemas import StrictModel

Keyword = Annotated[str, Field(min_length=1, max_length=100)]


class MessageReceived(StrictModel):
    """A customer's message; with ``keywords`` or ``regex``, only a text that matches."""

    type: Literal["message_received"]
    keywords: list[Keyword] = Field(
        default_factory=list, max_length=50, examples=[["preço", "orçamento"]],
        description="any of these as a word or phrase, ignoring case and accents",
    )  # fmt: skip
    regex: str | None = Field(
        default=None, examples=[r"\bpromo\w*"],
        description=f"matched ignoring case against the first {patterns.MAX_TEXT} characters; at most "
        f"{patterns.MAX_REGEX} characters, no backreferences, no repeated group holding a repetition or an "
        f"alternative, at most {patterns.MAX_UNBOUNDED} unbounded repetitions",
    )  # fmt: skip

    @field_validator("regex")
    @classmethod
    def _safe(cls, value: str | None) -> str | None:
        if value is not None and (problem := patterns.regex_problem(value)) is not None:
            raise PydanticCustomError("unsafe_regex", "unsafe or invalid regex: {problem}", {"problem": problem})
        return value


class ConversationCreated(StrictModel):
    type: Literal["conversation_created"]


class ConversationClosed(StrictModel):
    type: Literal["conversation_closed"]


class TagAdded(StrictModel):
    type: Literal["tag_added"]
    tag_id: uuid.UUID | None = Field(default=None, description="null: any tag")


class TagRemoved(StrictModel):
    type: Literal["tag_removed"]
    tag_id: uuid.UUID | None = Field(default=None, description="null: any tag")


class LeadCreated(StrictModel):
    type: Literal["lead_created"]
    pipeline_id: uuid.UUID | None = Field(default=None, description="null: any pipeline")


class LeadStageChanged(StrictModel):
    type: Literal["lead_stage_changed"]
    pipeline_id: uuid.UUID | None = Field(default=None, description="null: any pipeline")
    to_stage_id: uuid.UUID | None = Field(default=None, description="null: into any stage")
    from_stage_id: uuid.UUID | None = Field(default=None, description="null: from any stage")


class AppointmentScheduled(StrictModel):
    """A lead moved into a meeting stage with its appointment."""

    type: Literal["appointment_scheduled"]
    pipeline_id: uuid.UUID | None = Field(default=None, description="null: any pipeline")


class CampaignReplied(StrictModel):
    type: Literal["campaign_replied"]
    campaign_id: uuid.UUID | None = Field(default=None, description="null: any campaign")


class ContactOptedOut(StrictModel):
    type: Literal["contact_opted_out"]
    channel: Literal["whatsapp", "sms"] | None = Field(default=None, description="null: either channel")


class NoReply(StrictModel):
    """We wrote and the customer has not answered for ``hours`` (once per quiet period of a conversation)."""

    type: Literal["no_reply"]
    hours: int = Field(ge=1, le=720, examples=[24])


def _type(value: object) -> str:
    # tags read "type=<name>": functions/api/errors.py leaves such a part out of an error's field name
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return f"type={kind}"


AnyTrigger = (
    MessageReceived | ConversationCreated | ConversationClosed | TagAdded | TagRemoved | LeadCreated | LeadStageChanged
    | AppointmentScheduled | CampaignReplied | ContactOptedOut | NoReply
)  # fmt: skip
Trigger = Annotated[
    Annotated[MessageReceived, Tag("type=message_received")]
    | Annotated[ConversationCreated, Tag("type=conversation_created")]
    | Annotated[ConversationClosed, Tag("type=conversation_closed")]
    | Annotated[TagAdded, Tag("type=tag_added")]
    | Annotated[TagRemoved, Tag("type=tag_removed")]
    | Annotated[LeadCreated, Tag("type=lead_created")]
    | Annotated[LeadStageChanged, Tag("type=lead_stage_changed")]
    | Annotated[AppointmentScheduled, Tag("type=appointment_scheduled")]
    | Annotated[CampaignReplied, Tag("type=campaign_replied")]
    | Annotated[ContactOptedOut, Tag("type=contact_opted_out")]
    | Annotated[NoReply, Tag("type=no_reply")],
    Discriminator(_type, custom_error_type="unknown_type", custom_error_message="unknown trigger type"),
]
_TRIGGER: TypeAdapter[AnyTrigger] = TypeAdapter(Trigger)

# The domain event each trigger type listens to (no_reply: the sweep's).
EVENT_TRIGGERS: dict[str, str] = {
    EventType.MESSAGE_RECEIVED.value: "message_received",
    EventType.CONVERSATION_CREATED.value: "conversation_created",
    EventType.CONVERSATION_CLOSED.value: "conversation_closed",
    EventType.CONTACT_TAG_ADDED.value: "tag_added",
    EventType.CONTACT_TAG_REMOVED.value: "tag_removed",
    EventType.LEAD_CREATED.value: "lead_created",
    EventType.LEAD_STAGE_CHANGED.value: "lead_stage_changed",
    EventType.MEETING_SCHEDULED.value: "appointment_scheduled",
    EventType.CAMPAIGN_REPLIED.value: "campaign_replied",
    EventType.CONTACT_OPTED_OUT.value: "contact_opted_out",
}
EVENT_TYPES: tuple[str, ...] = tuple(EVENT_TRIGGERS)
NO_REPLY = "no_reply"


def parse(stored: dict[str, Any]) -> AnyTrigger:
    """A rule's stored trigger as its model (checked when saved)."""
    return _TRIGGER.validate_python(stored)


def dump(trigger: AnyTrigger) -> dict[str, Any]:
    dumped: dict[str, Any] = _TRIGGER.dump_python(trigger, mode="json", exclude_none=True)
    return dumped


@dataclass(frozen=True)
class Occurrence:
    """What a rule runs for: a domain event, or a quiet period the sweep found (its id is derived from the
    conversation and the period's start, so the period runs a rule once)."""

    event_id: uuid.UUID
    company_id: uuid.UUID
    event_type: str
    trigger_type: str
    data: dict[str, Any]
    occurred_at: datetime
    cause: EventCause | None = None

    @classmethod
    def of(cls, event: PublishedEvent) -> Occurrence | None:
        trigger_type = EVENT_TRIGGERS.get(event.type)
        if trigger_type is None:
            return None
        return cls(event_id=event.event_id, company_id=event.company_id, event_type=event.type,
                   trigger_type=trigger_type, data=event.data, occurred_at=event.occurred_at,
                   cause=event.cause)  # fmt: skip


def _same(wanted: uuid.UUID | str | None, value: object) -> bool:
    return wanted is None or str(wanted) == str(value)


def match(trigger: AnyTrigger, occurrence: Occurrence, *, pipeline_id: uuid.UUID | None) -> dict[str, Any] | None:
    """What of ``occurrence`` matched ``trigger`` (None: it does not match). ``pipeline_id``: the lead's, for the
    lead and appointment triggers."""
    data = occurrence.data
    if trigger.type != occurrence.trigger_type:
        return None
    if isinstance(trigger, MessageReceived):
        text = data.get("text") or ""
        if trigger.keywords:
            keyword = patterns.keyword_found(text, trigger.keywords)
            return {"keyword": keyword} if keyword is not None else None
        if trigger.regex is not None:
            found = patterns.regex_found(trigger.regex, text)
            return {"regex": found} if found is not None else None
        return {}
    if isinstance(trigger, TagAdded | TagRemoved):
        return {"tag_id": data.get("tag_id")} if _same(trigger.tag_id, data.get("tag_id")) else None
    if isinstance(trigger, LeadStageChanged):
        held = _same(trigger.pipeline_id, pipeline_id) and _same(trigger.to_stage_id, data.get("to_stage_id"))
        held = held and _same(trigger.from_stage_id, data.get("from_stage_id"))
        return {"from_stage_id": data.get("from_stage_id"), "to_stage_id": data.get("to_stage_id")} if held else None
    if isinstance(trigger, LeadCreated | AppointmentScheduled):
        return {"pipeline_id": str(pipeline_id)} if _same(trigger.pipeline_id, pipeline_id) else None
    if isinstance(trigger, CampaignReplied):
        held = _same(trigger.campaign_id, data.get("campaign_id"))
        return {"campaign_id": data.get("campaign_id")} if held else None
    if isinstance(trigger, ContactOptedOut):
        return {"channel": data.get("channel")} if _same(trigger.channel, data.get("channel")) else None
    if isinstance(trigger, NoReply):
        return {"hours": trigger.hours, "since": data.get("since")}
    return {}
