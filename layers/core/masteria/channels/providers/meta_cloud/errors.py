"""Meta Graph API errors → typed errors, by ``error.code`` only (META.md §1.6).

Meta: "build error handling on code + details, not on titles or HTTP status codes". Every code we
act on is in one table here; the campaign engine and the inbox read the category, never the code.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from masteria.errors import DomainError, Permanent, Transient


class Category(StrEnum):
    RATE_LIMITED = "rate_limited"  # slow down, retry later (throughput, app/WABA call limits)
    PAIR_RATE_LIMITED = "pair_rate_limited"  # this recipient only: retry later, others go on
    TRANSIENT = "transient"  # retry with backoff
    CAMPAIGN_STOPPING = "campaign_stopping"  # pause the campaign and show why
    OUTSIDE_WINDOW = "outside_window"  # free-form outside the 24-hour window: use a template
    RETRY_AFTER_A_DAY = "retry_after_a_day"  # Meta chose not to deliver now (per-user marketing limit)
    RECIPIENT_FINAL = "recipient_final"  # never retry for this recipient
    AUTH = "auth"  # the token expired or lacks permissions
    PERMANENT = "permanent"  # our request is wrong: fix it, do not retry


CODES: dict[int, Category] = {
    4: Category.RATE_LIMITED,
    80007: Category.RATE_LIMITED,
    130429: Category.RATE_LIMITED,
    133016: Category.RATE_LIMITED,
    131056: Category.PAIR_RATE_LIMITED,
    131048: Category.CAMPAIGN_STOPPING,
    368: Category.CAMPAIGN_STOPPING,
    131031: Category.CAMPAIGN_STOPPING,
    132015: Category.CAMPAIGN_STOPPING,
    132016: Category.CAMPAIGN_STOPPING,
    131047: Category.OUTSIDE_WINDOW,
    131049: Category.RETRY_AFTER_A_DAY,
    131050: Category.RECIPIENT_FINAL,
    131026: Category.RECIPIENT_FINAL,
    130472: Category.RECIPIENT_FINAL,
    131057: Category.TRANSIENT,
    1: Category.TRANSIENT,
    2: Category.TRANSIENT,
    131000: Category.TRANSIENT,
    131016: Category.TRANSIENT,
    133004: Category.TRANSIENT,
    0: Category.AUTH,
    190: Category.AUTH,
    3: Category.AUTH,
    10: Category.AUTH,
    131005: Category.AUTH,
    **dict.fromkeys(range(200, 300), Category.AUTH),
}


class GraphError(DomainError):
    """An error answered by the Graph API, with Meta's code and our category for it."""

    title = "WhatsApp refused the request"

    def __init__(self, *, code: int, message: str, details: str | None, category: Category, trace_id: str | None):
        super().__init__(f"WhatsApp error {code}: {details or message}", code="whatsapp_error", params={"code": code})
        self.code, self.category, self.trace_id = code, category, trace_id

    @property
    def retryable(self) -> bool:
        return self.category in (Category.RATE_LIMITED, Category.PAIR_RATE_LIMITED, Category.TRANSIENT)


class GraphTransientError(GraphError, Transient):
    """Worth retrying (also a 503 for API callers)."""


class GraphOutcomeUnknown(GraphTransientError):
    """The request may have reached Meta (a timeout or a connection lost after sending): whether it was
    acted on is unknown. A message must not be sent again on this; Meta's status webhook settles it."""


class GraphPermanentError(GraphError, Permanent):
    """Will fail again as it is."""


def from_response(status: int, body: Any) -> GraphError:
    """The typed error for a Graph error body (status is used only when there is no body at all)."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or not isinstance(error.get("code"), int):
        category = Category.TRANSIENT if status >= 500 or status == 429 else Category.PERMANENT
        cls = GraphTransientError if category is Category.TRANSIENT else GraphPermanentError
        return cls(code=-1, message=f"HTTP {status}", details=None, category=category, trace_id=None)
    code = error["code"]
    category = CODES.get(code, Category.PERMANENT)
    data = error.get("error_data")
    details = data.get("details") if isinstance(data, dict) else None
    cls = (
        GraphTransientError
        if category in (Category.RATE_LIMITED, Category.PAIR_RATE_LIMITED, Category.TRANSIENT)
        else GraphPermanentError
    )
    return cls(
        code=code,
        message=str(error.get("message", "")),
        details=str(details) if details else None,
        category=category,
        trace_id=error.get("fbtrace_id"),
    )
