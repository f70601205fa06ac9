"""A reply's own reference (``outbound:<id>``): its ``wamid`` from its claim until the provider's id replaces
it, sent as ``OutboundMessage.opaque`` and brought back by the provider's statuses, so that a reply whose
answer was lost is still found by its first status."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.conversations.models import Message

REFERENCE_PREFIX = "outbound:"


def reference(message_id: uuid.UUID) -> str:
    return f"{REFERENCE_PREFIX}{message_id}"


def settle(session: Session, *, connection_id: uuid.UUID, message_id: str, opaque: str | None) -> Message | None:
    """The reply a provider's status is about when it carries one of our references (``opaque``) and the
    reply still goes by it (its answer was lost): it takes the provider's id now, and is returned (locked) for
    the status to apply. None: not one of ours, or already known by the provider's id."""
    if not opaque or not opaque.startswith(REFERENCE_PREFIX):
        return None
    found = session.scalars(
        select(Message)
        .where(Message.connection_id == connection_id, Message.wamid == opaque, Message.direction == "out")
        .with_for_update()
    ).first()
    if found is None:
        return None
    found.wamid = message_id[:255]
    session.flush()
    return found
