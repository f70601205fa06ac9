"""The REST API: one FastAPI app, served by Mangum on Lambda and by uvicorn on the local runtime."""

from __future__ import annotations

from fastapi import Depends, FastAPI

from functions.api import docs, error_docs, errors
from functions.api.middleware import CorrelationIdMiddleware
from functions.api.routers import (
    ai,
    appointments,
    auth,
    automations,
    cadences,
    campaigns,
    connections,
    contacts,
    conversation_ai,
    groups,
    health,
    imports,
    inbox,
    knowledge,
    leads,
    media,
    notifications,
    personas,
    pipelines,
    realtime,
    sms,
    templates,
    uploads,
    users,
    webhooks,
    whatsapp_templates,
)

DESCRIPTION = """Master IA's REST API. Authenticate with `POST /v1/auth/login` and send
`Authorization: Bearer <access_token>`. Errors are RFC 9457 `application/problem+json`.
Lists are cursor-paginated: pass `next_cursor` back as `cursor`. Browsers keep the refresh token in an HttpOnly
cookie instead of JSON: send `X-Refresh-Cookie: 1` (and their `Origin`) to the `/v1/auth` routes."""


def create_app() -> FastAPI:
    app = FastAPI(
        title="Master IA API",
        version="0.1.0",
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,  # functions/api/docs.py: Swagger UI from the app's own files
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        dependencies=[Depends(errors.refuse_nul_characters)],
    )
    errors.install(app)
    error_docs.install(app)
    app.add_middleware(CorrelationIdMiddleware, on_error=errors.answer_unexpected)
    routers = (
        docs, health, auth, users, groups, imports, contacts, templates, connections, whatsapp_templates, webhooks,
        notifications, inbox, conversation_ai, media, campaigns, cadences, automations, realtime, sms, pipelines,
        leads, appointments, ai, personas, knowledge, uploads,
    )  # fmt: skip
    for module in routers:  # literal paths before {ids}
        app.include_router(module.router)
    return app
