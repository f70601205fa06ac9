"""The shared inbox: conversations, messages, replies, notes, assignment, status and read receipts."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, status

from functions.api.deps import CallerDep, ContainerDep, PageDep
from functions.api.error_docs import problems
from masteria.conversations import replies, service
from masteria.conversations.schemas import (
    Assign,
    ConversationFilter,
    ConversationRead,
    MessageRead,
    NoteCreate,
    NoteRead,
    Reply,
    UnreadCounts,
)
from masteria.pagination import Page

router = APIRouter(prefix="/v1/conversations", tags=["inbox"])


@router.get("", response_model=Page[ConversationRead])
def list_conversations(  # noqa: PLR0917 - FastAPI query parameters
    caller: CallerDep,
    container: ContainerDep,
    page: PageDep,
    status_: Annotated[Literal["open", "pending", "closed"] | None, Query(alias="status")] = None,
    assignee: Annotated[str | None, Query(description="me, none, or a user id")] = None,
    channel: Literal["whatsapp", "sms"] | None = None,
    unread: bool | None = None,
    tag_id: uuid.UUID | None = None,
    contact_id: Annotated[uuid.UUID | None, Query(description="one contact's conversations")] = None,
) -> Page[ConversationRead]:
    """Most recent activity first. Agents see their conversations and the unassigned ones; admins see all."""
    filters = ConversationFilter(
        status=status_, assignee=assignee, channel=channel, unread=unread, tag_id=tag_id, contact_id=contact_id
    )
    return service.list_conversations(
        session=caller.session, actor=caller.principal, filters=filters, page=page, now=container.clock.now()
    )


@router.get("/unread", response_model=UnreadCounts)
def unread_counts(caller: CallerDep) -> UnreadCounts:
    """How many conversations (and messages) the caller has unread."""
    return service.unread_counts(session=caller.session, actor=caller.principal)


@router.get("/{conversation_id}", response_model=ConversationRead)
def get_conversation(conversation_id: uuid.UUID, caller: CallerDep, container: ContainerDep) -> ConversationRead:
    return service.get_conversation(
        session=caller.session, actor=caller.principal, conversation_id=conversation_id, now=container.clock.now()
    )


@router.get("/{conversation_id}/messages", response_model=Page[MessageRead])
def list_messages(
    conversation_id: uuid.UUID, request: Request, caller: CallerDep, container: ContainerDep, page: PageDep
) -> Page[MessageRead]:
    """Newest first; images, audio, video, documents and stickers with a `media_url` valid for 15 minutes."""
    return service.list_messages(
        session=caller.session,
        actor=caller.principal,
        conversation_id=conversation_id,
        page=page,
        links=container.media_links,
        base_url=str(request.base_url),
    )


@router.post(
    "/{conversation_id}/messages",
    responses=problems(429, 502, 503),
    status_code=status.HTTP_201_CREATED,
    response_model=MessageRead,
)
def reply(conversation_id: uuid.UUID, body: Reply, caller: CallerDep, container: ContainerDep) -> MessageRead:
    """Send `text`, `media` (only while the provider's customer-service window is open: 422 otherwise; SMS has
    none) or a `template_id` (any time). 422 for content the channel refuses or a contact opted out of it, 429
    past the pair rate (too many messages to one person at once), 502/503 when the provider refuses it (nothing
    went out). A reply whose answer was lost is `unknown` (never sent twice): its status settles it."""
    return replies.reply(
        session=caller.session,
        actor=caller.principal,
        db=container.database,
        keys=container.company_keys,
        providers=container.providers,
        conversation_id=conversation_id,
        data=body,
        now=container.clock.now(),
    )


@router.get("/{conversation_id}/notes", response_model=Page[NoteRead])
def list_notes(conversation_id: uuid.UUID, caller: CallerDep, page: PageDep) -> Page[NoteRead]:
    """Newest first (created_at, id), as the messages."""
    return service.list_notes(
        session=caller.session, actor=caller.principal, conversation_id=conversation_id, page=page
    )


@router.post("/{conversation_id}/notes", status_code=status.HTTP_201_CREATED, response_model=NoteRead)
def add_note(conversation_id: uuid.UUID, body: NoteCreate, caller: CallerDep) -> NoteRead:
    """An internal note: the team sees it, the contact never does."""
    return service.add_note(session=caller.session, actor=caller.principal, conversation_id=conversation_id, data=body)


@router.put("/{conversation_id}/assignee", response_model=ConversationRead)
def assign(conversation_id: uuid.UUID, body: Assign, caller: CallerDep, container: ContainerDep) -> ConversationRead:
    """Assign or transfer to an active user, or unassign with `null`."""
    return service.assign(
        session=caller.session,
        actor=caller.principal,
        conversation_id=conversation_id,
        data=body,
        now=container.clock.now(),
    )


def _status(target: str) -> object:
    def change(conversation_id: uuid.UUID, caller: CallerDep, container: ContainerDep) -> ConversationRead:
        return service.set_status(
            session=caller.session,
            actor=caller.principal,
            conversation_id=conversation_id,
            status=target,
            now=container.clock.now(),
        )

    return change


router.add_api_route(
    "/{conversation_id}/close", _status("closed"), methods=["POST"], response_model=ConversationRead,  # type: ignore[arg-type]
    summary="Close a conversation (it reopens when the contact writes again)",
)  # fmt: skip
router.add_api_route(
    "/{conversation_id}/reopen", _status("open"), methods=["POST"], response_model=ConversationRead,  # type: ignore[arg-type]
    summary="Reopen a conversation",
)  # fmt: skip


@router.post("/{conversation_id}/read", response_model=ConversationRead)
def mark_read(conversation_id: uuid.UUID, caller: CallerDep, container: ContainerDep) -> ConversationRead:
    """Zero the unread count and send WhatsApp's read receipt for the latest message from the contact."""
    return service.mark_read(
        session=caller.session,
        actor=caller.principal,
        keys=container.company_keys,
        providers=container.providers,
        conversation_id=conversation_id,
        now=container.clock.now(),
    )
