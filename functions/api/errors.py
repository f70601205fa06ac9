"""Errors → RFC 9457 problem+json, in one place. A 5xx never carries vendor or internal detail."""

from __future__ import annotations

import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import HTTPConnection
from starlette.types import Receive, Scope, Send

from functions.api.middleware import correlation_id
from masteria import errors
from masteria.observability import failure_fields, logger

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
    504: "upstream_timeout",
}

STATUS: dict[type[errors.DomainError], int] = {
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.Invalid: 422,
    errors.UnsupportedMediaType: 415,
    errors.Unauthorized: 401,
    errors.Forbidden: 403,
    errors.RateLimited: 429,
    errors.Transient: 503,
    errors.Permanent: 502,
    errors.UpstreamFailed: 502,
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
    if isinstance(error, errors.UpstreamFailed):
        return error.status
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
    if status >= 500 and not isinstance(error, errors.UpstreamFailed):
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


async def _malformed_json(request: Request, item: Mapping[str, Any]) -> JSONResponse:
    """A body that is not JSON at all: a 400 saying where it breaks (line and column, not a byte offset)."""
    reason = str((item.get("ctx") or {}).get("error", "not JSON"))
    location = list(item.get("loc", ()))
    offset = location[1] if len(location) > 1 and isinstance(location[1], int) else 0
    before = (await request.body())[:offset].decode("utf-8", "replace")
    line, column = before.count("\n") + 1, len(before) - before.rfind("\n")
    return problem(
        request,
        400,
        f"the body is not valid JSON: {reason} (line {line}, column {column})",
        code="malformed_json",
        params={"line": line, "column": column},
    )


_UNION_TAG = re.compile(r"[a-z_]+=[a-z0-9_]+")


async def validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    for item in error.errors():
        if item.get("type") == "json_invalid":
            return await _malformed_json(request, item)
    field_errors = []
    for item in error.errors():
        location = [str(part) for part in item.get("loc", ())]
        if location and location[0] == "body":
            location = location[1:]
        # a tagged union names the choice it took ("provider=sms_aws"): that is no field of the body
        location = [part for part in location if not _UNION_TAG.fullmatch(part)]
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
    # the route template, never the raw path (it may carry ids or phone numbers); and the traceback's frames
    # without the exceptions' texts, which may quote customer data (a phone number, an email, SQL parameters)
    route = getattr(request.scope.get("route"), "path", None) or "unknown"
    logger.error("unhandled error", extra={"route": route, **failure_fields(error)})
    return problem(request, 500, "an unexpected error occurred; it has been logged")


async def answer_unexpected(scope: Scope, receive: Receive, send: Send, error: Exception) -> None:
    """The correlation middleware's answer to an error nothing else handled: the 500 problem+json."""
    request = Request(scope, receive)
    response = await unexpected_error(request, error)
    await response(scope, receive, send)


async def refuse_nul_characters(request: HTTPConnection) -> None:
    """Every route's first dependency (HTTP and WebSocket alike, hence the connection): a NUL in the query or
    the path (``%00``) is a 422, as in a body, instead of reaching PostgreSQL (whose text cannot hold it)."""
    raw = (request.scope.get("raw_path") or b"") + b"?" + (request.scope.get("query_string") or b"")
    if b"%00" in raw or b"\x00" in raw or "\x00" in request.scope.get("path", ""):  # Mangum gives no raw_path
        raise errors.Invalid("the address cannot contain the NUL character", code="nul_in_query")


def install(app: FastAPI) -> None:
    app.add_exception_handler(errors.DomainError, domain_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)
