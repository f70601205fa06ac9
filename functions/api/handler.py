"""Lambda entry point of the REST API (API Gateway HTTP API → Mangum → FastAPI)."""

from __future__ import annotations

from mangum import Mangum

from functions.api.app import create_app

handler = Mangum(create_app(), lifespan="off")
