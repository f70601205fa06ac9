"""One pydantic model per domain event type: the ``data`` of each event, as producers record it.

Producers build these (``record_event(session, company_id=..., payload=MessageStatusPayload(...))``), the
webhook catalogue publishes their schemas, and the realtime frames reuse their fields (a frame that must carry
less takes a field set below, never a restatement). ``PAYLOADS`` maps every ``EventType`` to its model.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from masteria.events import EventPayload, EventType

Channel = Literal["whatsapp", "sms"]


# Field sets shared by a payload and a frame that carries part of it (the frame keeps their order).


class MessageCreatedFields(BaseModel):
    message_id: uuid.UUID
    conversation_id: uuid.UUID
    direction: Literal["in", "out"]
    type: str


class ConversationAssignedFields(BaseModel):
    conversation_id: uuid.UUID
    assignee_id: uuid.UUID | None


class ConversationAiFields(BaseModel):
    """The AI in a conversation: whether it answers (``active``), or why it stopped (``paused``, ``handed_off``)."""

    status: Literal["active", "paused", "handed_off"]
    reason: str | None = Field(
        description="paused: human_reply, assigned, opted_out, paused_by_user or automation; handed_off: "
        "customer_request, tool, low_confidence, repeated_misunderstanding or blocked_topic"
    )
    detail: str | None = Field(default=None, description="a handoff's reason in words (the model's, when it gave one)")
    persona_id: uuid.UUID | None = Field(description="the persona that last answered or handed off here")
    assignee_id: uuid.UUID | None = Field(default=None, description="who a handoff assigned the conversation to")
    since: datetime = Field(description="when the AI's state here last changed")


class ImportCounts(BaseModel):
    status: str
    total: int | None = None
    processed: int
    inserted: int
    updated: int
    rejected: int


class _ImportId(BaseModel):
    id: uuid.UUID = Field(description="the import")


# Messages


class MessageReceivedPayload(EventPayload):
    event_type: ClassVar[EventType] = EventType.MESSAGE_RECEIVED

    message_id: uuid.UUID
    conversation_id: uuid.UUID
    contact_id: uuid.UUID
    channel: Channel
    type: str = Field(description="text, image, audio, video, document, location, interactive, reaction, …")
    text: str | None = None


class MessageCreatedPayload(MessageCreatedFields, EventPayload):
    event_type: ClassVar[EventType] = EventType.MESSAGE_CREATED

    contact_id: uuid.UUID
    channel: Channel


class MessageStatusPayload(EventPayload):
    event_type: ClassVar[EventType] = EventType.MESSAGE_STATUS

    message_id: uuid.UUID
    conversation_id: uuid.UUID
    status: Literal["accepted", "sent", "delivered", "read", "played", "failed"]
    error_code: int | None = None


class MessageUpdatedPayload(EventPayload):
    event_type: ClassVar[EventType] = EventType.MESSAGE_UPDATED

    message_id: uuid.UUID
    conversation_id: uuid.UUID
    changed: list[str] = Field(description="text, content, edited_at, deleted_at, reactions…: read the message again")


# Conversations


class ConversationCreatedPayload(EventPayload):
    event_type: ClassVar[EventType] = EventType.CONVERSATION_CREATED

    conversation_id: uuid.UUID
    contact_id: uuid.UUID
    channel: Channel


class ConversationUpdatedPayload(EventPayload):
    event_type: ClassVar[EventType] = EventType.CONVERSATION_UPDATED

    conversation_id: uuid.UUID
    changed: list[str]
    status: str | None = None
    unread_count: int | None = None
    last_message_at: datetime | None = None
    ai: ConversationAiFields | None = None  # with "ai" in changed: the AI's state here now


class ConversationAssignedPayload(ConversationAssignedFields, EventPayload):
    event_type: ClassVar[EventType] = EventType.CONVERSATION_ASSIGNED

    previous_assignee_id: uuid.UUID | None = None


class ConversationClosedPayload(EventPayload):
    event_type: ClassVar[EventType] = EventType.CONVERSATION_CLOSED

    conversation_id: uuid.UUID


# Contacts


class ContactCreatedPayload(EventPayload):
    event_type: ClassVar[EventType] = EventType.CONTACT_CREATED

    contact_id: uuid.UUID


class ContactUpdatedPayload(EventPayload):
    event_type: ClassVar[EventType] = EventType.CONTACT_UPDATED

    contact_id: uuid.UUID
    changed: list[str] = Field(description="the names of the fields that changed")


class ContactOptedOutPayload(EventPayload):
    event_type: ClassVar[EventType] = EventType.CONTACT_OPTED_OUT

    contact_id: uuid.UUID
    channel: Channel


class ContactOptedInPayload(EventPayload):
    event_type: ClassVar[EventType] = EventType.CONTACT_OPTED_IN

    contact_id: uuid.UUID
    channel: Channel


class ContactsImportProgressPayload(ImportCounts, _ImportId, EventPayload):
    event_type: ClassVar[EventType] = EventType.CONTACTS_IMPORT_PROGRESS


# Knowledge bases


class KnowledgeDocumentProgressPayload(EventPayload):
    event_type: ClassVar[EventType] = EventType.KNOWLEDGE_DOCUMENT_PROGRESS

    knowledge_base_id: uuid.UUID
    document_id: uuid.UUID
    version: int = Field(description="the document's upload the ingestion is of")
    status: Literal["queued", "processing", "ready", "failed"]
    processed: int = Field(description="chunks embedded so far")
    total: int | None = Field(default=None, description="chunks the document makes (known once extracted)")
    error_code: str | None = Field(default=None, description="why it failed (status failed)")


class KnowledgeBaseProgressPayload(EventPayload):
    event_type: ClassVar[EventType] = EventType.KNOWLEDGE_BASE_PROGRESS

    knowledge_base_id: uuid.UUID
    state: Literal["ready", "reembedding"]
    embedding_model: str
    processed: int = Field(description="chunks embedded with the new model so far")
    total: int


# Campaigns


class _CampaignChanged(EventPayload):
    campaign_id: uuid.UUID
    reason: str | None = None


class CampaignStartedPayload(_CampaignChanged):
    event_type: ClassVar[EventType] = EventType.CAMPAIGN_STARTED


class CampaignPausedPayload(_CampaignChanged):
    event_type: ClassVar[EventType] = EventType.CAMPAIGN_PAUSED


class CampaignCompletedPayload(_CampaignChanged):
    event_type: ClassVar[EventType] = EventType.CAMPAIGN_COMPLETED


class CampaignProgressPayload(EventPayload):
    """The campaign engine's counts (sent, delivered, read, failed, …) as it records them."""

    model_config = ConfigDict(extra="allow")
    event_type: ClassVar[EventType] = EventType.CAMPAIGN_PROGRESS

    campaign_id: uuid.UUID


