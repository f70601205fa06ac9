"""Meta's webhook bodies (META.md §2.4) as the port's typed events, in the body's order: per change, its
messages, then its statuses, then Meta's errors; a call's events; the account-level changes with the time of
their entry (Meta's time of the event, the same on every retry).

- A message of any type is normalized: ``kind``, a ``text`` for the inbox (the body, caption, button or list
  title, location name…) and ``raw`` (Meta's object for that type, plus context and referral); an edit,
  deletion (``revoke``) or reaction names the message it is ``about``.
- A body that is not what Meta sends (``shapes``) is a ``ValueError`` saying where."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from masteria.channels.providers.meta_cloud import shapes
from masteria.channels.providers.port import AccountEvent, Call, InboundEvent, InboundMessage, StatusUpdate
from masteria.observability import logger

MEDIA_TYPES = ("image", "audio", "video", "document", "sticker")
UPDATES = ("edit", "revoke", "reaction")  # about another message: never a message of its own
# The account-level fields, kept as they came (``AccountEvent.kind`` is the field, ``data`` its value).
ACCOUNT_FIELDS = (
    "message_template_status_update",
    "message_template_quality_update",
    "template_category_update",
    "message_template_components_update",
    "user_preferences",
    "account_update",
)
# Meta's system messages that say the contact's WhatsApp number changed (``system.wa_id``: the new one)
NUMBER_CHANGED = ("user_changed_number", "customer_changed_number")
STATUSES = ("accepted", "sent", "delivered", "read", "played", "failed")
TIME_MAX = 253_402_300_799  # 9999-12-31T23:59:59Z, the last second a datetime holds


def parse(raw: bytes) -> list[InboundEvent]:
    try:
        payload = json.loads(raw)
    except ValueError as error:
        raise ValueError(f"not JSON: {error}") from error
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        raise ValueError("not a WhatsApp Business Account webhook")
    _checked(shapes.Body, payload)
    events: list[InboundEvent] = []
    for entry in payload["entry"]:
        for change in entry.get("changes") or []:
            events += _change(change, entry.get("time"))
    return events


def _checked(model: type[BaseModel], data: Any) -> None:
    try:
        model.model_validate(data)
    except ValidationError as error:
        raise ValueError(f"not as Meta sends it: {shapes.problem(error)}") from error


def _time(value: Any) -> datetime:
    return datetime.fromtimestamp(int(value), UTC)


def entry_time(value: Any) -> datetime | None:
    """The ``time`` of a webhook entry (unix seconds), None where Meta gave none; bad input otherwise."""
    if value is None:
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= TIME_MAX:
        raise ValueError("entry.time: not a unix time in seconds")
    return datetime.fromtimestamp(value, UTC)


def _change(change: dict[str, Any], entry_at: Any) -> list[InboundEvent]:
    field, value = str(change.get("field")), change.get("value") or {}
    number = (value.get("metadata") or {}).get("phone_number_id")
    number_id = str(number) if number is not None else None
    if field == "messages":
        return _messages(value, number_id)
    if field == "calls":
        return _calls(value, number_id)
    if field in ACCOUNT_FIELDS:
        return [AccountEvent(number_id=number_id, kind=field, at=entry_time(entry_at), data=value)]
    if field == "phone_number_quality_update":
        entry_time(entry_at)
        limit = value.get("max_daily_conversations_per_business") or value.get("current_limit")
        data = {
            "messaging_limit": str(limit)[:32] if limit else None,
            "throughput_level": "HIGH" if value.get("event") == "THROUGHPUT_UPGRADE" else None,
        }
        return [AccountEvent(number_id=number_id, kind="number_limits", at=entry_time(entry_at), data=data)]
    logger.info("meta webhook field ignored", extra={"field": field})
    return []


def _names(value: dict[str, Any]) -> dict[Any, Any]:
    return {c.get("wa_id"): (c.get("profile") or {}).get("name") for c in value.get("contacts") or []}


def _messages(value: dict[str, Any], number_id: str | None) -> list[InboundEvent]:
    _checked(shapes.MessagesValue, value)
    names = _names(value)
    events: list[InboundEvent] = [_message(m, names.get(m.get("from")), number_id) for m in value.get("messages") or []]
    for status in value.get("statuses") or []:
        if str(status["status"]) not in STATUSES:
            logger.info("unknown message status ignored", extra={"status": str(status["status"])[:32]})
            continue
        events.append(_status(status, number_id))
    for error in value.get("errors") or []:
        code, title = error.get("code"), str(error.get("title") or error.get("message") or "an error")[:200]
        details = str((error.get("error_data") or {}).get("details") or error.get("message") or "")[:500]
        data = {"code": code, "title": title, "details": details or None, "error": error}
        events.append(AccountEvent(number_id=number_id, kind="error", data=data))
    return events


def normalize(message: dict[str, Any]) -> tuple[str, str | None, dict[str, Any]]:
    """(kind, text for the inbox, content) of one of Meta's inbound message objects."""
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


def media_id(kind: str, content: dict[str, Any]) -> str | None:
    found = (content.get(kind) or {}).get("id") if kind in MEDIA_TYPES else None
    return str(found) if found else None


