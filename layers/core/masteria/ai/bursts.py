"""A customer's burst of messages, answered once: the ``message.received`` consumer's side of the AI responder, and
the other domain events that stop it (a person's reply, an assignment, an opt-out).

A message with text, in a conversation whose number an active persona answers on (now, within its hours), where
the AI is ``active``, joins the conversation's pending burst (or starts one): the burst is then due ``debounce``
seconds after this message, and a delayed job for that ``due_at`` is written with it (``reply_jobs``). Its message
id is the burst's for good (``ai_burst_messages``' key), so a redelivered event joins nothing and moves nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.ai import conversation_state as states
from masteria.ai.personas import active_persona
from masteria.ai.reply_jobs import record_burst
from masteria.ai.responder_models import AiBurst, AiBurstMessage, AiReplyPart
from masteria.conversations.models import Conversation
from masteria.db import Database
from masteria.event_payloads import (
    ContactOptedOutPayload,
    ConversationAssignedPayload,
    MessageCreatedPayload,
    MessageReceivedPayload,
)
from masteria.events import EventType
from masteria.ports import Clock, PublishedEvent

# the domain events the responder consumes (functions/manifest.py routes them to ai_responder)
EVENT_TYPES: tuple[str, ...] = tuple(
    t.value
    for t in (
        EventType.MESSAGE_RECEIVED,
        EventType.MESSAGE_CREATED,
        EventType.CONVERSATION_ASSIGNED,
        EventType.CONTACT_OPTED_OUT,
    )
)

# what a customer sends that is no message to answer (about another message, or the provider's own)
NOT_ANSWERED = frozenset({"reaction", "edit", "revoke", "system", "call", "unsupported", "ephemeral"})


@dataclass(frozen=True)
class Joined:
    burst_id: uuid.UUID
    due_at: datetime
    started: bool  # a new burst (else it joined the pending one)


def join(session: Session, conversation: Conversation, message_id: uuid.UUID, *, now: datetime) -> Joined | None:
    """``message_id`` into the conversation's pending burst (a new one if none): None when the AI does not answer
    here now, or the message is in a burst already (a redelivery)."""
    persona = active_persona(session, connection_id=conversation.connection_id, at=now)
    if persona is None:
        return None
    state = states.lock(session, conversation, now=now)  # a conversation's bursts one at a time from here
    if state.status != states.ACTIVE:
        return None
    if session.get(AiBurstMessage, message_id) is not None:
        return None
    due_at = now + timedelta(seconds=persona.debounce_seconds)
    burst = session.scalars(
        select(AiBurst).where(AiBurst.conversation_id == conversation.id, AiBurst.state == "pending").with_for_update()
    ).first()
    started = burst is None
    if burst is None:
        burst = AiBurst(
            company_id=conversation.company_id,
            conversation_id=conversation.id,
            first_message_id=message_id,
            last_message_id=message_id,
            started_at=now,
            last_message_at=now,
            message_count=1,
            due_at=due_at,
        )
        session.add(burst)
    else:
        burst.last_message_id, burst.last_message_at = message_id, now
        burst.message_count += 1
        burst.due_at = max(burst.due_at, due_at)
    session.flush()
    session.add(AiBurstMessage(message_id=message_id, company_id=conversation.company_id, burst_id=burst.id))
    if started:
        state.last_burst_id = burst.id
    record_burst(session, company_id=conversation.company_id, burst_id=burst.id, due_at=burst.due_at)
    session.flush()
    return Joined(burst_id=burst.id, due_at=burst.due_at, started=started)


def on_message_received(
    *, db: Database, clock: Clock, company_id: uuid.UUID, payload: MessageReceivedPayload
) -> Joined | None:
    """A customer's message: into its conversation's burst, when the AI answers there (see ``join``)."""
    if payload.type in NOT_ANSWERED or not (payload.text or "").strip():
        return None  # nothing the AI can read (a sticker, an audio, a reaction…)
    with db.tenant(company_id) as session:
        conversation = session.get(Conversation, payload.conversation_id)
        if conversation is None:
            return None
        return join(session, conversation, payload.message_id, now=clock.now())


def is_ai_message(session: Session, message_id: uuid.UUID) -> bool:
    """Whether an outbound message is one of the AI's parts (its ``messages`` row is named by the part)."""
    return session.scalar(select(AiReplyPart.id).where(AiReplyPart.message_id == message_id)) is not None


def on_message_created(*, db: Database, clock: Clock, company_id: uuid.UUID, payload: MessageCreatedPayload) -> bool:
    """A message we sent that is not the AI's (a person's reply from the inbox): the AI stops there. Whether it
    stopped it."""
    if payload.direction != "out":
        return False
    with db.tenant(company_id) as session:
        if is_ai_message(session, payload.message_id):
            return False
        stopped = states.stop_where_taken_over(
            session, payload.conversation_id, reason=states.HUMAN_REPLY, now=clock.now()
        )
        return stopped is not None


def on_assigned(*, db: Database, clock: Clock, company_id: uuid.UUID, payload: ConversationAssignedPayload) -> bool:
    """A conversation given to a person: the AI stops there (unassigning changes nothing)."""
    if payload.assignee_id is None:
        return False
    with db.tenant(company_id) as session:
        stopped = states.stop_where_taken_over(
            session, payload.conversation_id, reason=states.ASSIGNED, now=clock.now()
        )
        return stopped is not None


def on_opted_out(*, db: Database, clock: Clock, company_id: uuid.UUID, payload: ContactOptedOutPayload) -> int:
    """A contact who opted out of a channel: the AI stops in their conversations on it. How many."""
    with db.tenant(company_id) as session:
        ids = session.scalars(
            select(Conversation.id).where(
                Conversation.contact_id == payload.contact_id, Conversation.channel == payload.channel
            )
        ).all()
        now = clock.now()
        return sum(
            states.stop_where_taken_over(session, conversation_id, reason=states.OPTED_OUT, now=now) is not None
            for conversation_id in ids
        )


def on_event(*, db: Database, clock: Clock, event: PublishedEvent) -> str:
    """One of ``EVENT_TYPES``: a message joins its burst, or the AI stops where a person took over. What it did."""
    company = event.company_id
    match event.type:
        case EventType.MESSAGE_RECEIVED.value:
            joined = on_message_received(
                db=db, clock=clock, company_id=company, payload=MessageReceivedPayload.model_validate(event.data)
            )
            return "joined" if joined is not None else "ignored"
        case EventType.MESSAGE_CREATED.value:
            created = MessageCreatedPayload.model_validate(event.data)
            stopped = on_message_created(db=db, clock=clock, company_id=company, payload=created)
            return "stopped" if stopped else "ignored"
        case EventType.CONVERSATION_ASSIGNED.value:
            assigned = ConversationAssignedPayload.model_validate(event.data)
            return "stopped" if on_assigned(db=db, clock=clock, company_id=company, payload=assigned) else "ignored"
        case EventType.CONTACT_OPTED_OUT.value:
            opted = ContactOptedOutPayload.model_validate(event.data)
            return "stopped" if on_opted_out(db=db, clock=clock, company_id=company, payload=opted) else "ignored"
    return "ignored"
