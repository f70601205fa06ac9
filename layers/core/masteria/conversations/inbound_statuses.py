"""Statuses of the messages we sent (the provider's ``StatusUpdate``).

A status moves forward only (``STATUS_RANK``; failed is final) and ``status_at`` never moves back in
time, whatever order they arrive in. A status for a message id we do not know yet (its send has not
committed) is kept and applied when the message appears (``inbound_pending``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.channels.models import ChannelConnection
from masteria.channels.providers.port import StatusUpdate
from masteria.conversations import references
from masteria.conversations.inbound_common import Result, keep_pending
from masteria.conversations.models import STATUS_RANK, Message
from masteria.event_payloads import MessageStatusPayload
from masteria.events import record_event
from masteria.observability import logger


def apply(session: Session, connection: ChannelConnection, status: StatusUpdate, result: Result) -> None:
    if status.status not in STATUS_RANK:
        logger.info("unknown message status ignored", extra={"status": status.status})
        return
    found = session.scalars(
        select(Message)
        .where(Message.connection_id == connection.id, Message.wamid == status.message_id)
        .with_for_update()
    ).first()
    if found is None:  # a reply whose answer was lost goes by our reference until its first status
        found = references.settle(
            session, connection_id=connection.id, message_id=status.message_id, opaque=status.opaque
        )
    if found is None:
        keep_pending(session, connection, status.message_id, "status", status.model_dump(mode="json"))
        result.pending += 1
        return
    apply_to(session, found, status, result)


def apply_to(session: Session, found: Message, status: StatusUpdate, result: Result) -> None:
    """Apply one status to our message ``found`` (locked)."""
    new = status.status
    result.statuses += 1
    if status.pricing:
        found.pricing = status.pricing
    if STATUS_RANK.get(new, -1) <= STATUS_RANK.get(found.status, -1):
        return  # late or repeated: statuses only move forward
    found.status = new
    found.status_at = max(filter(None, [found.status_at, status.at]))  # never back in time
    if status.errors:
        found.errors = status.errors
    record_event(
        session,
        company_id=found.company_id,
        payload=MessageStatusPayload(
            message_id=found.id, conversation_id=found.conversation_id, status=new, error_code=status.error_code
        ),
    )
