"""The conversations' own domain events: what changed on a conversation or a message, for the live inbox."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from masteria.conversations.models import Conversation, Message
from masteria.event_payloads import ConversationAiFields, ConversationUpdatedPayload, MessageUpdatedPayload
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


def record_ai_updated(
    session: Session, *, company_id: uuid.UUID, conversation_id: uuid.UUID, ai: ConversationAiFields
) -> None:
    """Record ``conversation.updated`` with the AI's new state in the conversation (``ai``), so that every inbox
    showing it follows at once."""
    payload = ConversationUpdatedPayload(
        conversation_id=conversation_id,
        changed=["ai"],
        ai=ConversationAiFields.model_validate(ai.model_dump()),
    )
    record_event(session, company_id=company_id, payload=payload)


def record_message_updated(session: Session, message: Message, changed: list[str]) -> None:
    """Record ``message.updated``: which fields of a message changed (an edit, a deletion, a reaction, a
    call's end), for an open thread to read it again."""
    record_event(
        session,
        company_id=message.company_id,
        payload=MessageUpdatedPayload(message_id=message.id, conversation_id=message.conversation_id, changed=changed),
    )
