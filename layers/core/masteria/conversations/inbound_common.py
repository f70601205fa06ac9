"""What the inbound processor's parts share: the result of a body, the refusal of one, the media access."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import delete, func, text
from sqlalchemy.orm import Session

from masteria.channels.models import ChannelConnection
from masteria.channels.providers.port import Channel, Registry
from masteria.conversations.models import Message, PendingMessageUpdate
from masteria.crypto import CompanyKeys
from masteria.event_payloads import ContactCreatedPayload, ConversationCreatedPayload
from masteria.events import record_event
from masteria.ports import ObjectStore

PENDING_FOR = timedelta(days=7)  # webhooks are retried for up to 7 days (Meta): a pending update older waits in vain
KEPT = "masteria.pending_kept"  # ``Session.info``: the (connection id, wamid) of the updates kept in this transaction


class Unprocessable(ValueError):
    """The body is not a webhook we understand: dead-lettered whole."""


@dataclass(frozen=True)
class MediaCopy:
    """A file to copy from its provider once the body's transaction has committed (never inside it)."""

    connection_id: uuid.UUID
    message_id: uuid.UUID
    media_id: str
    key: str  # where it goes in our object store, and where on the message it is recorded (``stored``)


@dataclass
class Result:
    messages: int = 0
    duplicates: int = 0
    statuses: int = 0
    updates: int = 0
    dead_lettered: bool = False
    errors: list[str] = field(default_factory=list)
    campaigns: set[uuid.UUID] = field(default_factory=set)  # whose ledger the statuses moved
    media: list[MediaCopy] = field(default_factory=list)
    pending: int = 0  # updates kept for a message we do not know yet
    dropped: int = 0  # events for a number none of the company's connections has


@dataclass(frozen=True)
class Media:
    """What copying inbound media needs: the providers (to fetch a file), the object store and the company keys
    (for the connection's configuration)."""

    providers: Registry
    store: ObjectStore
    keys: CompanyKeys


def checked(model: type[BaseModel], data: Any) -> None:
    """Bad input (``Unprocessable``) unless ``data`` is what ``model`` describes; says where it is not."""
    try:
        model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "the body"
        raise Unprocessable(f"not as the provider sends it: {where}: {first.get('msg', 'invalid')}") from error


def hold_wamid(session: Session, connection_id: uuid.UUID, wamid: str) -> None:
    """Take the transaction's lock of (connection, wamid): keeping an update of a message and looking for
    the updates kept for one (``inbound_pending``) take it, so that one of two transactions racing (a send
    committing while its status is being kept) waits for the other to commit, then sees what it wrote."""
    key = f"masteria.pending:{connection_id}:{wamid[:255]}"
    session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})


def keep_pending(session: Session, connection: ChannelConnection, wamid: str, kind: str, body: dict[str, Any]) -> None:
    """Keep an update of a message we do not know yet (applied when it appears, see ``inbound_pending``;
    ``apply_kept`` looks again, once the body's changes are done, for one that appeared meanwhile); the
    company's ones that waited longer than ``PENDING_FOR`` go."""
    wamid = wamid[:255]
    hold_wamid(session, connection.id, wamid)
    session.execute(
        delete(PendingMessageUpdate).where(
            PendingMessageUpdate.company_id == connection.company_id,
            PendingMessageUpdate.created_at < func.now() - PENDING_FOR,
        )
    )
    session.add(
        PendingMessageUpdate(
            company_id=connection.company_id, connection_id=connection.id, wamid=wamid, kind=kind, body=body
        )
    )
    session.info.setdefault(KEPT, set()).add((connection.id, wamid))


def media_copy(message: Message, media_id: str | None, *, version: int = 0) -> MediaCopy | None:
    """The file ``media_id`` of ``message`` still to copy from its provider (none if it has none, or it is copied)."""
    if not media_id or message.content.get("stored"):
        return None
    key = f"media/{message.company_id}/{message.id}"  # under the bucket lifecycle rule of media/
    return MediaCopy(
        connection_id=message.connection_id,
        message_id=message.id,
        media_id=media_id,
        key=f"{key}-{version}" if version else key,  # an edit's new file beside the first, never over it
    )


def record_new(
    session: Session,
    company_id: uuid.UUID,
    *,
    channel: Channel,
    contact_id: uuid.UUID,
    conversation_id: uuid.UUID,
    new_contact: bool,
    new_conversation: bool,
) -> None:
    """The events of a contact and a conversation an inbound body created (a message or a call)."""
    if new_contact:
        record_event(session, company_id=company_id, payload=ContactCreatedPayload(contact_id=contact_id))
    if new_conversation:
        payload = ConversationCreatedPayload(conversation_id=conversation_id, contact_id=contact_id, channel=channel)
        record_event(session, company_id=company_id, payload=payload)
