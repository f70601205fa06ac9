"""A model endpoint's failure, said clearly: the message for the user (by category, never the provider's text),
the API's problem (502, 504 for a timeout) and the company's notification.

Notifications of one kind of failure are not repeated within ``NOTIFY_EVERY`` (an endpoint that refuses the key
fails every reply until someone fixes it: one notification says so), also when many replies fail at once: the
check and the write take turns under a transaction lock per company, category and persona.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy import text as sql
from sqlalchemy.orm import Session

from masteria.ai.errors import Category, ModelError
from masteria.errors import UpstreamFailed
from masteria.notifications import service as notifications
from masteria.notifications.models import Notification

MODEL_ERROR = "ai.model_error"  # the notification's kind
KEY_UNREADABLE = "key_unreadable"  # an AUTH error's code: the company's saved key does not open (no call was made)
NOTIFY_EVERY = timedelta(hours=1)
TITLES = {
    Category.AUTH: "The AI endpoint refused its API key",
    Category.TIMEOUT: "The AI endpoint did not answer in time",
    Category.UNAVAILABLE: "The AI endpoint is unavailable",
    Category.RATE_LIMITED: "The AI endpoint is limiting requests",
    Category.INVALID_REQUEST: "The AI endpoint refused a request",
    Category.INVALID_RESPONSE: "The AI endpoint answered something unusable",
}


def problem_code(category: Category) -> str:
    return f"ai_model_{category.value}"


def describe(error: ModelError, *, host: str, timeout_seconds: float | None = None) -> str:
    """What went wrong and what to do, in English, from safe facts only."""
    model, status = error.model, f" (HTTP {error.status})" if error.status else ""
    match error.category:
        case Category.AUTH if error.code == KEY_UNREADABLE:
            return (
                "the API key saved in the AI settings can no longer be read (it was sealed under another key): "
                "set the key again"
            )
        case Category.AUTH:
            return (
                f"the AI endpoint at {host} refused the API key{status}, or the key has no access to model "
                f"{model!r} or no quota left: check the key and the model in the AI settings"
            )
        case Category.TIMEOUT:
            waited = f" within {timeout_seconds:g} s" if timeout_seconds else " in time"
            return f"the AI endpoint at {host} did not answer{waited}: try again, or check that the endpoint is up"
        case Category.UNAVAILABLE:
            return f"the AI endpoint at {host} is unavailable{status} or could not be reached: try again later"
        case Category.RATE_LIMITED:
            after = f"; try again in {error.retry_after:g} s" if error.retry_after else "; try again later"
            return f"the AI endpoint at {host} is limiting requests (too many requests or tokens){after}"
        case Category.INVALID_REQUEST:
            code = f", code {error.code}" if error.code else ""
            return (
                f"the AI endpoint at {host} refused the request{status}{code}: model {model!r} may not exist there "
                "or not take one of the parameters"
            )
        case _:
            return f"the AI endpoint at {host} answered something that is not a usable chat completion"


def problem(error: ModelError, *, host: str, timeout_seconds: float | None = None) -> UpstreamFailed:
    """The API's answer to a failed call: 504 for a timeout, else 502, coded by category."""
    failed = UpstreamFailed(
        describe(error, host=host, timeout_seconds=timeout_seconds),
        status=504 if error.category is Category.TIMEOUT else 502,
        code=problem_code(error.category),
        params={"category": error.category.value, "host": host, "model": error.model},
    )
    failed.extra = {"category": error.category.value}
    return failed


def notify_model_error(
    session: Session,
    *,
    company_id: uuid.UUID,
    error: ModelError,
    host: str,
    now: datetime,
    persona_id: uuid.UUID | None = None,
    timeout_seconds: float | None = None,
) -> Notification | None:
    """A notification for the company that its AI endpoint failed (once per category and persona per
    ``NOTIFY_EVERY``); None when a like one is recent. Concurrent callers take turns (a transaction-scoped lock),
    so the second finds the first's notification once the first commits."""
    key = f"ai.model_error:{company_id}:{error.category.value}:{persona_id or ''}"
    session.execute(sql("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})
    recent = session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(
            Notification.kind == MODEL_ERROR,
            Notification.data["category"].astext == error.category.value,
            Notification.data["persona_id"].astext == str(persona_id or ""),
            Notification.created_at > now - NOTIFY_EVERY,
        )
    )
    if recent:
        return None
    data: dict[str, Any] = {
        "category": error.category.value,
        "code": problem_code(error.category),
        "host": host,
        "model": error.model,
        "persona_id": str(persona_id or ""),
    }
    if error.status is not None:
        data["status"] = error.status
    text = describe(error, host=host, timeout_seconds=timeout_seconds)
    return notifications.notify(
        session,
        company_id=company_id,
        kind=MODEL_ERROR,
        title=TITLES.get(error.category, "The AI endpoint failed"),
        body=f"{text[:1].upper()}{text[1:]}.",
        data=data,
    )
