"""The ``messages`` change of Meta's webhooks: inbound messages (every type normalized), the statuses of
ours, and Meta's errors about them."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from masteria.campaigns import ledger as campaign_ledger
from masteria.channels.models import ChannelConnection
from masteria.contacts import consent
from masteria.contacts import service as contacts
from masteria.contacts.models import Contact
from masteria.conversations import inbound_shapes as shapes
from masteria.conversations import inbound_statuses as statuses_
from masteria.conversations.events import record_updated
from masteria.conversations.inbound_common import MEDIA_TYPES, WINDOW, MediaCopy, Result, checked, time
from masteria.conversations.models import Conversation, Message
from masteria.events import EventType, record_event
from masteria.observability import logger


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


def changed(session: Session, connection: ChannelConnection, value: dict[str, Any], result: Result) -> None:
    """A ``messages`` change: its messages, then its statuses, then Meta's errors."""
    checked(shapes.MessagesValue, value)
    names = {c.get("wa_id"): (c.get("profile") or {}).get("name") for c in value.get("contacts") or []}
    for message in value.get("messages") or []:
        _message(session, connection, message, names.get(message.get("from")), result)
    statuses = value.get("statuses") or []
    # a campaign's messages: their ledger rows are the record, updated together
    ours = [s for s in statuses if campaign_ledger.recipient_of(s.get("biz_opaque_callback_data")) is not None]
    if ours:
        result.campaigns |= campaign_ledger.apply_statuses(session, ours)
        result.statuses += len(ours)
    for status in statuses:
        if campaign_ledger.recipient_of(status.get("biz_opaque_callback_data")) is None:
            statuses_.apply(session, connection, status, result)
    for error in value.get("errors") or []:
        logger.warning("meta reported a webhook error", extra={"code": error.get("code")})


def upsert_contact(session: Session, company_id: uuid.UUID, wa_id: str, name: str | None) -> tuple[uuid.UUID, bool]:
    row = session.execute(
        insert(Contact)
        .values(company_id=company_id, phone=f"+{wa_id}", name=(name or None) and name[:200])
        .on_conflict_do_update(
            index_elements=["company_id", "phone"],
            set_={"name": text("COALESCE(contacts.name, excluded.name)")},
        )
        .returning(Contact.id, text("(xmax = 0)"))
    ).one()
    return row[0], bool(row[1])


def upsert_conversation(
    session: Session, connection: ChannelConnection, contact_id: uuid.UUID
) -> tuple[Conversation, bool]:
    row = session.execute(
        insert(Conversation)
        .values(company_id=connection.company_id, connection_id=connection.id, contact_id=contact_id)
        .on_conflict_do_update(index_elements=["connection_id", "contact_id"], set_={"updated_at": text("now()")})
        .returning(Conversation.id, text("(xmax = 0)"))
    ).one()
    conversation = session.get_one(Conversation, row[0], populate_existing=True)
    return conversation, bool(row[1])


def _media_to_copy(
    connection: ChannelConnection, message_id: uuid.UUID, kind: str, content: dict[str, Any]
) -> MediaCopy | None:
    media_id = (content.get(kind) or {}).get("id") if kind in MEDIA_TYPES else None
    if not media_id or content.get("stored"):
        return None
    key = f"media/{connection.company_id}/{message_id}"  # under the bucket lifecycle rule of media/
    return MediaCopy(connection_id=connection.id, message_id=message_id, media_id=str(media_id), key=key)


def _message(
    session: Session, connection: ChannelConnection, message: dict[str, Any], name: str | None, result: Result
) -> None:
    wa_id, wamid = str(message["from"]), str(message["id"])
    at = time(message["timestamp"])
    contact_id, new_contact = upsert_contact(session, connection.company_id, wa_id, name)
    conversation, new_conversation = upsert_conversation(session, connection, contact_id)
    kind, shown, content = normalize(message)
    inserted = session.execute(
        insert(Message)
        .values(
            company_id=connection.company_id,
            connection_id=connection.id,
            conversation_id=conversation.id,
            contact_id=contact_id,
            direction="in",
            wamid=wamid,
            type=kind,
            text=shown,
            content=content,
            reply_to_wamid=(message.get("context") or {}).get("id"),
            status="received",
            errors=message.get("errors") or [],
            sent_at=at,
        )
        .on_conflict_do_nothing(index_elements=["connection_id", "wamid"])
        .returning(Message.id)
    ).scalar_one_or_none()
    if inserted is None:
        result.duplicates += 1
        # a redelivery (after a failed copy, say) copies the file the first delivery did not
        known = session.scalars(select(Message).where(Message.connection_id == connection.id, Message.wamid == wamid))
        for row in known:
            copy = _media_to_copy(connection, row.id, row.type, row.content)
            if copy is not None:
                result.media.append(copy)
        return
    result.messages += 1
    copy = _media_to_copy(connection, inserted, kind, content)
    if copy is not None:
        result.media.append(copy)
    changes = ["unread_count"]
    if conversation.last_message_at is None or at > conversation.last_message_at:
        conversation.last_message_at = at
        changes.append("last_message_at")
    conversation.last_inbound_at = max(filter(None, [conversation.last_inbound_at, at]))
    conversation.window_expires_at = max(filter(None, [conversation.window_expires_at, at + WINDOW]))
    conversation.unread_count += 1
    if conversation.status == "closed":
        conversation.status = "open"
        changes.append("status")
    contact = session.get_one(Contact, contact_id)
    contact.last_inbound_at = max(filter(None, [contact.last_inbound_at, at]))
    campaign_ledger.attribute_reply(session, contact_id=contact_id, at=at)
    company = connection.company_id
    if new_contact:
        record_event(session, company_id=company, type=EventType.CONTACT_CREATED, data={"contact_id": str(contact_id)})
    if new_conversation:
        record_event(
            session,
            company_id=company,
            type=EventType.CONVERSATION_CREATED,
            data={"conversation_id": str(conversation.id), "contact_id": str(contact_id), "channel": "whatsapp"},
        )
    record_event(
        session,
        company_id=company,
        type=EventType.MESSAGE_RECEIVED,
        data={
            "message_id": str(inserted),
            "conversation_id": str(conversation.id),
            "contact_id": str(contact_id),
            "channel": "whatsapp",
            "type": kind,
            "text": shown,
        },
    )
    record_updated(session, conversation, changes)
    if kind == "text" and shown:
        asked = contacts.classify_inbound(session, company_id=company, text=shown)
        if asked is not None:
            consent.keyword_reply(session, contact=contact, channel="whatsapp", asked=asked, text=shown, at=at)
