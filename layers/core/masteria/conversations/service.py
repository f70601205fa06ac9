"""The shared inbox: conversations and their messages, notes, assignment, closing, read receipts (replies are in
``conversations.replies``).

Who sees what: admins and owners see every conversation; agents see the ones assigned to them and the
unassigned ones (anything else is a 404, like an id that does not exist)."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, literal, or_, select, union_all
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Session

from masteria.ai.responder_models import AiConversationState
from masteria.channels import connections
from masteria.channels.models import ChannelConnection
from masteria.channels.providers.port import Registry
from masteria.contacts.models import Contact, ContactTag
from masteria.conversations.events import record_updated
from masteria.conversations.models import Conversation, ConversationNote, Message
from masteria.conversations.schemas import (
    Assign,
    ContactSummary,
    ConversationAi,
    ConversationFilter,
    ConversationRead,
    MessageRead,
    NoteCreate,
    NoteRead,
    UnreadCounts,
)
from masteria.crypto import CompanyKeys
from masteria.errors import FieldError, Invalid, NotFound
from masteria.event_payloads import ConversationAssignedPayload, ConversationClosedPayload
from masteria.events import record_event
from masteria.media import MediaLinks
from masteria.pagination import Page, PageRequest, paginate
from masteria.tenancy.models import Role, User
from masteria.tenancy.service import Principal


def _visible(actor: Principal) -> ColumnElement[bool]:
    if actor.role.rank >= Role.ADMIN.rank:
        return Conversation.id.is_not(None)
    return or_(Conversation.assignee_id == actor.user_id, Conversation.assignee_id.is_(None))


def visible_to(
    session: Session, *, actors: Sequence[Principal], conversation_ids: Collection[uuid.UUID]
) -> set[tuple[uuid.UUID, uuid.UUID]]:
    """(user id, conversation id) for each of ``conversation_ids`` each actor's inbox shows: the inbox's
    rule for many users at once, in one query (the realtime push and catch-up ask it)."""
    if not actors or not conversation_ids:
        return set()
    ids = list(conversation_ids)
    selects = [
        select(literal(actor.user_id, UUID(as_uuid=True)).label("user_id"), Conversation.id).where(
            Conversation.id.in_(ids), _visible(actor)
        )
        for actor in actors
    ]
    statement = selects[0] if len(selects) == 1 else union_all(*selects)
    return {(row[0], row[1]) for row in session.execute(statement)}


def get_visible(session: Session, actor: Principal, conversation_id: uuid.UUID, *, lock: bool = False) -> Conversation:
    statement: Select[Conversation] = select(Conversation).where(Conversation.id == conversation_id, _visible(actor))
    found = session.scalars(statement.with_for_update() if lock else statement).first()
    if found is None:
        raise NotFound("conversation not found")
    return found


def ai_read(state: AiConversationState | None) -> ConversationAi | None:
    """The AI's state in a conversation as the inbox shows it (None: the AI has not been there)."""
    if state is None:
        return None
    return ConversationAi(
        status=state.status,
        reason=state.handoff_trigger if state.status == "handed_off" else state.paused_reason,
        detail=state.handoff_reason if state.status == "handed_off" else None,
        persona_id=state.persona_id,
        assignee_id=state.handed_off_to if state.status == "handed_off" else None,
        since=state.changed_at,
    )


def _ai_states(session: Session, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, AiConversationState]:
    if not ids:
        return {}
    rows = session.scalars(select(AiConversationState).where(AiConversationState.conversation_id.in_(list(ids))))
    return {row.conversation_id: row for row in rows}


def _read(
    session: Session, row: Conversation, now: datetime, states: dict[uuid.UUID, AiConversationState] | None = None
) -> ConversationRead:
    """``states``: the AI states of a page's conversations, read at once (None: read this one's)."""
    contact = session.get_one(Contact, row.contact_id)
    state = states.get(row.id) if states is not None else session.get(AiConversationState, row.id)
    return ConversationRead(
        id=row.id,
        connection_id=row.connection_id,
        channel=row.channel,
        status=row.status,
        assignee_id=row.assignee_id,
        contact=ContactSummary(id=contact.id, name=contact.name, phone=contact.phone),
        last_message_at=row.last_message_at,
        last_inbound_at=row.last_inbound_at,
        window_expires_at=row.window_expires_at,
        window_open=row.window_expires_at is not None and row.window_expires_at > now,
        unread_count=row.unread_count,
        created_at=row.created_at,
        ai=ai_read(state),
    )


def list_conversations(
    *, session: Session, actor: Principal, filters: ConversationFilter, page: PageRequest, now: datetime
) -> Page[ConversationRead]:
    """Most recent activity first."""
    statement = select(Conversation).where(_visible(actor), Conversation.last_message_at.is_not(None))
    if filters.status:
        statement = statement.where(Conversation.status == filters.status)
    if filters.channel:
        statement = statement.where(Conversation.channel == filters.channel)
    if filters.unread is not None:
        statement = statement.where((Conversation.unread_count > 0) == filters.unread)
    if filters.assignee == "me":
        statement = statement.where(Conversation.assignee_id == actor.user_id)
    elif filters.assignee == "none":
        statement = statement.where(Conversation.assignee_id.is_(None))
    elif filters.assignee:
        try:
            statement = statement.where(Conversation.assignee_id == uuid.UUID(filters.assignee))
        except ValueError as error:
            raise Invalid(
                "invalid assignee", [FieldError("assignee", "me, none or a user id", code="invalid_assignee")]
            ) from error
    if filters.tag_id:
        tagged = select(ContactTag.contact_id).where(ContactTag.tag_id == filters.tag_id)
        statement = statement.where(Conversation.contact_id.in_(tagged))
    if filters.contact_id:
        statement = statement.where(Conversation.contact_id == filters.contact_id)
    rows, cursor = paginate(session, statement, keys=[Conversation.last_message_at, Conversation.id], page=page)
    states = _ai_states(session, [r.id for r in rows])  # one query for the page, not one per row
    return Page[ConversationRead](items=[_read(session, r, now, states) for r in rows], next_cursor=cursor)


