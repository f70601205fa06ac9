"""The local runtime's HTTP server: the REST API (FastAPI) plus every other HTTP-triggered function of the
manifest (the Meta webhook), each called with the API Gateway v2 event it gets on AWS; and ``/ws``, the
WebSocket API, calling the manifest's ``$connect`` / ``$default`` / ``$disconnect`` functions with the events
API Gateway's WebSocket API sends them."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import secrets
import time
import uuid
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response, WebSocket
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocketDisconnect

from functions import manifest
from functions.api.app import create_app
from functions.local.lambda_context import invoke
from functions.local.limits import BodyLimitMiddleware
from functions.local.sandbox.ai import AiSandbox
from functions.local.sandbox.ai import router as ai_sandbox_router
from functions.local.sandbox.app import Sandbox
from functions.local.sandbox.app import router as sandbox_router
from functions.local.sandbox.sms import SmsSandbox
from functions.local.sandbox.sms import router as sms_sandbox_router
from functions.local.web import DEFAULT_DIST, mount_dashboard
from masteria import bootstrap
from masteria.adapters.local.realtime import LocalRealtime

WEBSOCKET_PATH = "/ws"
_POLICY_VIOLATION = 1008  # the close code of a refused connection


def gateway_event(request: Request, route: str, body: bytes) -> dict[str, Any]:
    """The HTTP API (payload format 2.0) event for ``request``, body base64-encoded as API Gateway may do."""
    return {
        "version": "2.0",
        "routeKey": route,
        "rawPath": request.url.path,
        "rawQueryString": request.url.query,
        "headers": {k.lower(): v for k, v in request.headers.items()},
        "queryStringParameters": dict(request.query_params) or None,
        "pathParameters": dict(request.path_params) or None,
        "requestContext": {
            "http": {
                "method": request.method,
                "path": request.url.path,
                "sourceIp": request.client.host if request.client else "127.0.0.1",
            },
            "routeKey": route,
            "stage": "$default",
        },
        "body": base64.b64encode(body).decode(),
        "isBase64Encoded": True,
    }


def _endpoint(spec: manifest.FunctionSpec, route: str) -> Any:
    async def call(request: Request) -> Response:
        event = gateway_event(request, route, await request.body())
        result = await run_in_threadpool(invoke, spec, event)
        body = result.get("body") or ""
        content = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
        return Response(content=content, status_code=result.get("statusCode", 200), headers=result.get("headers"))

    return call


def websocket_event(websocket: WebSocket, route: str, connection_id: str, *, body: str | None = None) -> dict[str, Any]:
    """The event API Gateway's WebSocket API sends for ``route`` (headers and query on ``$connect`` only)."""
    kinds = {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}
    event: dict[str, Any] = {
        "requestContext": {
            "routeKey": route,
            "eventType": kinds.get(route, "MESSAGE"),
            "connectionId": connection_id,
            "connectedAt": int(time.time() * 1000),
            "requestId": str(uuid.uuid4()),
            "domainName": websocket.url.hostname or "127.0.0.1",
            "stage": "local",
            "apiId": "local",
            "identity": {"sourceIp": websocket.client.host if websocket.client else "127.0.0.1"},
        },
        "isBase64Encoded": False,
    }
    if route == "$connect":
        event["headers"] = dict(websocket.headers.items())
        event["queryStringParameters"] = dict(websocket.query_params) or None
    if body is not None:
        event["body"] = body
    return event


async def _write(websocket: WebSocket, outbox: asyncio.Queue[str]) -> None:
    """The socket's only writer: replies and pushed frames, in the order they were queued."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
        while True:
            await websocket.send_text(await outbox.get())


def _websocket_endpoint(routes: dict[str, manifest.FunctionSpec]) -> Any:
    async def endpoint(websocket: WebSocket) -> None:
        connection_id = secrets.token_urlsafe(12)
        opening = websocket_event(websocket, "$connect", connection_id)
        result = await run_in_threadpool(invoke, routes["$connect"], opening)
        if (result or {}).get("statusCode") != 200:
            await websocket.close(code=_POLICY_VIOLATION)  # before accept: the handshake is answered 403
            return
        await websocket.accept(subprotocol=(result.get("headers") or {}).get("Sec-WebSocket-Protocol"))
        hub = bootstrap.container().realtime
        assert isinstance(hub, LocalRealtime), "the local runtime posts frames through LocalRealtime"
        outbox: asyncio.Queue[str] = asyncio.Queue()
        writer = asyncio.create_task(_write(websocket, outbox))
        hub.attach(connection_id, asyncio.get_running_loop(), outbox)
        try:
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    break
                body = message.get("text")
                if body is None:
                    body = (message.get("bytes") or b"").decode("utf-8", "replace")
                event = websocket_event(websocket, "$default", connection_id, body=body)
                reply = await run_in_threadpool(invoke, routes["$default"], event)
                if (reply or {}).get("body"):
                    outbox.put_nowait(reply["body"])
        finally:
            hub.detach(connection_id)
            writer.cancel()
            await run_in_threadpool(
                invoke, routes["$disconnect"], websocket_event(websocket, "$disconnect", connection_id)
            )

    return endpoint


def local_app(
    sandbox: Sandbox | None = None,
    *,
    sms_sandbox: SmsSandbox | None = None,
    ai_sandbox: AiSandbox | None = None,
    web_dist: Path | None = None,
) -> FastAPI:
    """The API, the sandboxes (WhatsApp's, SMS's, the AI's), the other HTTP functions and ``/ws``; the dashboard
    built in ``web_dist`` (default ``web/dist``) at ``/`` for whatever none of them answers."""
    app = create_app()
    # the SMS and AI sandboxes first: the WhatsApp sandbox's GET /sandbox/{version}/{node} would take their paths
    if sms_sandbox is not None:
        app.include_router(sms_sandbox_router(sms_sandbox))
    if ai_sandbox is not None:
        app.include_router(ai_sandbox_router(ai_sandbox))
    if sandbox is not None:
        app.include_router(sandbox_router(sandbox))
    routes = manifest.websocket_routes()
    if routes:
        app.add_api_websocket_route(WEBSOCKET_PATH, _websocket_endpoint(routes))
    for spec in manifest.FUNCTIONS:
        if not isinstance(spec.trigger, manifest.HttpTrigger) or spec.name == "api":
            continue
        for route in spec.trigger.routes:
            method, path = route.split(" ", 1)
            app.add_api_route(path, _endpoint(spec, route), methods=[method], include_in_schema=False)
    mount_dashboard(app, web_dist or DEFAULT_DIST)
    app.add_middleware(BodyLimitMiddleware)
    return app
