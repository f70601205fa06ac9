"""Statuses of the messages we sent (``statuses[]`` of a ``messages`` change).

A status moves forward only (``STATUS_RANK``; failed is final) and ``status_at`` never moves back in
time, whatever order they arrive in. A status for a wamid we do not know yet (its send has not
committed) is kept and applied when the message appears (``inbound_pending``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.channels.models import ChannelConnection
from masteria.conversations.inbound_common import Result, keep_pending, time
from masteria.conversations.models import STATUS_RANK, Message
from masteria.event_payloads import MessageStatusPayload
from masteria.events import record_event
from masteria.observability import logger


def apply(session: Session, connection: ChannelConnection, status: dict[str, Any], result: Result) -> None:
    new = str(status["status"])
    if new not in STATUS_RANK:
        logger.info("unknown message status ignored", extra={"status": new})
        return
    found = session.scalars(
        select(Message)
        .where(Message.connection_id == connection.id, Message.wamid == str(status["id"]))
        .with_for_update()
    ).first()
    if found is None:
        keep_pending(session, connection, str(status["id"]), "status", status)
        result.pending += 1
        return
    apply_to(session, found, status, result)


def apply_to(session: Session, found: Message, status: dict[str, Any], result: Result) -> None:
    """Apply one of Meta's statuses to our message ``found`` (locked)."""
    new = str(status["status"])
    result.statuses += 1
    if status.get("pricing"):
        found.pricing = status["pricing"]
    if STATUS_RANK.get(new, -1) <= STATUS_RANK.get(found.status, -1):
        return  # late or repeated: statuses only move forward
    found.status = new
    found.status_at = max(filter(None, [found.status_at, time(status["timestamp"])]))  # never back in time
    if status.get("errors"):
        found.errors = status["errors"]
    record_event(
        session,
        company_id=found.company_id,
        payload=MessageStatusPayload.model_validate(
            {
                "message_id": found.id,
                "conversation_id": found.conversation_id,
                "status": new,
                "error_code": (status.get("errors") or [{}])[0].get("code"),
            }
        ),
    )
