"""A model's failures as one typed error whose category says what to do, whoever the provider is.

The message is ours, built from safe facts only (the category, the HTTP status, the provider's error code): never
the provider's own text, which may quote the key ("Incorrect API key provided: sk-…") or the prompt, which quotes
customers. Nothing downstream branches on the message; it branches on ``category``.
"""

from __future__ import annotations

import re
from enum import StrEnum

_IDENTIFIER = re.compile(r"^[A-Za-z0-9_.\[\]-]{1,64}$")


class Category(StrEnum):
    AUTH = "auth"  # the key is refused, lacks access to the model, or its account has no quota: fix the settings
    RATE_LIMITED = "rate_limited"  # too many requests or tokens: wait ``retry_after`` seconds, then retry
    UNAVAILABLE = "unavailable"  # 5xx, a lost connection: retry later with backoff
    TIMEOUT = "timeout"  # no answer in time: retry later (the call may have been billed)
    INVALID_REQUEST = "invalid_request"  # 4xx: our bug, or the model does not take a parameter; retrying won't help
    INVALID_RESPONSE = "invalid_response"  # an answer we cannot use (no choices, tool arguments that are not JSON)


RETRYABLE = frozenset({Category.RATE_LIMITED, Category.UNAVAILABLE, Category.TIMEOUT})


def safe_identifier(value: object) -> str | None:
    """``value`` when it is a short identifier (an error code, a parameter's path), else None: free text never
    enters a message or a log line."""
    return value if isinstance(value, str) and _IDENTIFIER.match(value) else None


class ModelError(Exception):
    """A call to a model failed (after the adapter's own retries, where it retries)."""

    def __init__(
        self,
        category: Category,
        *,
        model: str,
        status: int | None = None,
        code: str | None = None,
        param: str | None = None,
        retry_after: float | None = None,
        request_id: str | None = None,
    ) -> None:
        self.category, self.model, self.status = category, model, status
        self.code, self.param = safe_identifier(code), safe_identifier(param)
        self.retry_after = retry_after if category is Category.RATE_LIMITED else None
        self.request_id = safe_identifier(request_id)
        super().__init__(self._message())

    def _message(self) -> str:
        parts = [f"model {safe_identifier(self.model) or '(unnamed)'}: {self.category.value}"]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.code:
            parts.append(f"code {self.code}")
        if self.param:
            parts.append(f"param {self.param}")
        if self.retry_after is not None:
            parts.append(f"retry after {self.retry_after:g} s")
        return ", ".join(parts)

    @property
    def retryable(self) -> bool:
        return self.category in RETRYABLE

    def log_fields(self) -> dict[str, str | int | float]:
        """The error as a log line's fields (all safe by construction)."""
        fields: dict[str, str | int | float | None] = {
            "model_error": self.category.value,
            "model": safe_identifier(self.model),
            "status": self.status,
            "provider_code": self.code,
            "param": self.param,
            "retry_after": self.retry_after,
            "request_id": self.request_id,
        }
        return {key: value for key, value in fields.items() if value is not None}
