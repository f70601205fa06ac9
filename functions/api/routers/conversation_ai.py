"""The AI in a conversation of the inbox: pause it, or hand the conversation (back) to it."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from functions.api.deps import CallerDep, ContainerDep
from masteria.ai import conversation_state
from masteria.conversations.schemas import ConversationRead

router = APIRouter(prefix="/v1/conversations", tags=["inbox"])


@router.post("/{conversation_id}/ai/pause", response_model=ConversationRead)
def pause(conversation_id: uuid.UUID, caller: CallerDep, container: ContainerDep) -> ConversationRead:
    """Stop the AI here: it answers nothing more in this conversation (its answer being typed is not sent) until
    someone hands the conversation back with `/ai/resume`. The conversation's `ai` says `paused`,
    `paused_by_user`."""
    return conversation_state.pause(
        session=caller.session, actor=caller.principal, conversation_id=conversation_id, now=container.clock.now()
    )


@router.post("/{conversation_id}/ai/resume", response_model=ConversationRead)
def resume(conversation_id: uuid.UUID, caller: CallerDep, container: ContainerDep) -> ConversationRead:
    """Hand the conversation (back) to the AI, after a handoff or a pause: it answers the customer's next
    messages, if the number's persona is active then. The assignee, if any, keeps the conversation."""
    return conversation_state.resume(
        session=caller.session, actor=caller.principal, conversation_id=conversation_id, now=container.clock.now()
    )
