"""Request body limits on the local runtime, as API Gateway has them on AWS: a body larger than its route allows
is a 413 before it is read (from ``Content-Length``), or as soon as it grows past the limit (a chunked body)."""

from __future__ import annotations

import re
from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from masteria.contacts.imports import MAX_BYTES as IMPORT_MAX_BYTES

API_GATEWAY_MAX_BYTES = 10 * 1024 * 1024  # an HTTP API's payload limit
SANDBOX_MAX_BYTES = 150 * 1024 * 1024  # Meta's media limit (100 MB) as base64 in the sandbox's JSON
_IMPORT_FILE = re.compile(r"^/v1/contacts/imports/[^/]+/file$")  # local only: on AWS the file goes to S3


def body_limit(method: str, path: str) -> int:
    """The most bytes a request body may have on ``method path``."""
    if method == "PUT" and _IMPORT_FILE.match(path):
        return IMPORT_MAX_BYTES + 1  # one byte more, so the import itself says the file is too large
    if path.startswith("/sandbox/"):
        return SANDBOX_MAX_BYTES
    return API_GATEWAY_MAX_BYTES


def _too_large(limit: int) -> HTTPException:
    return HTTPException(413, f"the request body is larger than this route takes ({limit // (1024 * 1024)} MB at most)")


class BodyLimitMiddleware:
    """Refuse over-limit bodies: the app sees a 413 (a problem+json from its own handler) on its first read."""

    def __init__(self, app: ASGIApp, limit_of: Callable[[str, str], int] = body_limit) -> None:
        self.app = app
        self.limit_of = limit_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_of(scope["method"], scope["path"])
        declared = dict(scope["headers"]).get(b"content-length", b"").decode("latin-1")
        over = declared != "" and (not declared.isdigit() or int(declared) > limit)
        received = 0

        async def limited() -> Message:
            nonlocal received
            if over:
                raise _too_large(limit)  # before reading a byte of it
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _too_large(limit)
            return message

        await self.app(scope, limited, send)
