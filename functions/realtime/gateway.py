"""API Gateway WebSocket events in, responses out: the shape shared by the realtime handlers."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from masteria.realtime.frames import SUBPROTOCOL


@dataclass(frozen=True)
class WebSocketRequest:
    connection_id: str
    route_key: str
    body: str | bytes | None
    token: str | None  # ?token=, or the entry of Sec-WebSocket-Protocol next to masteria.v1
    subprotocol: str | None  # masteria.v1 when the client offered it: $connect must answer with it


def parse(event: dict[str, Any]) -> WebSocketRequest:
    context = event.get("requestContext") or {}
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    offered = [p.strip() for p in headers.get("sec-websocket-protocol", "").split(",") if p.strip()]
    token = (event.get("queryStringParameters") or {}).get("token")
    if not token:
        token = next((p for p in offered if p != SUBPROTOCOL), None)
    body: str | bytes | None = event.get("body")
    if body is not None and event.get("isBase64Encoded"):
        try:
            body = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            body = b""
    return WebSocketRequest(
        connection_id=str(context.get("connectionId") or ""),
        route_key=str(context.get("routeKey") or ""),
        body=body,
        token=token or None,
        subprotocol=SUBPROTOCOL if SUBPROTOCOL in offered else None,
    )


def accepted(subprotocol: str | None = None, body: str | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {"statusCode": 200}
    if subprotocol:
        response["headers"] = {"Sec-WebSocket-Protocol": subprotocol}
    if body is not None:
        response["body"] = body
    return response


def refused(status: int) -> dict[str, Any]:
    return {"statusCode": status}