class CampaignRecipientStatusPayload(EventPayload):
    event_type: ClassVar[EventType] = EventType.CAMPAIGN_RECIPIENT_STATUS

    campaign_id: uuid.UUID
    recipient_id: int = Field(description="the recipient's row in the campaign")
    contact_id: uuid.UUID
    status: Literal["sent", "delivered", "read", "failed"]
    error_code: int | None = Field(default=None, description="Meta's error code, when failed")
    error_reason: str | None = Field(default=None, description="Meta's error title, when failed")


# Leads, meetings, notifications, templates


class LeadFields(BaseModel):
    """What every lead event carries: the lead, where it is, its owner and its version (a board patches its card
    from these, or reads the lead again)."""

    lead_id: uuid.UUID
    pipeline_id: uuid.UUID
    stage_id: uuid.UUID
    owner_id: uuid.UUID | None = Field(description="null: unassigned")
    version: int = Field(description="the lead's version after the change")


class LeadCreatedPayload(LeadFields, EventPayload):
    event_type: ClassVar[EventType] = EventType.LEAD_CREATED

    contact_id: uuid.UUID
    source: Literal["campaign", "conversation", "import", "manual", "api", "automation"]


class LeadUpdatedPayload(LeadFields, EventPayload):
    event_type: ClassVar[EventType] = EventType.LEAD_UPDATED

    changed: list[str] = Field(description="the names of the fields that changed (rank: moved within its stage)")
    rank: str = Field(description="the card's order in its stage")
    previous_owner_id: uuid.UUID | None = Field(default=None, description="set when the owner changed")


class LeadStageChangedPayload(LeadFields, EventPayload):
    event_type: ClassVar[EventType] = EventType.LEAD_STAGE_CHANGED

    from_stage_id: uuid.UUID | None
    to_stage_id: uuid.UUID
    rank: str = Field(description="the card's order in its new stage")
    actor_kind: Literal["user", "automation", "ai"]
    actor_id: uuid.UUID | None = None
    reason: str | None = None


class _LeadClosed(LeadFields, EventPayload):
    contact_id: uuid.UUID
    reason: str
    value: Decimal | None = Field(default=None, description="a decimal string")
    currency: str


class LeadWonPayload(_LeadClosed):
    event_type: ClassVar[EventType] = EventType.LEAD_WON


