"""Which frames a domain event becomes, on which topics, and for whom.

Frames about a conversation go only to users whose inbox shows that conversation (the inbox's rule,
``conversations.service.visible_to``); an agent a conversation was taken from also gets the assignment
frame, so their inbox drops it. Frames about a lead go only to users who see it (``pipelines.access``), and to
the one it was taken from. Other frames go to every user of the company subscribed to the topic.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import ValidationError

from masteria.events import EventType
from masteria.observability import logger
from masteria.ports import PublishedEvent
from masteria.realtime import frames
from masteria.realtime.frames import INBOX, NOTIFICATIONS


@dataclass(frozen=True)
class Outgoing:
    frame: (
        frames.MessageCreated
        | frames.MessageStatus
        | frames.MessageUpdated
        | frames.ConversationUpdated
        | frames.ConversationAssigned
        | (frames.CampaignProgress | frames.NotificationCreated | frames.ImportProgress)
        | (frames.KnowledgeDocumentProgress | frames.KnowledgeBaseProgress)
        | frames.LeadFrame
        | (frames.AiReplied | frames.AiHandoff)
        | frames.CadenceFrame
        | (frames.AutomationRan | frames.CustomEvent)
    )
    topics: frozenset[str]
    conversation_id: uuid.UUID | None = None  # set: only for users who may see this conversation
    also_for: frozenset[uuid.UUID] = frozenset()  # users who get it even so
    # set: a lead's frame, only for users who see a lead of these owners (None: unassigned); a lead that changed
    # owner names both, so the one it was taken from drops its card
    lead_owners: frozenset[uuid.UUID | None] | None = None
    user_id: uuid.UUID | None = None  # set: for that user only (a notification of one user)


def _envelope(event: PublishedEvent) -> dict[str, object]:
    return {"cursor": str(event.sequence) if event.sequence is not None else None, "at": event.occurred_at}


def _conversation_frame(
    frame: type[frames.MessageCreated | frames.MessageStatus | frames.MessageUpdated | frames.ConversationUpdated],
    *,
    inbox: bool = True,
) -> Callable[[PublishedEvent], Outgoing]:
    """Frames about one conversation: on its topic, and on ``inbox`` unless only an open conversation needs them
    (delivery ticks: a campaign's statuses would flood every open inbox)."""

    def build(event: PublishedEvent) -> Outgoing:
        data = dict(event.data)
        if frame is frames.MessageCreated:
            data.setdefault("direction", "in")  # message.received carries no direction: it is inbound
        built = frame.model_validate({**_envelope(event), "data": data})
        conversation_id = built.data.conversation_id
        topics = {frames.conversation_topic(conversation_id)} | ({INBOX} if inbox else set())
        return Outgoing(built, frozenset(topics), conversation_id=conversation_id)

    return build


def _assigned(event: PublishedEvent) -> Outgoing:
    built = frames.ConversationAssigned.model_validate({**_envelope(event), "data": event.data})
    previous = event.data.get("previous_assignee_id")
    conversation_id = built.data.conversation_id
    topics = frozenset({INBOX, frames.conversation_topic(conversation_id)})
    also = frozenset({uuid.UUID(previous)}) if previous else frozenset()
    return Outgoing(built, topics, conversation_id=conversation_id, also_for=also)


def _ai_frame(frame: type[frames.AiReplied | frames.AiHandoff]) -> Callable[[PublishedEvent], Outgoing]:
    """The AI's frames about a conversation: on its topic and the inbox, for users who may see it (a handoff's
    new assignee among them)."""

    def build(event: PublishedEvent) -> Outgoing:
        built = frame.model_validate({**_envelope(event), "data": event.data})
        conversation_id = built.data.conversation_id
        topics = frozenset({INBOX, frames.conversation_topic(conversation_id)})
        return Outgoing(built, topics, conversation_id=conversation_id)

    return build


def _campaign(event: PublishedEvent) -> Outgoing:
    built = frames.CampaignProgress.model_validate({**_envelope(event), "data": event.data})
    return Outgoing(built, frozenset({frames.campaign_topic(built.data.campaign_id)}))


def _cadence(frame: type[frames.CadenceFrame]) -> Callable[[PublishedEvent], Outgoing]:
    """A cadence's enrollment frames, on its topic (the cadence's page)."""

    def build(event: PublishedEvent) -> Outgoing:
        built = frame.model_validate({**_envelope(event), "data": event.data})
        return Outgoing(built, frozenset({frames.cadence_topic(built.data.cadence_id)}))

    return build


def _automation_ran(event: PublishedEvent) -> Outgoing:
    built = frames.AutomationRan.model_validate({**_envelope(event), "data": event.data})
    return Outgoing(built, frozenset({frames.automation_topic(built.data.automation_id)}))


def _custom_event(event: PublishedEvent) -> Outgoing:
    """A custom event on its source's topic: the automation rule's or the cadence's."""
    built = frames.CustomEvent.model_validate({**_envelope(event), "data": event.data})
    data = built.data
    topic = frames.automation_topic if data.source == "automation" else frames.cadence_topic
    return Outgoing(built, frozenset({topic(data.source_id)}))


def _notification(event: PublishedEvent) -> Outgoing:
    built = frames.NotificationCreated.model_validate({**_envelope(event), "data": event.data})
    return Outgoing(built, frozenset({NOTIFICATIONS}), user_id=built.data.user_id)


def _import(event: PublishedEvent) -> Outgoing:
    data = {**event.data, "import_id": event.data.get("import_id", event.data.get("id"))}
    built = frames.ImportProgress.model_validate({**_envelope(event), "data": data})
    return Outgoing(built, frozenset({frames.import_topic(built.data.import_id)}))


def _knowledge(
    frame: type[frames.KnowledgeDocumentProgress | frames.KnowledgeBaseProgress],
) -> Callable[[PublishedEvent], Outgoing]:
    """A knowledge base's progress frames, on its topic (the knowledge base's page)."""

    def build(event: PublishedEvent) -> Outgoing:
        built = frame.model_validate({**_envelope(event), "data": event.data})
        return Outgoing(built, frozenset({frames.knowledge_base_topic(built.data.knowledge_base_id)}))

    return build


def _lead_frame(
    frame: type[frames.LeadFrame],
) -> Callable[[PublishedEvent], Outgoing]:
    """Frames about one lead (its appointments' too): on its pipeline's topic (the board) and its own (the
    lead's panel)."""

    def build(event: PublishedEvent) -> Outgoing:
        built = frame.model_validate({**_envelope(event), "data": event.data})
        data = built.data
        topics = frozenset({frames.pipeline_topic(data.pipeline_id), frames.lead_topic(data.lead_id)})
        owners = {data.owner_id}
        if isinstance(data, frames.LeadUpdatedData) and "owner_id" in data.changed:
            owners.add(data.previous_owner_id)
        return Outgoing(built, topics, lead_owners=frozenset(owners))

    return build


_BUILDERS: dict[EventType, Callable[[PublishedEvent], Outgoing]] = {
    EventType.MESSAGE_RECEIVED: _conversation_frame(frames.MessageCreated),
    EventType.MESSAGE_CREATED: _conversation_frame(frames.MessageCreated),
    EventType.MESSAGE_STATUS: _conversation_frame(frames.MessageStatus, inbox=False),
    EventType.MESSAGE_UPDATED: _conversation_frame(frames.MessageUpdated, inbox=False),  # only where it is open
    EventType.CONVERSATION_UPDATED: _conversation_frame(frames.ConversationUpdated),
    EventType.CONVERSATION_ASSIGNED: _assigned,
    EventType.CAMPAIGN_PROGRESS: _campaign,
    EventType.NOTIFICATION_CREATED: _notification,
    EventType.CONTACTS_IMPORT_PROGRESS: _import,
    EventType.KNOWLEDGE_DOCUMENT_PROGRESS: _knowledge(frames.KnowledgeDocumentProgress),
    EventType.KNOWLEDGE_BASE_PROGRESS: _knowledge(frames.KnowledgeBaseProgress),
    EventType.LEAD_CREATED: _lead_frame(frames.LeadCreated),
    EventType.LEAD_UPDATED: _lead_frame(frames.LeadUpdated),
    EventType.LEAD_STAGE_CHANGED: _lead_frame(frames.LeadStageChanged),
    EventType.LEAD_WON: _lead_frame(frames.LeadWon),
    EventType.LEAD_LOST: _lead_frame(frames.LeadLost),
    EventType.MEETING_SCHEDULED: _lead_frame(frames.MeetingScheduled),
    EventType.APPOINTMENT_UPDATED: _lead_frame(frames.AppointmentUpdated),
    EventType.AI_STAGE_PROPOSED: _lead_frame(frames.AiStageProposed),
    EventType.AI_REPLIED: _ai_frame(frames.AiReplied),
    EventType.AI_HANDOFF: _ai_frame(frames.AiHandoff),
    EventType.CADENCE_ENROLLED: _cadence(frames.CadenceEnrolled),
    EventType.CADENCE_STEP_SENT: _cadence(frames.CadenceStepSent),
    EventType.CADENCE_EXITED: _cadence(frames.CadenceExited),
    EventType.AUTOMATION_RAN: _automation_ran,
    EventType.CUSTOM_EVENT: _custom_event,
}
# The domain events the push consumer is routed (functions/manifest.py) and catch-up reads.
PUSHED_EVENT_TYPES: tuple[str, ...] = tuple(t.value for t in _BUILDERS)


def frames_for(event: PublishedEvent) -> list[Outgoing]:
    """The frames ``event`` becomes (none for an event type no client listens to, or data we cannot read)."""
    try:
        build = _BUILDERS.get(EventType(event.type))
    except ValueError:
        return []
    if build is None:
        return []
    try:
        return [build(event)]
    except (ValidationError, ValueError, TypeError) as error:
        logger.warning("event not pushable", extra={"event_type": event.type, "reason": type(error).__name__})
        return []
