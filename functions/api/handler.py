"""Lambda entry point of the REST API (API Gateway HTTP API → Mangum → FastAPI)."""

from __future__ import annotations

from mangum import Mangum
from mangum.adapter import DEFAULT_TEXT_MIME_TYPES

from functions.api.app import create_app
from functions.api.errors import PROBLEM_JSON

handler = Mangum(create_app(), lifespan="off", text_mime_types=[*DEFAULT_TEXT_MIME_TYPES, PROBLEM_JSON])
