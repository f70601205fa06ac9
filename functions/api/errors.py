"""Errors → RFC 9457 problem+json, in one place. A 5xx never carries vendor or internal detail."""

from __future__ import annotations

from collections.abc import Mapping
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

# The body's ``code`` when nothing more precise is known: what a client translates for its user.
_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    500: "internal",
    502: "upstream_rejected",
    503: "unavailable",
}

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
    code: str | None = None,
    params: Mapping[str, Any] | None = None,
    field_errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code or _STATUS_CODES.get(status, "error"),
        "instance": request.url.path,
        "correlation_id": correlation_id.get(),
    }
    if params:
        body["params"] = dict(params)
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
        field_errors = [_field(e.field, e.message, e.code, e.params) for e in error.errors]
    if status >= 500:
        detail, code, params = "the service is temporarily unavailable; try again", "unavailable", None
    else:
        detail, code, params = error.detail, error.error_code, error.params
    return problem(
        request,
        status,
        detail,
        title=error.title,
        code=code,
        params=params,
        field_errors=field_errors,
        headers=headers,
        extra=error.extra,
    )


def _field(field: str, message: str, code: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {"field": field, "message": message, "code": code}
    if params:
        out["params"] = dict(params)
    return out


def _plain(value: Any) -> str | int | float:
    """A validation context value as JSON can carry it (a pattern, a bound, an error's text)."""
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


async def validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    field_errors = []
    for item in error.errors():
        location = [str(part) for part in item.get("loc", ())]
        if location and location[0] == "body":
            location = location[1:]
        params = {key: _plain(value) for key, value in (item.get("ctx") or {}).items()}
        field = ".".join(location) or "body"
        field_errors.append(_field(field, str(item.get("msg", "invalid")), str(item.get("type", "invalid")), params))
    return problem(request, 422, "the request has invalid fields", code="invalid_fields", field_errors=field_errors)


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
