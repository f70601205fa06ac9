"""The send outcome classifier: every answer of a send maps to one of five categories, with what the ledger
and the campaign do next (when to retry, whether it used an attempt, whether the number slows down)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from masteria.channels.providers import retries
from masteria.channels.providers.meta_cloud.errors import Category, GraphError, GraphOutcomeUnknown, from_response
from masteria.channels.providers.meta_cloud.graph import SendResult
from masteria.channels.providers.meta_cloud.outcomes import classify
from masteria.channels.providers.port import Outcome, SendOutcome


def _meta(code: int, *, status: int = 400, details: str | None = None) -> GraphError:
    """Meta's error body for ``code``, as the Graph client turns it into an error."""
    error: dict[str, Any] = {"message": f"(#{code}) refused", "type": "OAuthException", "code": code}
    if details:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return from_response(status, {"error": error})


def _classify(answer: SendResult | BaseException, attempt: int = 1, jitter: float = 0.0) -> SendOutcome:
    return classify(answer, attempt=attempt, jitter=jitter)


def test_an_accepted_send_is_sent_with_its_message_id() -> None:
    outcome = _classify(SendResult(wamid="wamid.HBgM", message_status="accepted", wa_id="5511987650001"))
    assert outcome == SendOutcome(Outcome.SENT, message_id="wamid.HBgM")


def test_a_lost_answer_is_unknown_and_a_bug_of_ours_is_unknown_too_but_unexpected() -> None:
    lost = GraphOutcomeUnknown(code=-1, message="ReadTimeout", details=None, category=Category.TRANSIENT, trace_id=None)
    assert _classify(lost) == SendOutcome(Outcome.UNKNOWN)
    # the request may have gone out before our code broke: never resent either, and logged
    assert _classify(KeyError("wamid")) == SendOutcome(Outcome.UNKNOWN, unexpected=True)


def test_the_numbers_throughput_reached_retries_soon_without_using_an_attempt_and_slows_down() -> None:
    outcome = _classify(_meta(130429), attempt=3)
    assert (outcome.category, outcome.retry_in, outcome.counts_as_attempt, outcome.slow_down, outcome.code) == (
        Outcome.RETRY_AFTER, retries.RATE_LIMIT_BACKOFF, False, True, 130429,
    )  # fmt: skip


def test_the_pair_rate_retries_that_recipient_after_4_to_the_x_seconds() -> None:
    delays = [_classify(_meta(131056), attempt=a).retry_in for a in (1, 2, 3, 20)]
    assert delays == [timedelta(seconds=1), timedelta(seconds=4), timedelta(seconds=16), timedelta(seconds=4**6)]
    outcome = _classify(_meta(131056))
    assert (outcome.category, outcome.counts_as_attempt, outcome.slow_down) == (Outcome.RETRY_AFTER, True, False)


def test_a_transient_refusal_backs_off_until_its_attempts_are_used_up_then_is_final() -> None:
    early, late = _classify(_meta(131000), attempt=1, jitter=0.0), _classify(_meta(131000), attempt=1, jitter=0.999)
    assert early.category is late.category is Outcome.RETRY_AFTER
    assert timedelta(seconds=1) == early.retry_in < late.retry_in < timedelta(seconds=2)
    assert _classify(_meta(131000), attempt=4).retry_in == timedelta(seconds=8)
    assert _classify(_meta(2), attempt=retries.MAX_TRANSIENT_ATTEMPTS - 1).category is Outcome.RETRY_AFTER
    used_up = _classify(_meta(2), attempt=retries.MAX_TRANSIENT_ATTEMPTS)
    assert (used_up.category, used_up.code) == (Outcome.RECIPIENT_FINAL, 2)


def test_metas_per_user_marketing_limit_retries_a_day_later() -> None:
    outcome = _classify(_meta(131049))
    assert (outcome.category, outcome.retry_in, outcome.counts_as_attempt) == (
        Outcome.RETRY_AFTER, timedelta(hours=24), True,
    )  # fmt: skip


@pytest.mark.parametrize("code", [131050, 131026, 130472, 131047, 100, 132000])
def test_a_refusal_for_this_recipient_or_of_our_request_is_final_with_its_code(code: int) -> None:
    outcome = _classify(_meta(code, details="the reason"))
    assert (outcome.category, outcome.code, outcome.counts_as_attempt) == (Outcome.RECIPIENT_FINAL, code, True)
    assert outcome.reason is not None and "the reason" in outcome.reason


def test_an_error_without_metas_body_is_final_without_a_code_and_its_reason_is_cut_to_the_ledgers_size() -> None:
    bare = _classify(from_response(400, None))
    assert bare == SendOutcome(Outcome.RECIPIENT_FINAL, code=None, reason="WhatsApp error -1: HTTP 400")
    long = _classify(_meta(131026, details="x" * 1000))
    assert long.reason is not None and len(long.reason) == 300


@pytest.mark.parametrize("code", [131048, 368, 131031, 132015, 132016, 190, 10, 200])
def test_a_campaign_stopping_or_auth_refusal_stops_the_campaign_and_puts_the_recipient_back(code: int) -> None:
    outcome = _classify(_meta(code, details="account restricted"), attempt=2)
    assert (outcome.category, outcome.retry_in, outcome.counts_as_attempt, outcome.code) == (
        Outcome.CAMPAIGN_STOPPING, timedelta(0), False, code,
    )  # fmt: skip
    assert outcome.campaign_reason == f"WhatsApp error {code}: account restricted"  # said once, not twice


def test_every_outcome_is_reached_from_metas_categories() -> None:
    seen = {_classify(_meta(code)).category for code in (130429, 131056, 131000, 131049, 131048, 190, 131050, 131047)}
    seen |= {_classify(SendResult(wamid="w", message_status=None, wa_id=None)).category, _classify(OSError()).category}
    assert seen == set(Outcome)
