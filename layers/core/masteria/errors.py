"""Typed errors. Domain code raises these; ``functions/api/errors.py`` maps them to HTTP once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class DomainError(Exception):
    """Base of every error a use case may raise on purpose."""

    title = "Error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra: dict[str, Any] = {}  # more members of the problem+json body


class NotFound(DomainError):
    title = "Not found"


class Conflict(DomainError):
    title = "Conflict"


class StateConflict(Conflict):
    """The action does not apply in the object's current state (which the problem body names)."""

    def __init__(self, detail: str, *, current_state: str) -> None:
        super().__init__(detail)
        self.extra = {"current_state": current_state}


class Invalid(DomainError):
    title = "Invalid request"

    def __init__(self, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.errors = errors or []


class Unauthorized(DomainError):
    title = "Unauthorized"


class Forbidden(DomainError):
    title = "Forbidden"


class RateLimited(DomainError):
    title = "Too many requests"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = max(1, retry_after)


class Transient(DomainError):
    """A vendor failure worth retrying."""

    title = "Temporarily unavailable"


class Permanent(DomainError):
    """A vendor failure that will fail again."""

    title = "Upstream rejected the request"
