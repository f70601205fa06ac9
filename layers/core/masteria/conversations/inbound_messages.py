"""Inbound messages (every kind as the provider normalized it, a kind we do not know kept as it came) and the
provider's errors about the account or app.

Edits, deletions and reactions change the message they are about (``inbound_updates``); a ``system``
message (a phone-number change) is shown in the conversation and moves the contact to its new number,
without an unread; the provider's errors about the account or app (``AccountEvent`` of kind ``error``)
become notifications.

A redelivered message (its id here already) only copies the file the first delivery did not: it creates
no contact nor conversation again (a number change's sender is the number the first delivery moved away
from), and a redelivered error notifies no one."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import timedelta

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from masteria.campaigns import ledger as campaign_ledger
from masteria.channels.models import ChannelConnection
from masteria.channels.providers.port import AccountEvent, Channel, InboundMessage
from masteria.contacts import consent
from masteria.contacts.models import Contact
from masteria.conversations import inbound_updates as updates
from masteria.conversations.events import record_updated
from masteria.conversations.inbound_common import Result, media_copy, record_new
from masteria.conversations.inbound_pending import apply_pending
from masteria.conversations.models import Conversation, Message, MetaErrorReport
from masteria.event_payloads import ContactUpdatedPayload, MessageReceivedPayload
from masteria.events import record_event
from masteria.notifications import service as notifications
from masteria.observability import logger

__all__ = ["provider_error", "received", "received_event", "upsert_contact", "upsert_conversation"]

# The same error of the provider's about a connection again within this is taken for a redelivery (Meta
# retries a webhook for up to 7 days, and its body-level errors carry no time of their own): told once
REPORT_AGAIN_AFTER = timedelta(days=7)


def provider_error(session: Session, connection: ChannelConnection, event: AccountEvent, result: Result) -> None:
    """An error the provider reports about the account or the app, not one message (``data``: its ``code``,
    ``title``, ``details``): kept as a notification, once (``meta_error_reports``): such an error has no time of
    its own, so the same error again within ``REPORT_AGAIN_AFTER`` (longer than a webhook is retried) is taken
    for a redelivery and notifies no one."""
    digest = hashlib.sha256(json.dumps(event.data, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
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
    code, title = event.data.get("code"), str(event.data.get("title") or "an error")[:200]
    details = str(event.data.get("details") or "")[:500]
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
    session: Session, connection: ChannelConnection, contact_id: uuid.UUID, channel: Channel
) -> tuple[Conversation, bool]:
    """The contact's conversation on the connection (``channel``: its provider's)."""
    row = session.execute(
        insert(Conversation)
        .values(
            company_id=connection.company_id,
            connection_id=connection.id,
            contact_id=contact_id,
            channel=channel,  # an SMS connection's conversations are SMS ones
        )
        .on_conflict_do_update(index_elements=["connection_id", "contact_id"], set_={"updated_at": text("now()")})
        .returning(Conversation.id, text("(xmax = 0)"))
    ).one()
    conversation = session.get_one(Conversation, row[0], populate_existing=True)
    return conversation, bool(row[1])


def received(
    session: Session,
    connection: ChannelConnection,
    message: InboundMessage,
    result: Result,
    *,
    channel: Channel,
    window: timedelta | None,
) -> None:
    """A message from a contact; ``window``: how long after it free-form messages may answer (None: always)."""
    if message.kind in updates.KINDS:  # about another message: never a message of its own
        updates.received(session, connection, message, result)
        return
    if _redelivered(session, connection, message, result):  # before anything else: nothing created again
        return
    at, kind, shown = message.sent_at, message.kind, message.text
    if kind == "system":  # the sender is the old number, which the first delivery may have moved already
        contact_id, new_contact = _system_contact(session, connection.company_id, message)
    else:
        contact_id, new_contact = upsert_contact(session, connection.company_id, message.sender, message.sender_name)
    conversation, new_conversation = upsert_conversation(session, connection, contact_id, channel)
    inserted = session.execute(
        insert(Message)
        .values(
            company_id=connection.company_id,
            connection_id=connection.id,
            conversation_id=conversation.id,
            contact_id=contact_id,
            direction="in",
            wamid=message.message_id,
            type=kind[:32],
            text=shown,
            content=message.raw,
            reply_to_wamid=message.reply_to,
            status="received",
            errors=message.errors,
            sent_at=at,
        )
        .on_conflict_do_nothing(index_elements=["connection_id", "wamid"])
        .returning(Message.id)
    ).scalar_one_or_none()
    if inserted is None:  # the same body delivered at the same time: the other delivery inserted it
        _redelivered(session, connection, message, result)
        return
    result.messages += 1
    stored = session.get_one(Message, inserted)
    copy = media_copy(stored, message.media_id)
    if copy is not None:
        result.media.append(copy)
    apply_pending(session, stored, result)
    record_new(
        session, connection.company_id, channel=channel, contact_id=contact_id, conversation_id=conversation.id,
        new_contact=new_contact, new_conversation=new_conversation,
    )  # fmt: skip
    if kind == "system":  # the provider's, not the contact's: no unread, no customer service window
        _system(session, contact_id, message.new_number)
        received_event(session, stored, shown, channel)
        return
    changes = ["unread_count"]
    if conversation.last_message_at is None or at > conversation.last_message_at:
        conversation.last_message_at = at
        changes.append("last_message_at")
    conversation.last_inbound_at = max(filter(None, [conversation.last_inbound_at, at]))
    if window is not None:
        conversation.window_expires_at = max(filter(None, [conversation.window_expires_at, at + window]))
    conversation.unread_count += 1
    if conversation.status == "closed":
        conversation.status = "open"
        changes.append("status")
    contact = session.get_one(Contact, contact_id)
    contact.last_inbound_at = max(filter(None, [contact.last_inbound_at, at]))
    company = connection.company_id
    asked = consent.classify_inbound(session, company_id=company, text=shown) if kind == "text" and shown else None
    if consent.is_campaign_reply(asked):
        campaign_ledger.attribute_reply(session, contact_id=contact_id, at=at, conversation_id=conversation.id)
    received_event(session, stored, shown, channel)
    record_updated(session, conversation, changes)
    if asked is not None and shown:
        consent.keyword_reply(session, contact=contact, channel=channel, asked=asked, text=shown, at=at)


def _redelivered(session: Session, connection: ChannelConnection, message: InboundMessage, result: Result) -> bool:
    """Whether ``message`` is here already (a redelivery); if so, copy the file the first delivery did not
    (its copy failed, say), and nothing else."""
    known = session.scalars(
        select(Message).where(Message.connection_id == connection.id, Message.wamid == message.message_id)
    ).first()
    if known is None:
        return False
    result.duplicates += 1
    copy = media_copy(known, message.media_id)
    if copy is not None:
        result.media.append(copy)
    return True


def _system_contact(session: Session, company_id: uuid.UUID, message: InboundMessage) -> tuple[uuid.UUID, bool]:
    """The contact a ``system`` message is about, never created on its old number (the sender): the contact
    at that number, else the one at the new number (moved already), else a new contact at the new number
    (one we never had)."""
    new = message.new_number
    numbers = [message.sender] + ([new] if new is not None else [])
    for number in numbers:
        found = session.scalars(
            select(Contact.id).where(Contact.company_id == company_id, Contact.phone == f"+{number}")
        ).first()
        if found is not None:
            return found, False
    return upsert_contact(session, company_id, numbers[-1], message.sender_name)


def received_event(session: Session, message: Message, shown: str | None, channel: Channel) -> None:
    record_event(
        session,
        company_id=message.company_id,
        payload=MessageReceivedPayload(
            message_id=message.id,
            conversation_id=message.conversation_id,
            contact_id=message.contact_id,
            channel=channel,
            type=message.type,
            text=shown,
        ),
    )


def _system(session: Session, contact_id: uuid.UUID, new: str | None) -> None:
    """A phone-number change moves the contact (its conversations, history and consent) to the new number,
    unless another contact of the company has that number already (then both stay, and the message says it)."""
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
