"""Statuses of the messages we sent (``statuses[]`` of a ``messages`` change): they move forward only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.channels.models import ChannelConnection
from masteria.conversations.inbound_common import Result, time
from masteria.conversations.models import STATUS_RANK, Message
from masteria.events import EventType, record_event
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
        logger.info("status for a message we do not know", extra={"status": new})
        return
    result.statuses += 1
    if status.get("pricing"):
        found.pricing = status["pricing"]
    if STATUS_RANK[new] <= STATUS_RANK.get(found.status, -1):
        return  # late or repeated: statuses only move forward
    found.status, found.status_at = new, time(status["timestamp"])
    if status.get("errors"):
        found.errors = status["errors"]
    record_event(
        session,
        company_id=connection.company_id,
        type=EventType.MESSAGE_STATUS,
        data={
            "message_id": str(found.id),
            "conversation_id": str(found.conversation_id),
            "status": new,
            "error_code": (status.get("errors") or [{}])[0].get("code"),
        },
    )
