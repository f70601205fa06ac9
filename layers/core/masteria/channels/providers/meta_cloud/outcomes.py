"""What the answer of one of Meta's sends means, as the port's ``SendOutcome``: a category the sender and the
ledger read, never Meta's code. ``classify`` is pure: Meta's codes and what each means are in ``errors``; this
maps their categories onto what a sender does next."""

from __future__ import annotations

from datetime import timedelta

from masteria.channels.providers import retries
from masteria.channels.providers.meta_cloud.errors import Category, GraphError, GraphOutcomeUnknown
from masteria.channels.providers.meta_cloud.graph import SendResult
from masteria.channels.providers.port import Outcome, SendOutcome

PAIR_RATE_MAX_EXPONENT = 6  # 4^6 s ≈ 68 min between the last retries to one recipient
RETRY_AFTER_A_DAY = timedelta(hours=24)  # 131049: Meta chose not to deliver now (its per-user marketing limit)


def pair_rate_delay(pair_retries: int) -> timedelta:
    """Meta's rule for its pair rate (131056): retry the same recipient after 4^x seconds, x growing from 0."""
    return timedelta(seconds=4 ** min(pair_retries, PAIR_RATE_MAX_EXPONENT))


def classify(answer: SendResult | BaseException, *, attempt: int, jitter: float) -> SendOutcome:
    """The outcome of the ``attempt``-th send to a recipient (1 for the first); ``jitter`` in [0, 1) spreads
    the retries of transient refusals. An exception that is not Meta's answer (a bug of ours, after the
    request may have left) is unknown, and flagged ``unexpected``."""
    if isinstance(answer, SendResult):
        return SendOutcome(Outcome.SENT, message_id=answer.wamid)
    if isinstance(answer, GraphOutcomeUnknown):
        return SendOutcome(Outcome.UNKNOWN)
    if not isinstance(answer, GraphError):
        return SendOutcome(Outcome.UNKNOWN, unexpected=True)
    reason, category = str(answer)[:300], answer.category
    if category is Category.RATE_LIMITED:
        return SendOutcome(
            Outcome.RETRY_AFTER,
            retry_in=retries.RATE_LIMIT_BACKOFF,
            counts_as_attempt=False,
            slow_down=True,
            code=answer.code,
            reason=reason,
        )
    if category is Category.PAIR_RATE_LIMITED:
        return _retry(answer, reason, pair_rate_delay(attempt - 1))
    if category is Category.TRANSIENT and attempt < retries.MAX_TRANSIENT_ATTEMPTS:
        return _retry(answer, reason, retries.transient_delay(attempt, jitter=jitter))
    if category is Category.RETRY_AFTER_A_DAY:
        return _retry(answer, reason, RETRY_AFTER_A_DAY)
    if category in (Category.CAMPAIGN_STOPPING, Category.AUTH):
        return SendOutcome(
            Outcome.CAMPAIGN_STOPPING,
            counts_as_attempt=False,
            code=answer.code,
            reason=reason,
            campaign_reason=answer.detail,  # "WhatsApp error <code>: <what Meta said>"
        )
    # final for this recipient: 131050, 131026, our request refused, retries used up
    return SendOutcome(Outcome.RECIPIENT_FINAL, code=answer.code if answer.code >= 0 else None, reason=reason)


def _retry(error: GraphError, reason: str, delay: timedelta) -> SendOutcome:
    return SendOutcome(Outcome.RETRY_AFTER, retry_in=delay, code=error.code, reason=reason)
