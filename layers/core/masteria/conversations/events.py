"""The conversations' own domain events: what changed on a conversation or a message, for the live inbox."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from masteria.conversations.models import Conversation, Message
from masteria.event_payloads import ConversationUpdatedPayload, MessageUpdatedPayload
from masteria.events import record_event

# The fields of a conversation a ``conversation.updated`` event may carry.
UPDATABLE = ("status", "unread_count", "last_message_at")


def record_updated(session: Session, conversation: Conversation, changed: list[str]) -> None:
    """Record ``conversation.updated`` with the new values of ``changed`` (nothing when nothing changed)."""
    fields = [name for name in UPDATABLE if name in changed]
    if not fields:
        return
    values: dict[str, Any] = {name: getattr(conversation, name) for name in fields}
    payload = ConversationUpdatedPayload(conversation_id=conversation.id, changed=fields, **values)
    record_event(session, company_id=conversation.company_id, payload=payload)


def record_message_updated(session: Session, message: Message, changed: list[str]) -> None:
    """Record ``message.updated``: which fields of a message changed (an edit, a deletion, a reaction, a
    call's end), for an open thread to read it again."""
    record_event(
        session,
        company_id=message.company_id,
        payload=MessageUpdatedPayload(message_id=message.id, conversation_id=message.conversation_id, changed=changed),
    )
