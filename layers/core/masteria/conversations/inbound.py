"""The inbound processor: Meta's webhook bodies (META.md §2.4) into contacts, conversations, messages and
statuses.

- Every message type is normalized: ``type``, a ``text`` for the inbox (the body, caption, button or list
  title, location name…) and ``content`` (Meta's object for that type, plus context and referral).
- Race-safe: contacts and conversations are upserted; a message is inserted once per (connection, wamid)
  — a second delivery of the same body, even at the same time, finds it there and does nothing more.
- Statuses move forward only (``STATUS_RANK``; failed is final), whatever order they arrive in.
- The 24-hour customer service window is kept per conversation; stop keywords opt the contact out
  through the CRM's one opt-out function.
- Template status and quality updates, and phone number quality updates, update their records.
- A body that cannot be parsed or understood is kept whole as a dead letter, never dropped.
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from masteria.campaigns import ledger as campaign_ledger
from masteria.channels import connections
from masteria.channels.graph import GraphClient
from masteria.channels.inbound_job import InboundJob
from masteria.channels.meta_errors import GraphError, GraphTransientError
from masteria.channels.models import ChannelConnection
from masteria.contacts import consent
from masteria.contacts import service as contacts
from masteria.contacts.models import Contact
from masteria.conversations import inbound_shapes as shapes
from masteria.conversations.events import record_updated
from masteria.conversations.models import STATUS_RANK, Conversation, InboundDeadLetter, Message
from masteria.crypto import CompanyKeys
from masteria.db import Database
from masteria.events import EventType, record_event
from masteria.notifications import service as notifications
from masteria.observability import logger
from masteria.ports import ObjectStore
from masteria.templates.models import WhatsAppTemplate

WINDOW = timedelta(hours=24)
MEDIA_TYPES = ("image", "audio", "video", "document", "sticker")


class Unprocessable(ValueError):
    """The body is not a webhook we understand: dead-lettered whole."""


@dataclass
class Result:
    messages: int = 0
    duplicates: int = 0
    statuses: int = 0
    updates: int = 0
    dead_lettered: bool = False
    errors: list[str] = field(default_factory=list)
    campaigns: set[uuid.UUID] = field(default_factory=set)  # whose ledger the statuses moved


def _time(value: Any) -> datetime:
    return datetime.fromtimestamp(int(value), UTC)


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


def _numbers(session: Session, keys: CompanyKeys, job: InboundJob) -> dict[str, ChannelConnection]:
    """The company's connections by phone number id (Meta may post several numbers' events to one URL)."""
    found = {}
    for row in session.scalars(select(ChannelConnection)):
        found[connections.credentials(session, keys, row).phone_number_id] = row
    return found


@dataclass(frozen=True)
class Media:
    """What copying inbound media needs: the Graph API, the object store and the company keys (for the token)."""

    graph: GraphClient
    store: ObjectStore
    keys: CompanyKeys


def process(*, db: Database, keys: CompanyKeys, job: InboundJob, media: Media | None = None) -> Result:
    """Apply one webhook body, all of it or none; dead-letter it whole if it cannot be understood."""
    raw = job.body
    try:
        try:
            payload = json.loads(raw)
        except ValueError as error:
            raise Unprocessable(f"not JSON: {error}") from error
        if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
            raise Unprocessable("not a WhatsApp Business Account webhook")
        _checked(shapes.Body, payload)
        with db.tenant(job.company_id) as session:
            connection = session.get(ChannelConnection, job.connection_id)
            if connection is None:
                raise Unprocessable("the connection no longer exists")
            result = Result()
            own_number: str | None = None  # the number of the connection the webhook came to
            numbers: dict[str, ChannelConnection] | None = None  # every one: read only for another number
            for entry in payload["entry"]:
                for change in entry.get("changes") or []:
                    target = connection
                    number = ((change.get("value") or {}).get("metadata") or {}).get("phone_number_id")
                    if number is not None and own_number is None:
                        own_number = connections.credentials(session, keys, connection).phone_number_id
                    if number is not None and str(number) != own_number:
                        numbers = numbers if numbers is not None else _numbers(session, keys, job)
                        if str(number) not in numbers:
                            raise Unprocessable(f"no connection has the phone number id {number}")
                        target = numbers[str(number)]
                    _change(session, target, change, result, media)
            for campaign_id in sorted(result.campaigns):  # one progress event per body, not per status
                campaign_ledger.emit_progress(session, campaign_id)
            return result
    except Unprocessable as error:  # bad input only: a fault of ours raises, to be retried (see keep_failed)
        reason = f"Unprocessable: {error}"[:500]
        _dead_letter(db, job, reason)
        return Result(dead_lettered=True, errors=[reason])


def _checked(model: type[BaseModel], data: Any) -> None:
    try:
        model.model_validate(data)
    except ValidationError as error:
        raise Unprocessable(f"not as Meta sends it: {shapes.problem(error)}") from error


def _dead_letter(db: Database, job: InboundJob, reason: str) -> None:
    with db.tenant(job.company_id) as session:
        session.add(
            InboundDeadLetter(company_id=job.company_id, connection_id=job.connection_id, body=job.body, error=reason)
        )
    logger.warning("inbound webhook dead-lettered", extra={"reason": reason[:200]})


def keep_failed(*, db: Database, job: InboundJob, error: Exception, attempts: int) -> None:
    """A body that failed ``attempts`` times on our side (a bug, the database): kept whole as a dead letter
    with the kind of failure, instead of being lost when the queue gives up on it."""
    _dead_letter(db, job, f"failed {attempts} times: {type(error).__name__}"[:500])


def _change(
    session: Session, connection: ChannelConnection, change: dict[str, Any], result: Result, media: Media | None
) -> None:
    field_name, value = change.get("field"), change.get("value") or {}
    if field_name == "messages":
        _checked(shapes.MessagesValue, value)
        names = {c.get("wa_id"): (c.get("profile") or {}).get("name") for c in value.get("contacts") or []}
        for message in value.get("messages") or []:
            _message(session, connection, message, names.get(message.get("from")), result, media)
        statuses = value.get("statuses") or []
        # a campaign's messages: their ledger rows are the record, updated together
        ours = [s for s in statuses if campaign_ledger.recipient_of(s.get("biz_opaque_callback_data")) is not None]
        if ours:
            result.campaigns |= campaign_ledger.apply_statuses(session, ours)
            result.statuses += len(ours)
        for status in statuses:
            if campaign_ledger.recipient_of(status.get("biz_opaque_callback_data")) is None:
                _status(session, connection, status, result)
        for error in value.get("errors") or []:
            logger.warning("meta reported a webhook error", extra={"code": error.get("code")})
    elif field_name in ("message_template_status_update", "message_template_quality_update"):
        _template_update(session, connection, field_name, value, result)
    elif field_name == "phone_number_quality_update":
        limit = value.get("max_daily_conversations_per_business") or value.get("current_limit")
        if limit:
            connection.messaging_limit = str(limit)[:32]
        if value.get("event") == "THROUGHPUT_UPGRADE":
            connection.throughput_level = "HIGH"
        result.updates += 1
    elif field_name == "account_update":
        notifications.notify(
            session,
            company_id=connection.company_id,
            kind="whatsapp.account_update",
            title="WhatsApp account update",
            body=f"Meta reports {value.get('event', 'an update')} for {connection.name}.",
            data={"connection_id": str(connection.id), "event": value.get("event")},
        )
        result.updates += 1
    else:
        logger.info("meta webhook field ignored", extra={"field": field_name})


def _upsert_contact(session: Session, company_id: uuid.UUID, wa_id: str, name: str | None) -> tuple[uuid.UUID, bool]:
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


def _upsert_conversation(
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


def _message(  # noqa: PLR0917
    session: Session,
    connection: ChannelConnection,
    message: dict[str, Any],
    name: str | None,
    result: Result,
    media: Media | None,
) -> None:
    wa_id, wamid = str(message["from"]), str(message["id"])
    at = _time(message["timestamp"])
    contact_id, new_contact = _upsert_contact(session, connection.company_id, wa_id, name)
    conversation, new_conversation = _upsert_conversation(session, connection, contact_id)
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
        return
    result.messages += 1
    if kind in MEDIA_TYPES and media is not None and content.get(kind, {}).get("id"):
        stored = session.get_one(Message, inserted)
        stored.content = {
            **content,
            "stored": _copy_media(session, connection, media, str(content[kind]["id"]), inserted),
        }
    changed = ["unread_count"]
    if conversation.last_message_at is None or at > conversation.last_message_at:
        conversation.last_message_at = at
        changed.append("last_message_at")
    conversation.last_inbound_at = max(filter(None, [conversation.last_inbound_at, at]))
    conversation.window_expires_at = max(filter(None, [conversation.window_expires_at, at + WINDOW]))
    conversation.unread_count += 1
    if conversation.status == "closed":
        conversation.status = "open"
        changed.append("status")
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
    record_updated(session, conversation, changed)
    if kind == "text" and shown:
        asked = contacts.classify_inbound(session, company_id=company, text=shown)
        if asked is not None:
            consent.keyword_reply(session, contact=contact, channel="whatsapp", asked=asked, text=shown, at=at)


def _copy_media(
    session: Session, connection: ChannelConnection, media: Media, media_id: str, message_id: uuid.UUID
) -> dict[str, Any]:
    """Copy an inbound file from Meta (its URL lives 5 minutes) to our object store. A transient failure
    retries the whole body (the message is inserted once anyway); a permanent one is recorded."""
    token = connections.credentials(session, media.keys, connection).access_token
    try:
        info = media.graph.media_info(media_id, token=token)
        data = media.graph.download_media(str(info["url"]), token=token)
    except GraphTransientError:
        raise
    except GraphError as error:
        return {"error": str(error)[:300]}
    key = f"media/{connection.company_id}/{message_id}"  # under the bucket lifecycle rule of media/
    size = media.store.put(key, io.BytesIO(data))
    return {"key": key, "mime_type": info.get("mime_type"), "size": size, "sha256": hashlib.sha256(data).hexdigest()}


def _status(session: Session, connection: ChannelConnection, status: dict[str, Any], result: Result) -> None:
    new = str(status["status"])
    if new not in STATUS_RANK:
        logger.info("unknown message status ignored", extra={"status": new})
        return
    found = session.scalars(
        select(Message)
        .where(Message.connection_id == connection.id, Message.wamid == str(status["id"]))
        .with_for_update()
    ).first()
    if found is None:
        logger.info("status for a message we do not know", extra={"status": new})
        return
    result.statuses += 1
    if status.get("pricing"):
        found.pricing = status["pricing"]
    if STATUS_RANK[new] <= STATUS_RANK.get(found.status, -1):
        return  # late or repeated: statuses only move forward
    found.status, found.status_at = new, _time(status["timestamp"])
    if status.get("errors"):
        found.errors = status["errors"]
    record_event(
        session,
        company_id=connection.company_id,
        type=EventType.MESSAGE_STATUS,
        data={
            "message_id": str(found.id),
            "conversation_id": str(found.conversation_id),
            "status": new,
            "error_code": (status.get("errors") or [{}])[0].get("code"),
        },
    )


def _template_update(
    session: Session, connection: ChannelConnection, field_name: str, value: dict[str, Any], result: Result
) -> None:
    template = session.scalars(
        select(WhatsAppTemplate).where(
            WhatsAppTemplate.connection_id == connection.id,
            WhatsAppTemplate.meta_id == str(value.get("message_template_id")),
        )
    ).first()
    if template is None:
        return  # not mirrored yet: the next sync brings it
    if field_name == "message_template_status_update":
        template.status = str(value.get("event") or template.status)[:32]
        reason = value.get("reason")
        template.rejected_reason = str(reason)[:200] if reason and reason != "NONE" else None
    else:
        template.quality = str(value.get("new_quality_score") or template.quality)[:16]
    result.updates += 1
