"""Who and what an event is about, as a rule's conditions and actions see it: the contact, its conversation (the
event's, the lead's, or else the contact's latest: on the event's channel for an opt-out), the lead (the event's, or
one an action creates) and the conversation's number and channel."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.automations.triggers import Occurrence
from masteria.contacts.models import Contact
from masteria.conversations.models import Conversation
from masteria.pipelines.models import Lead


@dataclass
class Subject:
    contact_id: uuid.UUID | None = None
    conversation_id: uuid.UUID | None = None
    lead_id: uuid.UUID | None = None
    pipeline_id: uuid.UUID | None = None  # the lead's
    connection_id: uuid.UUID | None = None
    channel: str | None = None


def _uuid(value: object) -> uuid.UUID | None:
    return uuid.UUID(str(value)) if value else None


def _latest(session: Session, contact_id: uuid.UUID, channel: str | None) -> Conversation | None:
    statement = select(Conversation).where(Conversation.contact_id == contact_id)
    if channel is not None:
        statement = statement.where(Conversation.channel == channel)
    ordered = statement.order_by(Conversation.last_message_at.desc().nulls_last(), Conversation.created_at.desc())
    return session.scalars(ordered.limit(1)).first()


def resolve(session: Session, occurrence: Occurrence) -> Subject:
    data = occurrence.data
    subject = Subject(contact_id=_uuid(data.get("contact_id")), lead_id=_uuid(data.get("lead_id")))
    conversation_id = _uuid(data.get("conversation_id"))
    if subject.lead_id is not None:
        lead = session.get(Lead, subject.lead_id)
        if lead is None:
            subject.lead_id = None
        else:
            subject.contact_id, subject.pipeline_id = lead.contact_id, lead.pipeline_id
            conversation_id = conversation_id or lead.conversation_id
    conversation = session.get(Conversation, conversation_id) if conversation_id is not None else None
    if conversation is None and subject.contact_id is not None:
        conversation = _latest(session, subject.contact_id, data.get("channel"))
    if conversation is not None:
        subject.conversation_id, subject.contact_id = conversation.id, conversation.contact_id
        subject.connection_id, subject.channel = conversation.connection_id, conversation.channel
    subject.channel = subject.channel or data.get("channel")
    if subject.contact_id is not None and session.get(Contact, subject.contact_id) is None:
        subject.contact_id = None  # deleted since
    return subject
