"""Lambda entry point of the REST API (API Gateway HTTP API → Mangum → FastAPI)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from mangum import Mangum
from mangum.adapter import DEFAULT_TEXT_MIME_TYPES

from functions.api.app import create_app
from functions.api.errors import PROBLEM_JSON
from masteria.observability import logger

_asgi = Mangum(create_app(), lifespan="off", text_mime_types=[*DEFAULT_TEXT_MIME_TYPES, PROBLEM_JSON])


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response: dict[str, Any] = _asgi(event, context)  # type: ignore[arg-type]  # two typings of one context
    return response
