"""Typed errors. Domain code raises these; ``functions/api/errors.py`` maps them to HTTP once.

Every error has a ``code`` (and ``params``) beside its English text: the problem+json body carries them so a
client shows the message in its user's language (the dashboard's catalogues have one entry per code)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Params = Mapping[str, str | int | float]


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    code: str = dataclasses.field(kw_only=True)
    params: Params = dataclasses.field(default_factory=dict, kw_only=True)


class DomainError(Exception):
    """Base of every error a use case may raise on purpose."""

    title = "Error"
    error_code = "error"  # the problem body's ``code`` (``code`` is Meta's on GraphError)

    def __init__(self, detail: str, *, code: str | None = None, params: Params | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.error_code = code
        self.params: Params = dict(params or {})
        self.extra: dict[str, Any] = {}  # more members of the problem+json body


class NotFound(DomainError):
    title = "Not found"
    error_code = "not_found"


class Conflict(DomainError):
    title = "Conflict"
    error_code = "conflict"


class StateConflict(Conflict):
    """The action does not apply in the object's current state (which the problem body names)."""

    error_code = "state_conflict"

    def __init__(self, detail: str, *, current_state: str, code: str | None = None) -> None:
        super().__init__(detail, code=code, params={"state": current_state})
        self.extra = {"current_state": current_state}


class Invalid(DomainError):
    title = "Invalid request"
    error_code = "invalid"

    def __init__(
        self,
        detail: str,
        errors: list[FieldError] | None = None,
        *,
        code: str | None = None,
        params: Params | None = None,
    ) -> None:
        super().__init__(detail, code=code, params=params)
        self.errors = errors or []


class UnsupportedMediaType(DomainError):
    """A file of a kind the use case does not read (answered 415)."""

    title = "Unsupported media type"
    error_code = "unsupported_media_type"


class Unauthorized(DomainError):
    title = "Unauthorized"
    error_code = "unauthorized"


class Forbidden(DomainError):
    title = "Forbidden"
    error_code = "forbidden"


class RateLimited(DomainError):
    title = "Too many requests"
    error_code = "rate_limited"

    def __init__(self, detail: str, retry_after: int, *, code: str | None = None) -> None:
        retry_after = max(1, retry_after)
        super().__init__(detail, code=code, params={"seconds": retry_after})
        self.retry_after = retry_after


class Transient(DomainError):
    """A vendor failure worth retrying."""

    title = "Temporarily unavailable"
    error_code = "unavailable"


class Permanent(DomainError):
    """A vendor failure that will fail again."""

    title = "Upstream rejected the request"
    error_code = "upstream_rejected"


class UpstreamFailed(DomainError):
    """A service the company configured (its own AI endpoint) failed: unlike other 5xx, the detail is ours, safe
    to show (built from the failure's category, never the vendor's text), and tells the user what to fix.
    ``status``: 502, or 504 for a timeout."""

    title = "The upstream service failed"
    error_code = "upstream_failed"

    def __init__(
        self, detail: str, *, status: int = 502, code: str | None = None, params: Params | None = None
    ) -> None:
        super().__init__(detail, code=code, params=params)
        self.status = status
