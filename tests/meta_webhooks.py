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
