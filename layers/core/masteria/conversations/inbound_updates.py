"""Inbound messages that change another message: an edit (its text or media, with the edit time), a
deletion (Meta's ``revoke``) and a reaction (an empty one removes the sender's). None adds a message or
an unread; one for a message we do not know yet is kept and applied when it appears (``inbound_pending``).

Meta's shapes: ``{"type": "edit", "edit": {"original_message_id": …, "message": {<a message: type and
its object>}}}``, ``{"type": "revoke", "revoke": {"original_message_id": …}}`` and ``{"type":
"reaction", "reaction": {"message_id": …, "emoji": …}}``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.channels.models import ChannelConnection
from masteria.channels.providers.meta_cloud import shapes
from masteria.contacts.models import Contact
from masteria.conversations.events import record_message_updated
from masteria.conversations.inbound_common import (
    MEDIA_TYPES,
    Result,
    Unprocessable,
    keep_pending,
    media_copy,
    normalize,
    time,
)
from masteria.conversations.models import Message
from masteria.observability import logger

KINDS = ("edit", "revoke", "reaction")
_PREVIOUS = 10  # earlier versions of an edited message kept on it


def target_of(message: dict[str, Any]) -> str:
    """The wamid of the message an edit, deletion or reaction is about."""
    kind = str(message.get("type"))
    body = message.get(kind)
    if not isinstance(body, dict):
        raise Unprocessable(f"a {kind} message without its {kind} object")
    found = body.get("message_id") if kind == "reaction" else body.get("original_message_id", body.get("message_id"))
    if not isinstance(found, str) or not 0 < len(found) <= shapes.MESSAGE_ID_MAX:
        raise Unprocessable(f"a {kind} message without the id of the message it is about")
    return found


def received(session: Session, connection: ChannelConnection, message: dict[str, Any], result: Result) -> None:
    """An edit, deletion or reaction from a contact: applied to its message, or kept until it appears."""
    wamid = target_of(message)
    found = session.scalars(
        select(Message).where(Message.connection_id == connection.id, Message.wamid == wamid).with_for_update()
    ).first()
    if found is None:
        keep_pending(session, connection, wamid, str(message["type"]), message)
        result.pending += 1
        return
    apply_to(session, found, message, result)


def apply_to(session: Session, found: Message, message: dict[str, Any], result: Result) -> None:
    """Apply an edit, deletion or reaction to ``found`` (locked) if its sender may: a contact edits or
    deletes only what it sent, and reacts only in its own conversation."""
    kind = str(message["type"])
    contact = session.get_one(Contact, found.contact_id)
    if contact.phone != f"+{message['from']}" or (kind != "reaction" and found.direction != "in"):
        logger.warning("a message change from someone else than its sender ignored", extra={"kind": kind})
        return
    at = time(message["timestamp"])
    result.updates += 1
    if kind == "edit":
        _edit(session, found, message, at, result)
    elif kind == "revoke":
        if found.deleted_at is None:
            found.deleted_at = at
            record_message_updated(session, found, ["deleted_at"])
    else:
        _react(session, found, message, at)


def _edit(session: Session, found: Message, message: dict[str, Any], at: Any, result: Result) -> None:
    if found.edited_at is not None and at <= found.edited_at:
        return  # an older edit than the one shown
    edit = message["edit"]
    inner = edit.get("message") if isinstance(edit.get("message"), dict) else edit
    inner = {"type": found.type, **{k: v for k, v in inner.items() if k != "original_message_id"}}
    new_kind, shown, content = normalize(inner)  # an edit that does not say its type keeps the message's
    old = found.content
    if new_kind in MEDIA_TYPES and (content.get(new_kind) or {}).get("id") == (old.get(found.type) or {}).get("id"):
        content = {**content, **({"stored": old["stored"]} if old.get("stored") else {})}  # same file: a caption
    was = {"type": found.type, "text": found.text, "at": (found.edited_at or found.sent_at).isoformat()}
    previous = [*(old.get("previous") or []), was]
    content = {**content, "previous": previous[-_PREVIOUS:], "edit": {"wamid": str(message["id"])}}
    found.type, found.text, found.content, found.edited_at = new_kind[:32], shown, content, at
    copy = media_copy(found, version=len(previous))
    if copy is not None:
        result.media.append(copy)
    record_message_updated(session, found, ["type", "text", "content", "edited_at"])


def _react(session: Session, found: Message, message: dict[str, Any], at: Any) -> None:
    sender = str(message["from"])
    emoji = (message.get("reaction") or {}).get("emoji") or None
    mine = next((r for r in found.reactions if r.get("by") == sender), None)
    if mine is not None and str(mine.get("at", "")) > at.isoformat():
        return  # an older reaction than the one recorded
    # an empty emoji removes the reaction; its time stays, so a late older reaction does not come back
    new = {"by": sender, "emoji": str(emoji)[:32] if emoji else None, "at": at.isoformat()}
    if mine == new:
        return  # a redelivery
    found.reactions = [*(r for r in found.reactions if r.get("by") != sender), new]
    record_message_updated(session, found, ["reactions"])
