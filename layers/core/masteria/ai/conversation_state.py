"""Whether the AI answers in a conversation, and what stops it: a person's reply there, an assignment to a person,
the customer's opt-out, a user's pause, or its own handoff. A user hands the conversation back (``resume``).

Every change runs under the state row's lock (``lock``), which also serializes a conversation's bursts: joining
one, claiming it and planning its answer all take it first. Stopping cancels the pending bursts and the parts not
sent yet (each part checks again as it is sent, so one already in flight when the stop lands is the last). Every
change of the state is recorded as ``conversation.updated`` with the new state (``changed``), which the inboxes
showing the conversation get live.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import exists, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from masteria.ai.models import Persona, PersonaVersion
from masteria.ai.responder_models import FINAL_PART_STATES, AiBurst, AiConversationState, AiReplyPart
from masteria.conversations.events import record_ai_updated
from masteria.conversations.models import Conversation
from masteria.conversations.schemas import ConversationRead
from masteria.conversations.service import ai_read, get_conversation, get_visible
from masteria.event_payloads import AiRepliedPayload
from masteria.events import record_event
from masteria.tenancy.service import Principal

ACTIVE, PAUSED, HANDED_OFF = "active", "paused", "handed_off"
HUMAN_REPLY, ASSIGNED, OPTED_OUT, PAUSED_BY_USER = "human_reply", "assigned", "opted_out", "paused_by_user"
AUTOMATION = "automation"  # an automation rule's action took the conversation from the AI


def has_persona(session: Session, connection_id: uuid.UUID) -> bool:
    """Whether an active persona answers on ``connection_id`` at some hour (its active hours aside)."""
    found = session.scalar(
        select(
            exists().where(
                Persona.id == PersonaVersion.persona_id,
                Persona.current_version == PersonaVersion.version,
                Persona.is_active.is_(True),
                Persona.archived_at.is_(None),
                PersonaVersion.connection_ids.contains([connection_id]),
            )
        )
    )
    return bool(found)


def lock(session: Session, conversation: Conversation, *, now: datetime) -> AiConversationState:
    """The conversation's AI state, locked until the transaction ends; written first if it has none: ``active``,
    or ``paused`` (assigned) when a person has the conversation already."""
    statement = (
        select(AiConversationState)
        .where(AiConversationState.conversation_id == conversation.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    found = session.scalars(statement).first()
    if found is not None:
        return found
    assigned = conversation.assignee_id is not None
    session.execute(
        insert(AiConversationState)
        .values(
            conversation_id=conversation.id,
            company_id=conversation.company_id,
            status=PAUSED if assigned else ACTIVE,
            paused_reason=ASSIGNED if assigned else None,
            changed_at=now,
        )
        .on_conflict_do_nothing(index_elements=["conversation_id"])
    )
    return session.scalars(statement).one()


def changed(session: Session, state: AiConversationState) -> None:
    """The AI's state in a conversation changed (and is flushed): ``conversation.updated`` says so."""
    ai = ai_read(state)
    assert ai is not None
    record_ai_updated(session, company_id=state.company_id, conversation_id=state.conversation_id, ai=ai)


def finish(session: Session, burst_id: uuid.UUID, now: datetime) -> None:
    """Once every part of a burst's answer is final (once): ``ai.replied`` with the messages that went out (none
    went, or the answer was a handoff's notice: no event)."""
    parts = list(
        session.scalars(
            select(AiReplyPart)
            .where(AiReplyPart.burst_id == burst_id)
            .order_by(AiReplyPart.position)
            .execution_options(populate_existing=True)
        )
    )
    if not parts or any(p.state not in FINAL_PART_STATES for p in parts):
        return
    finished = session.execute(
        update(AiBurst)
        .where(AiBurst.id == burst_id, AiBurst.finished_at.is_(None))
        .values(finished_at=now)
        .returning(AiBurst.id)
        .execution_options(synchronize_session=False)
    ).first()
    sent = [p.message_id for p in parts if p.state in ("sent", "unknown")]
    first = parts[0]
    if finished is None or not sent or first.purpose == "handoff" or first.decision_id is None:
        return
    record_event(
        session,
        company_id=first.company_id,
        payload=AiRepliedPayload(
            conversation_id=first.conversation_id,
            persona_id=first.persona_id,
            persona_version=first.persona_version,
            message_ids=sent,
            decision_id=first.decision_id,
        ),
    )


