"""Errors → RFC 9457 problem+json, in one place. A 5xx never carries vendor or internal detail."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from functions.api.middleware import correlation_id
from masteria import errors
from masteria.observability import logger

PROBLEM_JSON = "application/problem+json"

STATUS: dict[type[errors.DomainError], int] = {
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.Invalid: 422,
    errors.Unauthorized: 401,
    errors.Forbidden: 403,
    errors.RateLimited: 429,
    errors.Transient: 503,
    errors.Permanent: 502,
}


def problem(
    request: Request,
    status: int,
    detail: str,
    *,
    title: str | None = None,
    field_errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "correlation_id": correlation_id.get(),
    }
    if field_errors is not None:
        body["errors"] = field_errors
    body.update(extra or {})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _status_of(error: errors.DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


async def domain_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, errors.DomainError)
    status = _status_of(error)
    headers: dict[str, str] = {}
    if isinstance(error, errors.RateLimited):
        headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, errors.Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    field_errors = None
    if isinstance(error, errors.Invalid):
        field_errors = [{"field": e.field, "message": e.message} for e in error.errors]
    detail = error.detail if status < 500 else "the service is temporarily unavailable; try again"
    return problem(
        request, status, detail, title=error.title, field_errors=field_errors, headers=headers, extra=error.extra
    )


async def validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    field_errors = []
    for item in error.errors():
        location = [str(part) for part in item.get("loc", ())]
        if location and location[0] == "body":
            location = location[1:]
        field_errors.append({"field": ".".join(location) or "body", "message": str(item.get("msg", "invalid"))})
    return problem(request, 422, "the request has invalid fields", field_errors=field_errors)


async def http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    headers = dict(error.headers) if error.headers else None
    detail = error.detail if isinstance(error.detail, str) else HTTPStatus(error.status_code).phrase
    return problem(request, error.status_code, detail, headers=headers)


async def unexpected_error(request: Request, error: Exception) -> JSONResponse:
    logger.exception("unhandled error", extra={"path": request.url.path, "error_type": type(error).__name__})
    return problem(request, 500, "an unexpected error occurred; it has been logged")


def install(app: FastAPI) -> None:
    app.add_exception_handler(errors.DomainError, domain_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)
