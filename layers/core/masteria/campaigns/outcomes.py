"""What a send's answer means for the ledger, as one small category: the sender and the ledger read it, never
a provider's code. ``classify`` is pure: Meta's codes and their meanings stay in ``channels.meta_errors``,
this maps their categories onto what a campaign does next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from masteria.campaigns import pacing
from masteria.channels.providers.meta_cloud.errors import Category, GraphError, GraphOutcomeUnknown
from masteria.channels.providers.meta_cloud.graph import SendResult


class Outcome(StrEnum):
    SENT = "sent"  # accepted: the provider's message id is the recipient's
    RETRY_AFTER = "retry_after"  # refused for now: pending again after ``retry_in``
    RECIPIENT_FINAL = "recipient_final"  # refused for this recipient for good: failed
    CAMPAIGN_STOPPING = "campaign_stopping"  # refused for the whole campaign: pending again, the campaign pauses
    UNKNOWN = "unknown"  # the request may have gone out: never resent, a status settles it


@dataclass(frozen=True)
class SendOutcome:
    category: Outcome
    message_id: str | None = None  # sent
    retry_in: timedelta = timedelta(0)  # retry_after, campaign_stopping
    counts_as_attempt: bool = True  # retry_after: a refusal for the number's rate does not use up an attempt
    slow_down: bool = False  # the number's rate was reached: its lane backs off, the campaign slows
    code: int | None = None  # the provider's error code, kept on the ledger row for the user to read
    reason: str | None = None  # the error's text, kept on the ledger row (at most 300 characters)
    campaign_reason: str | None = None  # campaign_stopping: why the campaign pauses
    unexpected: bool = False  # not an answer of the provider (a bug of ours or the transport's): worth a log


def classify(answer: SendResult | BaseException, *, attempt: int, jitter: float) -> SendOutcome:
    """The outcome of the ``attempt``-th send to a recipient (1 for the first); ``jitter`` in [0, 1) spreads
    the retries of transient refusals."""
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
            retry_in=pacing.RATE_LIMIT_BACKOFF,
            counts_as_attempt=False,
            slow_down=True,
            code=answer.code,
            reason=reason,
        )
    if category is Category.PAIR_RATE_LIMITED:
        return _retry(answer, reason, pacing.pair_rate_delay(attempt - 1))
    if category is Category.TRANSIENT and attempt < pacing.MAX_TRANSIENT_ATTEMPTS:
        return _retry(answer, reason, pacing.transient_delay(attempt, jitter=jitter))
    if category is Category.RETRY_AFTER_A_DAY:
        return _retry(answer, reason, pacing.RETRY_AFTER_A_DAY)
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
