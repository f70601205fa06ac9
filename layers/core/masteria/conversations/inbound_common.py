"""What the inbound processor's parts share: the result of a body, the refusal of one, the media access."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import delete, func, text
from sqlalchemy.orm import Session

from masteria.channels.models import ChannelConnection
from masteria.channels.providers.meta_cloud import shapes
from masteria.channels.providers.meta_cloud.graph import GraphClient
from masteria.conversations.models import Message, PendingMessageUpdate
from masteria.crypto import CompanyKeys
from masteria.event_payloads import ContactCreatedPayload, ConversationCreatedPayload
from masteria.events import record_event
from masteria.ports import ObjectStore

WINDOW = timedelta(hours=24)
MEDIA_TYPES = ("image", "audio", "video", "document", "sticker")
PENDING_FOR = timedelta(days=7)  # Meta retries a webhook for 7 days: a pending update older than that waits in vain
KEPT = "masteria.pending_kept"  # ``Session.info``: the (connection id, wamid) of the updates kept in this transaction


class Unprocessable(ValueError):
    """The body is not a webhook we understand: dead-lettered whole."""


@dataclass(frozen=True)
class MediaCopy:
    """A file to copy from Meta once the body's transaction has committed (never inside it)."""

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


@dataclass(frozen=True)
class Media:
    """What copying inbound media needs: the Graph API, the object store and the company keys (for the token)."""

    graph: GraphClient
    store: ObjectStore
    keys: CompanyKeys


def normalize(message: dict[str, Any]) -> tuple[str, str | None, dict[str, Any]]:
    """(type, text for the inbox, content) of one of Meta's inbound message objects."""
    kind = str(message.get("type") or "unsupported")
    found = message.get(kind)
    body: dict[str, Any] = found if isinstance(found, dict) else {}
    content = {k: v for k, v in message.items() if k not in ("from", "id", "timestamp", "type")}
    shown: str | None = None
    if kind == "text":
        shown = body.get("body")
    elif kind in MEDIA_TYPES:
        shown = body.get("caption") or body.get("filename")
    elif kind == "location":
        shown = body.get("name") or body.get("address") or f"{body.get('latitude')}, {body.get('longitude')}"
    elif kind == "interactive":
        reply = body.get("button_reply") or body.get("list_reply") or body.get("nfm_reply") or {}
        shown = reply.get("title") or reply.get("body")
    elif kind == "button":
        shown = body.get("text") or body.get("payload")
    elif kind == "reaction":
        shown = body.get("emoji")
    elif kind == "order":
        shown = body.get("text")
    elif kind == "system":
        shown = body.get("body")
    elif kind == "contacts":
        names = [c.get("name", {}).get("formatted_name") for c in message.get("contacts", [])]
        shown = ", ".join(n for n in names if n) or None
    return kind, (str(shown) if shown is not None else None), content


def time(value: Any) -> datetime:
    return datetime.fromtimestamp(int(value), UTC)


def checked(model: type[BaseModel], data: Any) -> None:
    try:
        model.model_validate(data)
    except ValidationError as error:
        raise Unprocessable(f"not as Meta sends it: {shapes.problem(error)}") from error


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


def media_copy(message: Message, *, version: int = 0) -> MediaCopy | None:
    """The file of ``message`` still to copy from Meta (none if it has none, or it is copied)."""
    kind, content = message.type, message.content
    media_id = (content.get(kind) or {}).get("id") if kind in MEDIA_TYPES else None
    if not media_id or content.get("stored"):
        return None
    key = f"media/{message.company_id}/{message.id}"  # under the bucket lifecycle rule of media/
    return MediaCopy(
        connection_id=message.connection_id,
        message_id=message.id,
        media_id=str(media_id),
        key=f"{key}-{version}" if version else key,  # an edit's new file beside the first, never over it
    )


def record_new(
    session: Session,
    company_id: uuid.UUID,
    *,
    contact_id: uuid.UUID,
    conversation_id: uuid.UUID,
    new_contact: bool,
    new_conversation: bool,
) -> None:
    """The events of a contact and a conversation an inbound body created (a message or a call)."""
    if new_contact:
        record_event(session, company_id=company_id, payload=ContactCreatedPayload(contact_id=contact_id))
    if new_conversation:
        payload = ConversationCreatedPayload(conversation_id=conversation_id, contact_id=contact_id, channel="whatsapp")
        record_event(session, company_id=company_id, payload=payload)
