"""Correlation ids: accepted from the caller (or made), returned in a header, added to every log line."""

from __future__ import annotations

import re
import time
import uuid
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from masteria.observability import log_context, logger

HEADER = "x-correlation-id"
_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)


class CorrelationIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        supplied = dict(scope["headers"]).get(HEADER.encode(), b"").decode("latin-1")
        value = supplied if _VALID.match(supplied) else str(uuid.uuid4())
        token = correlation_id.set(value)
        started = time.perf_counter()
        status = 0

        async def send_with_header(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (HEADER.encode(), value.encode())]
            await send(message)

        try:
            with log_context(correlation_id=value):
                await self.app(scope, receive, send_with_header)
                logger.info(
                    "request",
                    extra={
                        "method": scope["method"],
                        # the route template, never the raw path (it may carry ids or phone numbers)
                        "route": getattr(scope.get("route"), "path", None) or ("unknown" if status == 404 else "other"),
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                        "company_id": scope.get("state", {}).get("company_id"),
                    },
                )
        finally:
            correlation_id.reset(token)