def cancel_pending(session: Session, conversation_id: uuid.UUID, *, reason: str, now: datetime) -> int:
    """Cancel the conversation's pending bursts and its parts not sent yet: how many parts."""
    session.execute(
        update(AiBurst)
        .where(AiBurst.conversation_id == conversation_id, AiBurst.state == "pending")
        .values(state="cancelled", outcome=reason, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    cancelled = session.execute(
        update(AiReplyPart)
        .where(AiReplyPart.conversation_id == conversation_id, AiReplyPart.state == "planned")
        .values(state="cancelled", reason=reason)
        .returning(AiReplyPart.burst_id)
        .execution_options(synchronize_session=False)
    ).all()
    for burst_id in {row.burst_id for row in cancelled}:
        finish(session, burst_id, now)
    return len(cancelled)


def stop(
    session: Session,
    conversation: Conversation,
    *,
    reason: str,
    now: datetime,
    by: uuid.UUID | None = None,
) -> AiConversationState:
    """The AI stops answering in ``conversation`` (``reason``: a person replied, took it, the customer opted out, a
    user paused it): ``paused``, its pending work cancelled. A conversation the AI handed off stays so, but for a
    user's pause; an assignment there is the handoff's own and changes nothing."""
    state = lock(session, conversation, now=now)
    if state.status == HANDED_OFF and reason == ASSIGNED:
        return state
    cancel_pending(session, conversation.id, reason=reason, now=now)
    deliberate = reason in (PAUSED_BY_USER, AUTOMATION)  # a user's or a rule's: even a handoff is paused
    if state.status == ACTIVE or (deliberate and state.status != PAUSED):
        state.status, state.paused_reason = PAUSED, reason
        state.changed_at, state.changed_by = now, by
    elif state.status == PAUSED and deliberate:
        state.paused_reason, state.changed_at, state.changed_by = reason, now, by
    session.flush()
    if state.changed_at == now:  # changed here (or written first, by ``lock``)
        changed(session, state)
    return state


def stop_where_taken_over(
    session: Session, conversation_id: uuid.UUID, *, reason: str, now: datetime
) -> AiConversationState | None:
    """``stop`` for a signal from the rest of the product (a reply, an assignment, an opt-out), in a conversation
    of a number an active persona answers on; elsewhere nothing is written."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        return None
    known = session.get(AiConversationState, conversation_id) is not None
    if not known and not has_persona(session, conversation.connection_id):
        return None
    return stop(session, conversation, reason=reason, now=now)


def pause(*, session: Session, actor: Principal, conversation_id: uuid.UUID, now: datetime) -> ConversationRead:
    """A user stops the AI in a conversation they can see; its pending answer is not sent."""
    conversation = get_visible(session, actor, conversation_id, lock=True)
    stop(session, conversation, reason=PAUSED_BY_USER, now=now, by=actor.user_id)
    return get_conversation(session=session, actor=actor, conversation_id=conversation_id, now=now)


def resume(*, session: Session, actor: Principal, conversation_id: uuid.UUID, now: datetime) -> ConversationRead:
    """A user hands the conversation (back) to the AI: it answers the customer's next messages. The assignee, if
    any, keeps the conversation (and sees what the AI says)."""
    conversation = get_visible(session, actor, conversation_id, lock=True)
    activate(session, conversation, now=now, by=actor.user_id)
    return get_conversation(session=session, actor=actor, conversation_id=conversation_id, now=now)


def activate(session: Session, conversation: Conversation, *, now: datetime, by: uuid.UUID | None) -> bool:
    """The AI answers in ``conversation`` (locked by the caller) from now on (a user's resume, an automation's
    "hand to the AI"; ``by`` None: no user); whether that changed its state."""
    state = lock(session, conversation, now=now)
    if state.status == ACTIVE:
        return False
    state.status, state.paused_reason = ACTIVE, None
    state.handoff_trigger = state.handoff_reason = None
    state.handed_off_at = state.handed_off_to = None
    state.misunderstandings = 0
    state.changed_at, state.changed_by = now, by
    session.flush()
    changed(session, state)
    return True
