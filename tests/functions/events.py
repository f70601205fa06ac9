"""Realistic Lambda events (API Gateway HTTP API v2, EventBridge Scheduler) for handler tests."""

from __future__ import annotations

import base64
import json
from typing import Any


def http_api_event(
    method: str, path: str, *, body: Any = None, headers: dict[str, str] | None = None, base64_body: bool = False
) -> dict[str, Any]:
    raw = json.dumps(body).encode() if body is not None else b""
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json", "host": "api.example.com", **(headers or {})},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api",
            "domainName": "api.example.com",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7",
                "userAgent": "pytest",
            },
            "requestId": "req-1",
            "routeKey": "$default",
            "stage": "$default",
            "time": "25/Nov/2026:00:00:00 +0000",
            "timeEpoch": 1795564800000,
        },
        "body": base64.b64encode(raw).decode() if base64_body else raw.decode(),
        "isBase64Encoded": base64_body,
    }


class FakeContext:
    function_name = "test"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test"
    aws_request_id = "aws-req-1"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def websocket_event(
    route: str,
    connection_id: str = "L0SM9cOFvHcCIhw=",
    *,
    body: str | None = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """What API Gateway's WebSocket API sends a route's integration (headers and query on $connect only)."""
    kinds = {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}
    event: dict[str, Any] = {
        "requestContext": {
            "routeKey": route,
            "eventType": kinds.get(route, "MESSAGE"),
            "extendedRequestId": "L0SM9FyTIAMFzXg=",
            "requestTime": "25/Nov/2026:12:00:00 +0000",
            "messageDirection": "IN",
            "stage": "live",
            "connectedAt": 1795564800000,
            "requestTimeEpoch": 1795564800123,
            "identity": {"sourceIp": "203.0.113.7"},
            "requestId": "L0SM9FyTIAMFzXg=",
            "domainName": "abc123.execute-api.us-east-1.amazonaws.com",
            "connectionId": connection_id,
            "apiId": "abc123",
        },
        "isBase64Encoded": False,
    }
    if route == "$connect":
        event["headers"] = {
            "Host": "abc123.execute-api.us-east-1.amazonaws.com",
            "Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
            "Sec-WebSocket-Version": "13",
            "X-Forwarded-For": "203.0.113.7",
            **(headers or {}),
        }
        event["multiValueHeaders"] = {k: [v] for k, v in event["headers"].items()}
        event["queryStringParameters"] = query
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} if query else None
    if body is not None:
        event["body"] = body
    return event


def eventbridge_event(detail: dict[str, Any]) -> dict[str, Any]:
    """What an EventBridge rule delivers for a domain event (``detail`` as the outbox relay writes it)."""
    return {
        "version": "0",
        "id": detail["event_id"],
        "detail-type": detail["type"],
        "source": "masteria",
        "account": "123456789012",
        "time": detail["occurred_at"],
        "region": "us-east-1",
        "resources": [],
        "detail": detail,
    }
