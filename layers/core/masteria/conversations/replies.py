"""Replies from the inbox: text, media (inside the provider's customer-service window: WhatsApp's 24 hours, SMS
has none) or a WhatsApp template (any time), sent through the one outbound path (``outbound.send``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.channels.models import ChannelConnection
from masteria.channels.providers.port import OutboundMessage, Outcome, Registry
from masteria.contacts.models import Contact
from masteria.contacts.service import get_contact
from masteria.conversations.models import Conversation, Message
from masteria.conversations.outbound import ReplyLedger
from masteria.conversations.schemas import MessageRead, Reply
from masteria.conversations.service import get_visible
from masteria.crypto import CompanyKeys
from masteria.db import Database
from masteria.errors import FieldError, Invalid
from masteria.outbound import send
from masteria.templates import whatsapp
from masteria.templates.models import WhatsAppTemplate
from masteria.templates.rendering import contact_values
from masteria.tenancy.service import Principal


def _outbound(
    *,
    session: Session,
    actor: Principal,
    conversation: Conversation,
    contact: Contact,
    data: Reply,
    reply_to: str | None,
) -> tuple[str, str | None, dict[str, Any], OutboundMessage]:
    """(the inbox's type, the inbox's text, the stored content, the message to send) of a reply."""
    to = contact.phone.removeprefix("+")
    context = {"context": {"message_id": reply_to}} if reply_to else {}
    if data.text is not None:
        message = OutboundMessage(to=to, kind="text", text=data.text, reply_to=reply_to)
        return "text", data.text, {"text": {"body": data.text}, **context}, message
    if data.media is not None:
        media = data.media
        shown = {"link": str(media.link), "caption": media.caption, "filename": media.filename}
        stored = {k: v for k, v in shown.items() if v is not None}
        message = OutboundMessage(
            to=to,
            kind="media",
            text=media.caption,
            media={"type": media.type, **{k: v for k, v in stored.items() if k != "caption"}},
            reply_to=reply_to,
        )
        return media.type, media.caption, {media.type: stored, **context}, message
    assert data.template_id is not None
    template = session.get(WhatsAppTemplate, data.template_id)
    if template is None or template.connection_id != conversation.connection_id:
        raise Invalid(
            "unknown template",
            [FieldError("template_id", "not a template of this conversation's number", code="unknown_template")],
        )
    if template.status != "APPROVED":
        raise Invalid(
            "the template is not approved",
            [
                FieldError(
                    "template_id",
                    f"its status is {template.status}",
                    code="template_status",
                    params={"status": template.status},
                )
            ],
        )
    values = contact_values(get_contact(session=session, actor=actor, contact_id=contact.id).model_dump())
    filled = whatsapp.fill(template, values)
    sent: dict[str, Any] = {
        "name": template.name,
        "language": template.language,
        "components": list(filled.send_components),
    }
    message = OutboundMessage(to=to, kind="template", template=sent, reply_to=reply_to)
    shown_template: dict[str, Any] = {
        "name": template.name,
        "language": {"code": template.language},
        "components": sent["components"],
    }
    return "template", filled.body, {"template": shown_template, **context}, message


def recent_replies(
    session: Session, conversation_id: uuid.UUID, now: datetime
) -> Callable[[timedelta], list[datetime]]:
    """The times of the conversation's replies within a span before ``now`` (the pair rate's history)."""

    def within(span: timedelta) -> list[datetime]:
        return list(
            session.scalars(
                select(Message.sent_at).where(
                    Message.conversation_id == conversation_id,
                    Message.direction == "out",
                    Message.sent_at > now - span,
                )
            )
        )

    return within


def reply(
    *,
    session: Session,
    actor: Principal,
    db: Database,
    keys: CompanyKeys,
    providers: Registry,
    conversation_id: uuid.UUID,
    data: Reply,
    now: datetime,
) -> MessageRead:
    """Send text, media (inside the provider's customer-service window) or a template (any time) to the
    conversation's contact, through the one outbound path (``outbound.send``): admitted first (422 before
    anything is written), then claimed, sent at the number's next free slot and recorded, one request at most."""
    conversation = get_visible(session, actor, conversation_id)
    chosen = [name for name in ("text", "media", "template_id") if getattr(data, name) is not None]
    if len(chosen) != 1:
        raise Invalid(
            "send one thing", [FieldError("text", "give exactly one of text, media or template_id", code="one_content")]
        )
    reply_to = None
    if data.reply_to is not None:
        quoted = session.get(Message, data.reply_to)
        if quoted is None or quoted.conversation_id != conversation.id:
            raise Invalid(
                "unknown message",
                [FieldError("reply_to", "not a message of this conversation", code="unknown_message")],
            )
        reply_to = quoted.wamid
    contact = session.get_one(Contact, conversation.contact_id)
    connection = session.get_one(ChannelConnection, conversation.connection_id)
    path = send.route(session, keys, providers, connection)
    recipient = send.Recipient(
        phone=contact.phone.removeprefix("+"), contact_id=contact.id, last_inbound_at=conversation.last_inbound_at
    )
    kind, shown, content, message = _outbound(
        session=session, actor=actor, conversation=conversation, contact=contact, data=data, reply_to=reply_to
    )

    def admit(on: Session) -> None:
        recent = recent_replies(on, conversation.id, now)
        send.admit(on, path, recipient, message, origin=send.Origin.INBOX, now=now, recent_sends=recent)

    admit(session)  # a refusal before anything is written
    ledger = ReplyLedger(
        company_id=conversation.company_id,
        connection_id=conversation.connection_id,
        conversation_id=conversation.id,
        contact_id=contact.id,
        admit=admit,  # again under the conversation's lock, as the reply is claimed
        kind=kind,
        text=shown,
        content=content,
        reply_to_wamid=reply_to,
        now=now,
    )
    outcome = send.deliver(db, path, message, ledger, origin=send.Origin.INBOX)
    if outcome.category not in (Outcome.SENT, Outcome.UNKNOWN):
        raise send.refusal(path, outcome)
    row = session.scalars(
        select(Message).where(Message.id == ledger.message_id).execution_options(populate_existing=True)
    ).one()
    return MessageRead.model_validate(row)
