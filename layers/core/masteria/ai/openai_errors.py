"""The ``openai`` SDK's exceptions → ``ModelError``, by exception type, HTTP status and the provider's error code
(never its message). Shared by every OpenAI-compatible provider: they all answer in OpenAI's error shape."""

from __future__ import annotations

import email.utils
import math
import time
from collections.abc import Mapping

import openai

from masteria.ai.errors import Category, ModelError


def _by_status(status: int, code: str | None) -> Category:
    if status in (401, 403):
        return Category.AUTH
    if status == 429:
        # OpenAI answers 429 also when the account's credit is spent: no wait helps, the settings must change
        return Category.AUTH if code == "insufficient_quota" else Category.RATE_LIMITED
    if status == 408:
        return Category.TIMEOUT
    if status == 409 or status >= 500:
        return Category.UNAVAILABLE
    return Category.INVALID_REQUEST


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait, from ``retry-after-ms`` (OpenAI's), ``retry-after`` in seconds, or ``retry-after`` as a date."""
    for name, divisor in (("retry-after-ms", 1000), ("retry-after", 1)):
        try:
            seconds = float(headers.get(name, ""))
        except ValueError:
            continue
        if math.isfinite(seconds) and seconds >= 0:
            return seconds / divisor
    try:  # a date (a far-off one overflows: no wait we can use)
        parsed = email.utils.parsedate_tz(headers.get("retry-after", ""))
        return max(0.0, email.utils.mktime_tz(parsed) - time.time()) if parsed else None
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def model_error(error: openai.OpenAIError, *, model: str, secret: str) -> ModelError:
    """``error`` as a ``ModelError`` for ``model``. ``secret`` is the key: a field of the provider's answer that
    contains it is dropped (a provider echoing a key back where a code belongs should not get it into our logs)."""

    def safe(value: object) -> str | None:  # a compatible server may send any JSON where a string belongs
        return value if isinstance(value, str) and not (secret and secret in value) else None

    if isinstance(error, openai.APITimeoutError):  # before its base class, APIConnectionError
        return ModelError(Category.TIMEOUT, model=model)
    if isinstance(error, openai.APIConnectionError):
        return ModelError(Category.UNAVAILABLE, model=model)
    if isinstance(error, openai.APIStatusError):
        code, status = safe(error.code), error.status_code
        category = _by_status(status, code)
        return ModelError(
            category,
            model=model,
            status=status,
            code=code or safe(error.type),
            param=safe(error.param),
            retry_after=retry_after(error.response.headers) if category is Category.RATE_LIMITED else None,
            request_id=safe(error.request_id),
        )
    # an answer that is not what was asked for (APIResponseValidationError), or a failure of the SDK itself
    return ModelError(Category.INVALID_RESPONSE, model=model, code=type(error).__name__)