class LeadLostPayload(_LeadClosed):
    event_type: ClassVar[EventType] = EventType.LEAD_LOST


class AppointmentFields(BaseModel):
    """What every appointment event carries: the appointment, its lead (where it is, its owner) and its time."""

    appointment_id: uuid.UUID
    lead_id: uuid.UUID
    pipeline_id: uuid.UUID
    contact_id: uuid.UUID
    owner_id: uuid.UUID | None = Field(description="the lead's owner (null: unassigned)")
    attendee_id: uuid.UUID | None = Field(description="the user who attends (null: nobody)")
    starts_at: datetime
    ends_at: datetime
    timezone: str = Field(description="IANA timezone the appointment was set in")
    status: Literal["scheduled", "done", "no_show", "cancelled"]
    version: int = Field(description="the appointment's version after the change")


class MeetingScheduledPayload(AppointmentFields, EventPayload):
    """Once per move of a lead into a meeting stage, with the appointment it has (new or already scheduled)."""

    event_type: ClassVar[EventType] = EventType.MEETING_SCHEDULED

    stage_id: uuid.UUID = Field(description="the meeting stage the lead moved into")
    lead_title: str
    value: Decimal | None = Field(default=None, description="the lead's value, a decimal string")
    currency: str
    title: str = Field(description="the appointment's title")


class AppointmentUpdatedPayload(AppointmentFields, EventPayload):
    event_type: ClassVar[EventType] = EventType.APPOINTMENT_UPDATED

    change: Literal["rescheduled", "cancelled", "done", "no_show", "updated"] = Field(
        description="rescheduled: its time changed; cancelled, done, no_show: its new status; updated: other fields"
    )
    changed: list[str] = Field(description="the names of the fields that changed")


class AiStageProposedPayload(LeadFields, EventPayload):
    """The AI proposed a stage for a lead, quoting the customer: ``applied`` (the lead moved at once: a
    ``lead.stage_changed`` by the AI comes with it) or ``pending`` (a suggestion on the board, for a user to accept
    or reject)."""

    event_type: ClassVar[EventType] = EventType.AI_STAGE_PROPOSED

    proposal_id: uuid.UUID
    status: Literal["pending", "applied"]
    from_stage_id: uuid.UUID = Field(description="the lead's stage when the AI proposed")
    to_stage_id: uuid.UUID
    confidence: float = Field(ge=0, le=1)
    evidence: str = Field(description="the customer's words the proposal quotes")
    agreed_time: datetime | None = Field(default=None, description="a meeting's agreed start, when one was named")
    conversation_id: uuid.UUID | None = None
    persona_id: uuid.UUID | None = None
    persona_version: int | None = None
    model: str | None = None
    decision_id: int = Field(description="the AI decision record of the proposal")


# The AI responder (masteria.ai.responder)

HANDOFF_TRIGGERS = ("customer_request", "tool", "low_confidence", "repeated_misunderstanding", "blocked_topic")
HandoffTrigger = Literal["customer_request", "tool", "low_confidence", "repeated_misunderstanding", "blocked_topic"]


class AiRepliedPayload(EventPayload):
    """The AI answered a customer's burst of messages: the parts it sent (a long answer goes in parts)."""

    event_type: ClassVar[EventType] = EventType.AI_REPLIED

    conversation_id: uuid.UUID
    persona_id: uuid.UUID | None = None
    persona_version: int | None = None
    message_ids: list[uuid.UUID] = Field(default_factory=list, description="the messages sent, in order")
    decision_id: int = Field(description="the AI decision record of the reply")


class AiHandoffPayload(EventPayload):
    """The AI handed the conversation to a person and paused itself there: why, and who has it now."""

    event_type: ClassVar[EventType] = EventType.AI_HANDOFF

    conversation_id: uuid.UUID
    persona_id: uuid.UUID | None = None
    persona_version: int | None = None
    trigger: HandoffTrigger = Field(
        description="customer_request, tool (the model called handoff), low_confidence (the knowledge had no good "
        "answer), repeated_misunderstanding or blocked_topic"
    )
    reason: str = Field(description="why, in words (the model's reason when it called handoff)")
    assignee_id: uuid.UUID | None = Field(description="who the conversation is assigned to now (null: nobody)")
    decision_id: int = Field(description="the AI decision record of the handoff")


class NotificationCreatedPayload(EventPayload):
    event_type: ClassVar[EventType] = EventType.NOTIFICATION_CREATED

    notification_id: uuid.UUID
    kind: str
    user_id: uuid.UUID | None = Field(default=None, description="set: the notification is for that user only")


