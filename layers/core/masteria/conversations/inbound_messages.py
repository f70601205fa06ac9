"""The ``messages`` change of Meta's webhooks: inbound messages (every type normalized, a type we do not
know kept as it came), the statuses of ours, and Meta's errors about them.

Edits, deletions and reactions change the message they are about (``inbound_updates``); a ``system``
message (a phone-number change) is shown in the conversation and moves the contact to its new number,
without an unread; Meta's errors about the account or app (``value.errors``) become notifications.

A redelivered message (its wamid here already) only copies the file the first delivery did not: it
creates no contact nor conversation again (a number change's ``from`` is the number the first delivery
moved away from), and a redelivered error notifies no one."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from masteria.campaigns import ledger as campaign_ledger
from masteria.channels.models import ChannelConnection
from masteria.channels.providers.meta_cloud import shapes
from masteria.contacts import consent
from masteria.contacts.models import Contact
from masteria.conversations import inbound_statuses as statuses_
from masteria.conversations import inbound_updates as updates
from masteria.conversations.events import record_updated
from masteria.conversations.inbound_common import WINDOW, Result, checked, media_copy, normalize, record_new, time
from masteria.conversations.inbound_pending import apply_pending
from masteria.conversations.models import Conversation, Message, MetaErrorReport
from masteria.event_payloads import (
    ContactUpdatedPayload,
    MessageReceivedPayload,
)
from masteria.events import record_event
from masteria.notifications import service as notifications
from masteria.observability import logger

__all__ = ["changed", "normalize", "received_event", "upsert_contact", "upsert_conversation"]

# Meta's system messages that say the contact's WhatsApp number changed (``system.wa_id``: the new one)
NUMBER_CHANGED = ("user_changed_number", "customer_changed_number")
# The same error of Meta's about a connection again within this is taken for a redelivery (Meta retries a
# webhook for up to 7 days, and its body-level errors carry no time of their own): told once
REPORT_AGAIN_AFTER = timedelta(days=7)


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
        _meta_error(session, connection, error, result)


def _meta_error(session: Session, connection: ChannelConnection, error: dict[str, Any], result: Result) -> None:
    """An error Meta reports about the account or the app, not one message: kept as a notification, once
    (``meta_error_reports``): Meta's error has no time of its own, so the same error again within
    ``REPORT_AGAIN_AFTER`` (longer than Meta retries a webhook) is taken for a redelivery and notifies no one."""
    digest = hashlib.sha256(json.dumps(error, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    reported = session.execute(
        insert(MetaErrorReport)
        .values(company_id=connection.company_id, connection_id=connection.id, digest=digest)
        .on_conflict_do_update(
            index_elements=["connection_id", "digest"],
            set_={"reported_at": func.now()},
            where=MetaErrorReport.reported_at < func.now() - REPORT_AGAIN_AFTER,
        )
        .returning(MetaErrorReport.id)
    ).first()
    if reported is None:
        result.duplicates += 1
        return
    code, title = error.get("code"), str(error.get("title") or error.get("message") or "an error")[:200]
    details = str((error.get("error_data") or {}).get("details") or error.get("message") or "")[:500]
    logger.warning("meta reported a webhook error", extra={"code": code})
    notifications.notify(
        session,
        company_id=connection.company_id,
        kind="whatsapp.error",
        title="WhatsApp reported an error",
        body=f"Meta reports error {code} ({title}) for {connection.name}. {details}".strip(),
        data={"connection_id": str(connection.id), "code": code, "title": title, "details": details or None},
    )
    result.updates += 1


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


def _message(
    session: Session, connection: ChannelConnection, message: dict[str, Any], name: str | None, result: Result
) -> None:
    if message.get("type") in updates.KINDS:  # about another message: never a message of its own
        updates.received(session, connection, message, result)
        return
    wa_id, wamid = str(message["from"]), str(message["id"])
    if _redelivered(session, connection, wamid, result):  # before anything else: nothing created again
        return
    at = time(message["timestamp"])
    kind, shown, content = normalize(message)
    if kind == "system":  # ``from`` is the old number, which the first delivery may have moved already
        contact_id, new_contact = _system_contact(session, connection.company_id, message, name)
    else:
        contact_id, new_contact = upsert_contact(session, connection.company_id, wa_id, name)
    conversation, new_conversation = upsert_conversation(session, connection, contact_id)
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
    if inserted is None:  # the same body delivered at the same time: the other delivery inserted it
        _redelivered(session, connection, wamid, result)
        return
    result.messages += 1
    stored = session.get_one(Message, inserted)
    copy = media_copy(stored)
    if copy is not None:
        result.media.append(copy)
    apply_pending(session, stored, result)
    record_new(
        session, connection.company_id, contact_id=contact_id, conversation_id=conversation.id,
        new_contact=new_contact, new_conversation=new_conversation,
    )  # fmt: skip
    if kind == "system":  # Meta's, not the contact's: no unread, no customer service window
        _system(session, contact_id, message)
        received_event(session, stored, shown)
        return
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
    company = connection.company_id
    asked = consent.classify_inbound(session, company_id=company, text=shown) if kind == "text" and shown else None
    if consent.is_campaign_reply(asked):
        campaign_ledger.attribute_reply(session, contact_id=contact_id, at=at)
    received_event(session, stored, shown)
    record_updated(session, conversation, changes)
    if asked is not None and shown:
        consent.keyword_reply(session, contact=contact, channel="whatsapp", asked=asked, text=shown, at=at)


def _redelivered(session: Session, connection: ChannelConnection, wamid: str, result: Result) -> bool:
    """Whether the message ``wamid`` is here already (a redelivery); if so, copy the file the first
    delivery did not (its copy failed, say), and nothing else."""
    known = session.scalars(
        select(Message).where(Message.connection_id == connection.id, Message.wamid == wamid)
    ).first()
    if known is None:
        return False
    result.duplicates += 1
    copy = media_copy(known)
    if copy is not None:
        result.media.append(copy)
    return True


def _system_contact(
    session: Session, company_id: uuid.UUID, message: dict[str, Any], name: str | None
) -> tuple[uuid.UUID, bool]:
    """The contact a ``system`` message is about, never created on its old number (``from``): the contact
    at that number, else the one at the new number (moved already), else a new contact at the new number
    (one we never had)."""
    new = _new_number(message)
    numbers = [str(message["from"])] + ([new] if new is not None else [])
    for number in numbers:
        found = session.scalars(
            select(Contact.id).where(Contact.company_id == company_id, Contact.phone == f"+{number}")
        ).first()
        if found is not None:
            return found, False
    return upsert_contact(session, company_id, numbers[-1], name)


def received_event(session: Session, message: Message, shown: str | None) -> None:
    record_event(
        session,
        company_id=message.company_id,
        payload=MessageReceivedPayload(
            message_id=message.id,
            conversation_id=message.conversation_id,
            contact_id=message.contact_id,
            channel="whatsapp",
            type=message.type,
            text=shown,
        ),
    )


def _new_number(message: dict[str, Any]) -> str | None:
    """The contact's new WhatsApp number, if ``message`` is Meta's notice that it changed."""
    system = message.get("system") or {}
    new = system.get("wa_id") or system.get("new_wa_id")
    if system.get("type") not in NUMBER_CHANGED or not isinstance(new, str) or not shapes.is_wa_id(new):
        return None
    return new


def _system(session: Session, contact_id: uuid.UUID, message: dict[str, Any]) -> None:
    """A phone-number change moves the contact (its conversations, history and consent) to the new number,
    unless another contact of the company has that number already (then both stay, and the message says it)."""
    new = _new_number(message)
    if new is None:
        return
    contact = session.get_one(Contact, contact_id)
    phone = f"+{new}"
    if contact.phone == phone:
        return
    taken = select(Contact.id).where(Contact.company_id == contact.company_id, Contact.phone == phone)
    if session.scalars(taken).first() is not None:
        logger.warning("a contact's new number belongs to another contact: not moved")
        return
    contact.phone = phone
    record_event(
        session,
        company_id=contact.company_id,
        payload=ContactUpdatedPayload(contact_id=contact.id, changed=["phone"]),
    )
