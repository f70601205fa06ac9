"""Domain events: one enum of event types, and the transactional outbox they are written to.

A use case records its events with ``record_event`` in the same transaction as its change, so an
event exists if and only if the change committed. A relay publishes outbox rows after commit (and a
sweeper publishes leftovers) to the consumers: realtime push, outgoing webhooks, AI, notifications.

An automation rule's actions run inside ``caused_by``: every event recorded meanwhile carries the rule chain that
caused it (``EventCause``, on its outbox row and on the published event), so that the loop guard can tell a rule
its own chain's events.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict
from sqlalchemy import BigInteger, DateTime, Index, String, func, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, Session, mapped_column

from masteria.db import RECORDED_EVENTS, Base
from masteria.ports import EventCause

# session.info: the cause the transaction's events carry now (``caused_by``)
EVENT_CAUSE = "masteria.event_cause"


class EventType(StrEnum):
    """Every domain event type (the one place they are named)."""

    MESSAGE_RECEIVED = "message.received"
    MESSAGE_CREATED = "message.created"  # a message we send: a reply from the inbox (inbound: message.received)
    MESSAGE_STATUS = "message.status"
    MESSAGE_UPDATED = "message.updated"  # the contact edited or deleted a message, or reacted to one; a call ended
    CONVERSATION_CREATED = "conversation.created"
    CONVERSATION_UPDATED = "conversation.updated"  # status, unread count or last activity changed
    CONVERSATION_ASSIGNED = "conversation.assigned"
    CONVERSATION_CLOSED = "conversation.closed"
    CONTACT_CREATED = "contact.created"
    CONTACT_UPDATED = "contact.updated"
    CONTACT_OPTED_OUT = "contact.opted_out"
    CONTACT_OPTED_IN = "contact.opted_in"
    CONTACTS_IMPORT_PROGRESS = "contacts.import.progress"
    # a knowledge-base document's ingestion: queued, processing (chunks embedded of the total), ready or failed
    KNOWLEDGE_DOCUMENT_PROGRESS = "knowledge.document.progress"
    KNOWLEDGE_BASE_PROGRESS = "knowledge.base.progress"  # a knowledge base's re-embedding with a new model
    CAMPAIGN_STARTED = "campaign.started"
    CAMPAIGN_PAUSED = "campaign.paused"
    CAMPAIGN_COMPLETED = "campaign.completed"
    CAMPAIGN_PROGRESS = "campaign.progress"  # {campaign_id, counts…}: recorded by the campaign engine
    # one recipient's message sent, delivered, read or failed: recorded only for companies whose endpoints ask
    CAMPAIGN_RECIPIENT_STATUS = "campaign.recipient.status"
    LEAD_CREATED = "lead.created"
    LEAD_UPDATED = "lead.updated"  # its fields, owner or tags changed, or its card moved within its stage
    LEAD_STAGE_CHANGED = "lead.stage_changed"
    LEAD_WON = "lead.won"
    LEAD_LOST = "lead.lost"
    MEETING_SCHEDULED = "meeting.scheduled"  # a lead moved into a meeting stage with its appointment
    APPOINTMENT_UPDATED = "appointment.updated"  # rescheduled, cancelled, done, no-show, or its details changed
    AI_STAGE_PROPOSED = "ai.stage_proposed"  # the AI proposed a stage for a lead: applied at once, or a suggestion
    AI_REPLIED = "ai.replied"  # the AI answered a customer's burst of messages (its parts sent)
    AI_HANDOFF = "ai.handoff"  # the AI handed a conversation to a person (and paused itself there)
    NOTIFICATION_CREATED = "notification.created"
    TEMPLATE_STATUS_CHANGED = "template.status_changed"  # Meta approved, rejected, paused… a WhatsApp template
    CADENCE_ENROLLED = "cadence.enrolled"  # a contact entered a cadence
    CADENCE_STEP_SENT = "cadence.step_sent"  # a cadence's send step went out to a contact (the provider took it)
    CADENCE_EXITED = "cadence.exited"  # an enrollment ended before its last step: reply, opt-out, goal, by hand…
    CONTACT_TAG_ADDED = "contact.tag_added"  # one contact got a tag (by hand, the API or an automation)
    CONTACT_TAG_REMOVED = "contact.tag_removed"
    CAMPAIGN_REPLIED = "campaign.replied"  # a contact's reply was attributed to a campaign that messaged them
    AUTOMATION_RAN = "automation.ran"  # an automation rule's conditions held for an event and its actions ran
    CUSTOM_EVENT = "custom.event"  # a named event an automation's action or a cadence's step emits to webhooks


class EventPayload(BaseModel):
    """The ``data`` of one domain event type (the models are in ``masteria.event_payloads``, one per type)."""

    # producers may not invent fields; receivers must still ignore unknown ones (events may grow fields)
    model_config = ConfigDict(
        extra="forbid", revalidate_instances="always", json_schema_extra={"additionalProperties": True}
    )
    event_type: ClassVar[EventType]


class OutboxEvent(Base):
    __tablename__ = "outbox_events"
    __table_args__ = (
        Index("ix_outbox_events_unpublished", "id", postgresql_where=text("published_at IS NULL")),
        Index("ix_outbox_events_company_id_id", "company_id", "id"),
        Index(
            "ix_outbox_events_company_id_company_sequence",
            "company_id",
            "company_sequence",
            unique=True,
            postgresql_where=text("company_sequence IS NOT NULL"),
        ),
        Index("ix_outbox_events_unnumbered", "id", postgresql_where=text("company_sequence IS NULL")),
        Index(
            "ix_outbox_events_company_id_unpublished",
            "company_id",
            "company_sequence",
            postgresql_where=text("published_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    event_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), nullable=False, unique=True, server_default=text("gen_random_uuid()")
    )
    company_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    type: Mapped[str] = mapped_column(String(80), nullable=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # 1, 2, 3… per company, given just before publishing (outbox.py): the realtime cursor
    company_sequence: Mapped[int | None] = mapped_column(BigInteger)
    # set: an automation rule's action recorded it (``EventCause.to_json``): the loop guard's
    cause: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class EventSequence(Base):
    """The last ``company_sequence`` given to one company's events."""

    __tablename__ = "event_sequences"

    company_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    last: Mapped[int] = mapped_column(BigInteger, nullable=False)


def record_event(session: Session, *, company_id: uuid.UUID, payload: EventPayload) -> OutboxEvent:
    """Write ``payload`` (its type is its model's) to the outbox inside the caller's transaction (published
    after commit), validated again (a model built with ``model_construct`` is checked all the same)."""
    checked = payload.__class__.model_validate(payload)
    cause: EventCause | None = session.info.get(EVENT_CAUSE)
    event = OutboxEvent(
        company_id=company_id,
        type=payload.event_type.value,
        data=checked.model_dump(mode="json"),
        cause=cause.to_json() if cause is not None else None,
    )
    session.add(event)
    session.info[RECORDED_EVENTS] = True
    return event


@contextmanager
def caused_by(session: Session, cause: EventCause) -> Iterator[None]:
    """Every event ``record_event`` writes on ``session`` inside the block carries ``cause``."""
    previous = session.info.get(EVENT_CAUSE)
    session.info[EVENT_CAUSE] = cause
    try:
        yield
    finally:
        if previous is None:
            session.info.pop(EVENT_CAUSE, None)
        else:
            session.info[EVENT_CAUSE] = previous