def _message(message: dict[str, Any], name: str | None, number_id: str | None) -> InboundMessage:
    base = {
        "number_id": number_id,
        "message_id": str(message["id"]),
        "sender": str(message["from"]),
        "sender_name": name,
        "sent_at": _time(message["timestamp"]),
    }
    kind = str(message.get("type") or "unsupported")
    if kind in UPDATES:
        return _update(message, kind, base)
    kind, shown, content = normalize(message)
    return InboundMessage(
        **base,
        kind=kind,
        text=shown,
        reply_to=(message.get("context") or {}).get("id"),
        media_id=media_id(kind, content),
        new_number=_new_number(message) if kind == "system" else None,
        errors=message.get("errors") or [],
        raw=content,
    )


def _new_number(message: dict[str, Any]) -> str | None:
    """The contact's new WhatsApp number, if ``message`` is Meta's notice that it changed."""
    system = message.get("system") or {}
    new = system.get("wa_id") or system.get("new_wa_id")
    if system.get("type") not in NUMBER_CHANGED or not isinstance(new, str) or not shapes.is_wa_id(new):
        return None
    return new


def _update(message: dict[str, Any], kind: str, base: dict[str, Any]) -> InboundMessage:
    """An edit (the new content; its type may be left out: the message keeps its own), a deletion, a reaction."""
    body = message.get(kind)
    if not isinstance(body, dict):
        raise ValueError(f"a {kind} message without its {kind} object")
    about = body.get("message_id") if kind == "reaction" else body.get("original_message_id", body.get("message_id"))
    if not isinstance(about, str) or not 0 < len(about) <= shapes.MESSAGE_ID_MAX:
        raise ValueError(f"a {kind} message without the id of the message it is about")
    if kind == "reaction":
        emoji = body.get("emoji") or None
        return InboundMessage(**base, kind=kind, about=about, text=str(emoji)[:32] if emoji else None)
    if kind == "revoke":
        return InboundMessage(**base, kind=kind, about=about)
    found = body.get("message")
    inner = {k: v for k, v in (found if isinstance(found, dict) else body).items() if k != "original_message_id"}
    new_kind = inner.get("type") or next(
        (k for k, v in inner.items() if isinstance(v, dict) and k not in ("context", "referral")), None
    )
    if new_kind is None:  # nothing of the new content: the message as it is
        return InboundMessage(**base, kind=kind, about=about, raw={})
    normalized, shown, content = normalize({**inner, "type": new_kind})
    return InboundMessage(
        **base,
        kind=kind,
        about=about,
        new_kind=normalized,
        text=shown,
        media_id=media_id(normalized, content),
        raw=content,
    )


def _status(status: dict[str, Any], number_id: str | None) -> StatusUpdate:
    errors = status.get("errors") or []
    first = errors[0] if errors and isinstance(errors[0], dict) else {}
    code = first.get("code")
    return StatusUpdate(
        number_id=number_id,
        message_id=str(status["id"]),
        status=status["status"],
        at=_time(status["timestamp"]),
        recipient=status.get("recipient_id"),
        error_code=code if isinstance(code, int) and not isinstance(code, bool) else None,
        error_title=str(first.get("title") or first.get("message") or "")[:300] or None,
        opaque=status.get("biz_opaque_callback_data"),
        errors=errors,
        pricing=status.get("pricing") or None,
        raw=status,
    )


def _calls(value: dict[str, Any], number_id: str | None) -> list[InboundEvent]:
    _checked(shapes.CallsValue, value)
    names = _names(value)
    events: list[InboundEvent] = []
    for call in value.get("calls") or []:
        found = _call(call, names)
        events.append(AccountEvent(number_id=number_id, kind="call", at=found.at, data=found.model_dump(mode="json")))
    if value.get("statuses"):
        logger.info("call statuses ignored (we do not place calls)")
    return events


def _call(call: dict[str, Any], names: dict[Any, Any]) -> Call:
    """A call ringing when it connects, then answered (with its duration) or missed when it ends."""
    user = str(call.get("direction") or "USER_INITIATED").upper() != "BUSINESS_INITIATED"
    wa_id = call.get("from") if user else call.get("to")
    if not wa_id:
        raise ValueError("a call without the contact's number")
    found: dict[str, Any] = {
        "id": str(call["id"]),
        "contact": str(wa_id),
        "contact_name": names.get(wa_id),
        "direction": "user_initiated" if user else "business_initiated",
        "at": _time(call.get("start_time") or call["timestamp"]),
    }
    if str(call.get("event") or "").lower() != "terminate":
        return Call(**found, status="ringing")
    raw = call.get("status")
    meta_status = str((raw[0] if raw else "") if isinstance(raw, list) else raw or "").upper()
    duration = int(call.get("duration") or 0)
    answered = duration > 0 or meta_status == "COMPLETED"
    return Call(
        **found,
        status="answered" if answered else "missed",
        duration=duration if answered else 0,
        started_at=_time(call["start_time"]) if call.get("start_time") else None,
        ended_at=_time(call["end_time"] if call.get("end_time") else call["timestamp"]),
        provider_status=meta_status or None,
    )