def get_conversation(
    *, session: Session, actor: Principal, conversation_id: uuid.UUID, now: datetime
) -> ConversationRead:
    return _read(session, get_visible(session, actor, conversation_id), now)


def _message_read(row: Message, links: MediaLinks | None, base_url: str) -> MessageRead:
    read = MessageRead.model_validate(row)
    stored = row.content.get("stored") or {}
    if links is not None and stored.get("key"):
        read.media_url = links.url(stored["key"], base_url=base_url, mime_type=stored.get("mime_type"))
    return read


def list_messages(
    *,
    session: Session,
    actor: Principal,
    conversation_id: uuid.UUID,
    page: PageRequest,
    links: MediaLinks | None = None,
    base_url: str = "",
) -> Page[MessageRead]:
    """Newest first; stored media with a time-limited link."""
    get_visible(session, actor, conversation_id)
    statement = select(Message).where(Message.conversation_id == conversation_id)
    rows, cursor = paginate(session, statement, keys=[Message.sent_at, Message.id], page=page)
    return Page[MessageRead](items=[_message_read(r, links, base_url) for r in rows], next_cursor=cursor)


def add_note(*, session: Session, actor: Principal, conversation_id: uuid.UUID, data: NoteCreate) -> NoteRead:
    conversation = get_visible(session, actor, conversation_id)
    note = ConversationNote(
        company_id=conversation.company_id, conversation_id=conversation.id, author_id=actor.user_id, body=data.body
    )
    session.add(note)
    session.flush()
    session.refresh(note)
    return NoteRead.model_validate(note)


def list_notes(*, session: Session, actor: Principal, conversation_id: uuid.UUID, page: PageRequest) -> Page[NoteRead]:
    """Newest first, like the messages (the inbox shows a page as a thread and loads older ones above)."""
    get_visible(session, actor, conversation_id)
    statement = select(ConversationNote).where(ConversationNote.conversation_id == conversation_id)
    rows, cursor = paginate(session, statement, keys=[ConversationNote.created_at, ConversationNote.id], page=page)
    return Page[NoteRead](items=[NoteRead.model_validate(r) for r in rows], next_cursor=cursor)


def assign(
    *, session: Session, actor: Principal, conversation_id: uuid.UUID, data: Assign, now: datetime
) -> ConversationRead:
    """Assign, transfer (assign to someone else) or unassign (``null``); the assignee is an active user."""
    conversation = get_visible(session, actor, conversation_id, lock=True)
    if data.assignee_id is not None:
        user = session.get(User, data.assignee_id)
        if user is None or not user.is_active:
            raise Invalid(
                "unknown user", [FieldError("assignee_id", "not an active user of this company", code="unknown_user")]
            )
    assign_to(session, conversation, data.assignee_id)
    return _read(session, conversation, now)


def assign_to(session: Session, conversation: Conversation, assignee_id: uuid.UUID | None) -> None:
    """Give ``conversation`` (locked by the caller) to ``assignee_id`` (an active user; None: nobody), with its
    ``conversation.assigned`` event when that changes it: the inbox's assignment, and the AI's on a handoff."""
    if conversation.assignee_id != assignee_id:
        previous = conversation.assignee_id
        conversation.assignee_id = assignee_id
        record_event(
            session,
            company_id=conversation.company_id,
            payload=ConversationAssignedPayload(
                conversation_id=conversation.id, assignee_id=assignee_id, previous_assignee_id=previous
            ),
        )
    session.flush()


def set_status(
    *, session: Session, actor: Principal, conversation_id: uuid.UUID, status: str, now: datetime
) -> ConversationRead:
    """Close, reopen, or mark pending."""
    conversation = get_visible(session, actor, conversation_id, lock=True)
    if conversation.status != status:
        conversation.status = status
        record_updated(session, conversation, ["status"])
        if status == "closed":
            record_event(
                session,
                company_id=conversation.company_id,
                payload=ConversationClosedPayload(conversation_id=conversation.id),
            )
    session.flush()
    return _read(session, conversation, now)


def mark_read(
    *,
    session: Session,
    actor: Principal,
    keys: CompanyKeys,
    providers: Registry,
    conversation_id: uuid.UUID,
    now: datetime,
) -> ConversationRead:
    """Zero the unread count and tell the customer their latest message was read, through the conversation's
    provider (WhatsApp's read receipt; SMS has none)."""
    conversation = get_visible(session, actor, conversation_id, lock=True)
    latest = session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation.id, Message.direction == "in")
        .order_by(Message.sent_at.desc())
        .limit(1)
    ).first()
    if latest is not None and conversation.unread_count:
        connection = session.get_one(ChannelConnection, conversation.connection_id)
        provider = providers.get(connection.provider)
        provider.mark_read(latest.wamid, connections.config(session, keys, connection))
    if conversation.unread_count:
        conversation.unread_count = 0
        record_updated(session, conversation, ["unread_count"])
    session.flush()
    return _read(session, conversation, now)


def unread_counts(*, session: Session, actor: Principal) -> UnreadCounts:
    """Unread conversations and messages the caller can see."""
    row = session.execute(
        select(func.count(), func.coalesce(func.sum(Conversation.unread_count), 0)).where(
            _visible(actor), Conversation.unread_count > 0
        )
    ).one()
    return UnreadCounts(conversations=int(row[0]), messages=int(row[1]))
