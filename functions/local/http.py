"""The local runtime's HTTP server: the REST API (FastAPI) plus every other HTTP-triggered function of the
manifest (the Meta webhook), each called with the API Gateway v2 event it gets on AWS."""

from __future__ import annotations

import base64
from typing import Any

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from functions import manifest
from functions.api.app import create_app
from functions.local.lambda_context import invoke
from functions.local.sandbox.app import Sandbox
from functions.local.sandbox.app import router as sandbox_router


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


def local_app(sandbox: Sandbox | None = None) -> FastAPI:
    app = create_app()
    if sandbox is not None:
        app.include_router(sandbox_router(sandbox))
    for spec in manifest.FUNCTIONS:
        if not isinstance(spec.trigger, manifest.HttpTrigger) or spec.name == "api":
            continue
        for route in spec.trigger.routes:
            method, path = route.split(" ", 1)
            app.add_api_route(path, _endpoint(spec, route), methods=[method], include_in_schema=False)
    return app
