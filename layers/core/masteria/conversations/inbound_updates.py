"""Inbound messages that change another message: an edit (its text or media, with the edit time), a
deletion (``revoke``) and a reaction (an empty one removes the sender's). None adds a message or an unread;
one for a message we do not know yet is kept and applied when it appears (``inbound_pending``). Each is an
``InboundMessage`` whose ``about`` is the provider's id of the message it changes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.channels.models import ChannelConnection
from masteria.channels.providers.port import InboundMessage
from masteria.contacts.models import Contact
from masteria.conversations.events import record_message_updated
from masteria.conversations.inbound_common import Result, Unprocessable, keep_pending, media_copy
from masteria.conversations.models import Message
from masteria.observability import logger

KINDS = ("edit", "revoke", "reaction")
_PREVIOUS = 10  # earlier versions of an edited message kept on it


def received(session: Session, connection: ChannelConnection, message: InboundMessage, result: Result) -> None:
    """An edit, deletion or reaction from a contact: applied to its message, or kept until it appears."""
    if message.about is None:
        raise Unprocessable(f"a {message.kind} message without the id of the message it is about")
    found = session.scalars(
        select(Message).where(Message.connection_id == connection.id, Message.wamid == message.about).with_for_update()
    ).first()
    if found is None:
        keep_pending(session, connection, message.about, message.kind, message.model_dump(mode="json"))
        result.pending += 1
        return
    apply_to(session, found, message, result)


def apply_to(session: Session, found: Message, message: InboundMessage, result: Result) -> None:
    """Apply an edit, deletion or reaction to ``found`` (locked) if its sender may: a contact edits or
    deletes only what it sent, and reacts only in its own conversation."""
    kind = message.kind
    contact = session.get_one(Contact, found.contact_id)
    if contact.phone != f"+{message.sender}" or (kind != "reaction" and found.direction != "in"):
        logger.warning("a message change from someone else than its sender ignored", extra={"kind": kind})
        return
    at = message.sent_at
    result.updates += 1
    if kind == "edit":
        _edit(session, found, message, result)
    elif kind == "revoke":
        if found.deleted_at is None:
            found.deleted_at = at
            record_message_updated(session, found, ["deleted_at"])
    else:
        _react(session, found, message, at)


def _edit(session: Session, found: Message, message: InboundMessage, result: Result) -> None:
    at = message.sent_at
    if found.edited_at is not None and at <= found.edited_at:
        return  # an older edit than the one shown
    new_kind = message.new_kind or found.type  # an edit that does not say its type keeps the message's
    old = found.content
    content = dict(message.raw)
    stored = old.get("stored") or {}
    if message.media_id and stored.get("media_id") == message.media_id:
        content["stored"] = stored  # the same file: a new caption
    was = {"type": found.type, "text": found.text, "at": (found.edited_at or found.sent_at).isoformat()}
    previous = [*(old.get("previous") or []), was]
    content = {**content, "previous": previous[-_PREVIOUS:], "edit": {"wamid": message.message_id}}
    found.type, found.text, found.content, found.edited_at = new_kind[:32], message.text, content, at
    copy = media_copy(found, message.media_id, version=len(previous))
    if copy is not None:
        result.media.append(copy)
    record_message_updated(session, found, ["type", "text", "content", "edited_at"])


def _react(session: Session, found: Message, message: InboundMessage, at: datetime) -> None:
    sender = message.sender
    emoji = message.text or None
    mine = next((r for r in found.reactions if r.get("by") == sender), None)
    if mine is not None and str(mine.get("at", "")) > at.isoformat():
        return  # an older reaction than the one recorded
    # an empty emoji removes the reaction; its time stays, so a late older reaction does not come back
    new = {"by": sender, "emoji": str(emoji)[:32] if emoji else None, "at": at.isoformat()}
    if mine == new:
        return  # a redelivery
    found.reactions = [*(r for r in found.reactions if r.get("by") != sender), new]
    record_message_updated(session, found, ["reactions"])
