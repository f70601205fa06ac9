"""Correlation ids: accepted from the caller (or made), returned in a header, added to every log line."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Awaitable, Callable
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from masteria.observability import log_context, logger

HEADER = "x-correlation-id"
_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)


# Answers an unexpected error (it has been raised, the response has not started): a 500 problem+json.
ErrorAnswer = Callable[[Scope, Receive, Send, Exception], Awaitable[None]]


class CorrelationIdMiddleware:
    """Sets the correlation id for the request, logs one line for it, and answers an unexpected error itself
    (inside the id's context, so its 500 body and log line carry the id: Starlette's outermost error handler
    would run after the id is gone)."""

    def __init__(self, app: ASGIApp, on_error: ErrorAnswer | None = None) -> None:
        self.app = app
        self.on_error = on_error

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
                try:
                    await self.app(scope, receive, send_with_header)
                except Exception as error:
                    if status or self.on_error is None:
                        raise  # the response has started: nothing else can be said
                    await self.on_error(scope, receive, send_with_header, error)
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
