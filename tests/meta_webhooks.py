"""Meta's webhook bodies (the spec's examples and the payloads beside them, tests/fixtures/meta) and how
Meta signs and posts them to a connection's URL (an API Gateway v2 event for the webhook function)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

from functions.local.sandbox.spec import SPEC_DIR

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "meta"
WEBHOOK_BODIES = sorted(
    [
        *(SPEC_DIR / "examples" / "webhooks" / "post_request").glob("*.json"),
        *(p for p in (FIXTURES / "payloads" / "meta-docs-examples").glob("*.json") if "graph_error" not in p.name),
        *(FIXTURES / "payloads" / "whatsapp-business-java-api" / "deserialization").glob("*.json"),
    ]
)


def sign(raw: bytes, app_secret: str) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), raw, hashlib.sha256).hexdigest()


def webhook_event(
    method: str,
    key: str,
    *,
    raw: bytes = b"",
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    base64_body: bool = True,
) -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": f"{method} /webhooks/meta/{{key}}",
        "rawPath": f"/webhooks/meta/{key}",
        "rawQueryString": "&".join(f"{k}={v}" for k, v in (query or {}).items()),
        "headers": {"content-type": "application/json", **(headers or {})},
        "queryStringParameters": query,
        "pathParameters": {"key": key},
        "requestContext": {"http": {"method": method, "path": f"/webhooks/meta/{key}", "sourceIp": "173.252.1.1"}},
        "body": base64.b64encode(raw).decode() if base64_body else raw.decode(),
        "isBase64Encoded": base64_body,
    }


def phone_number_ids(raw: bytes) -> set[str]:
    """The phone number ids a body's changes are about (empty for invalid JSON or account-level events)."""
    try:
        body = json.loads(raw)
    except ValueError:
        return set()
    return {
        str(change["value"]["metadata"]["phone_number_id"])
        for entry in body.get("entry", [])
        for change in entry.get("changes", [])
        if "metadata" in change.get("value", {})
    }


# Bodies built from the spec's examples: Meta's envelope around one change, and the message objects the
# spec does not show (edit, revoke) or shows only in part (calls), in the shape Meta documents them.
EXAMPLES = SPEC_DIR / "examples" / "webhooks" / "post_request"


def change_body(field: str, value: dict[str, Any], *, phone_number_id: str = "106540352242922") -> bytes:
    """One change of ``field`` for ``phone_number_id``, in the envelope of the spec's text message example."""
    body = json.loads((EXAMPLES / "text_message.json").read_bytes())
    entry = body["entry"][0]
    metadata = {**entry["changes"][0]["value"]["metadata"], "phone_number_id": phone_number_id}
    entry["changes"] = [{"field": field, "value": {"messaging_product": "whatsapp", "metadata": metadata, **value}}]
    return json.dumps(body).encode()


def messages_value(sender: str, *messages: dict[str, Any], name: str = "Sheena Nelson") -> dict[str, Any]:
    """The ``value`` of a ``messages`` change: ``messages`` from ``sender`` (a wa_id), with its contact."""
    return {"contacts": [{"profile": {"name": name}, "wa_id": sender}], "messages": list(messages)}


def message(sender: str, wamid: str, at: int, kind: str, body: Any) -> dict[str, Any]:
    return {"from": sender, "id": wamid, "timestamp": str(at), "type": kind, kind: body}


def edit(sender: str, wamid: str, at: int, original: str, *, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    """The contact edited ``original``: its new content (a text's body, a media's caption or file)."""
    return message(sender, wamid, at, "edit", {"original_message_id": original, "message": {"type": kind, kind: body}})


def revoke(sender: str, wamid: str, at: int, original: str) -> dict[str, Any]:
    """The contact deleted ``original`` for everyone."""
    return message(sender, wamid, at, "revoke", {"original_message_id": original})


def reaction(sender: str, wamid: str, at: int, target: str, emoji: str | None) -> dict[str, Any]:
    """A reaction to ``target`` (no emoji: the reaction taken back), as in the spec's reaction example."""
    return message(sender, wamid, at, "reaction", {"message_id": target, **({"emoji": emoji} if emoji else {})})


def call(sender: str, call_id: str, at: int, event: str, **facts: Any) -> dict[str, Any]:
    """One of a user-initiated call's events (``connect``, ``terminate`` with status, times and duration)."""
    business = "16315553601"
    return {
        "id": call_id, "from": sender, "to": business, "event": event, "timestamp": str(at),
        "direction": "USER_INITIATED", **facts,
    }  # fmt: skip


def calls_value(sender: str, *calls: dict[str, Any], name: str = "Sheena Nelson") -> dict[str, Any]:
    return {"contacts": [{"profile": {"name": name}, "wa_id": sender}], "calls": list(calls)}