class TemplateStatusChangedPayload(EventPayload):
    event_type: ClassVar[EventType] = EventType.TEMPLATE_STATUS_CHANGED

    template_id: uuid.UUID
    connection_id: uuid.UUID
    name: str
    language: str
    status: str = Field(description="Meta's status: APPROVED, REJECTED, PAUSED, DISABLED, FLAGGED, …")
    previous_status: str | None = None
    reason: str | None = Field(default=None, description="Meta's reason or explanation, as it gave it")


# Cadences


class _CadenceEnrollment(EventPayload):
    cadence_id: uuid.UUID
    enrollment_id: uuid.UUID
    contact_id: uuid.UUID
    version: int = Field(description="the cadence version the enrollment runs")


class CadenceEnrolledPayload(_CadenceEnrollment):
    event_type: ClassVar[EventType] = EventType.CADENCE_ENROLLED

    source: Literal["manual", "bulk", "segment", "campaign_reply", "automation", "api"]
    lead_id: uuid.UUID | None = None


class CadenceStepSentPayload(_CadenceEnrollment):
    event_type: ClassVar[EventType] = EventType.CADENCE_STEP_SENT

    step_index: int
    kind: Literal["send_template", "send_text", "send_sms"]
    send_id: int = Field(description="the send's ledger id (its statuses carry it)")


class CadenceExitedPayload(_CadenceEnrollment):
    event_type: ClassVar[EventType] = EventType.CADENCE_EXITED

    reason: str = Field(
        description="replied, opted_out, stage_changed, won, lost, goal_tag, manual, automation, cadence_archived"
    )
    step_index: int = Field(description="the step it would have run next")


# Tags, campaign replies, automation rules and custom events


class _ContactTag(EventPayload):
    contact_id: uuid.UUID
    tag_id: uuid.UUID


class ContactTagAddedPayload(_ContactTag):
    event_type: ClassVar[EventType] = EventType.CONTACT_TAG_ADDED


class ContactTagRemovedPayload(_ContactTag):
    event_type: ClassVar[EventType] = EventType.CONTACT_TAG_REMOVED


class CampaignRepliedPayload(EventPayload):
    """Once per campaign recipient: the contact's first reply within the campaign's reply window."""

    event_type: ClassVar[EventType] = EventType.CAMPAIGN_REPLIED

    campaign_id: uuid.UUID
    contact_id: uuid.UUID
    conversation_id: uuid.UUID | None = None


class AutomationRanPayload(EventPayload):
    """An automation rule ran for an event: its conditions held and its actions ran (a run skipped by its
    conditions or the loop guard records no event; it is in the rule's run log)."""

    event_type: ClassVar[EventType] = EventType.AUTOMATION_RAN

    automation_id: uuid.UUID
    run_id: int = Field(description="the run in the rule's run log")
    trigger: str = Field(description="the rule's trigger type: message_received, tag_added, no_reply…")
    event_id: uuid.UUID = Field(description="the triggering event (a no_reply trigger's: one per quiet period)")
    status: Literal["succeeded", "failed"] = Field(description="failed: an action failed")
    contact_id: uuid.UUID | None = None
    conversation_id: uuid.UUID | None = None
    lead_id: uuid.UUID | None = None
    actions_done: int
    actions_failed: int


class CustomEventPayload(EventPayload):
    """A named event an automation rule's action or a cadence's step emits to the company's webhook endpoints."""

    event_type: ClassVar[EventType] = EventType.CUSTOM_EVENT

    name: str = Field(description="the name the rule or the step gave it, like lead.qualified")
    source: Literal["automation", "cadence"]
    source_id: uuid.UUID = Field(description="the automation rule or the cadence")
    contact_id: uuid.UUID | None
    lead_id: uuid.UUID | None = None
    data: dict[str, Any] = Field(default_factory=dict, description="the fixed data the rule or the step gave it")


def _payloads() -> dict[EventType, type[EventPayload]]:
    found: dict[EventType, type[EventPayload]] = {}
    pending: list[type[EventPayload]] = list(EventPayload.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        event_type = model.__dict__.get("event_type")
        if isinstance(event_type, EventType):
            if event_type in found:
                raise TypeError(f"{event_type} has two payload models: {found[event_type]} and {model}")
            found[event_type] = model
    return {t: found[t] for t in EventType if t in found}


PAYLOADS: dict[EventType, type[EventPayload]] = _payloads()


def validate(event_type: EventType, data: dict[str, Any]) -> EventPayload:
    """``data`` read as the payload of ``event_type`` (a ``ValidationError`` when it is not one)."""
    return PAYLOADS[event_type].model_validate(data)
