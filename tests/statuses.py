"""The statuses the API answered in this test session, checked against its OpenAPI document at the end: a status
a route gives that the document does not list fails the session (functions/api/error_docs.py)."""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

OBSERVED: set[tuple[str, str, int]] = set()  # (method, route template, status)


class StatusRecorder:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        answered: list[int] = []

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                answered.append(message["status"])
            await send(message)

        await self.app(scope, receive, sending)
        route = scope.get("route")
        if route is not None and answered:
            OBSERVED.add((scope["method"], route.path_format, answered[0]))


def undocumented(document: dict[str, Any]) -> list[str]:
    """The observed statuses the document does not list for their operation (500s are bugs, never a contract)."""
    missing = []
    for method, path, status in sorted(OBSERVED):
        operation = document["paths"].get(path, {}).get(method.lower())
        if operation is None or status == 500:  # a route kept out of the document (docs, health probes)
            continue
        if str(status) not in operation.get("responses", {}):
            missing.append(f"{method} {path} answered {status}")
    return missing
