"""The pure rules behind Meta's template and account webhooks: a template status's reason in one line, and the
account status each account_update leads to (from Meta's examples and its reference's events)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from masteria.channels.account_events import account_state, describe, digest
from masteria.templates.meta_updates import status_reason


def test_a_status_reason_joins_what_meta_says_once_and_skips_none() -> None:
    assert status_reason({"event": "REJECTED", "reason": "SCAM"}) == "SCAM"
    assert status_reason({"event": "APPROVED", "reason": "NONE"}) is None
    flagged = {"event": "FLAGGED", "reason": None, "disable_info": {"disable_date": "January 31, 2021"}}
    assert status_reason(flagged) == "disabled on January 31, 2021"
    paused = {"event": "PAUSED", "other_info": {"title": "FIRST_PAUSE", "description": "Paused for 3 hours."}}
    assert status_reason(paused) == "FIRST_PAUSE; Paused for 3 hours."
    rejected = {
        "event": "REJECTED",
        "reason": "INVALID_FORMAT",
        "rejection_info": {"reason": "INVALID_FORMAT", "recommendation": "Remove the link."},
    }
    assert status_reason(rejected) == "INVALID_FORMAT; Remove the link."
    assert len(status_reason({"reason": "x" * 900}) or "") == 500


@pytest.mark.parametrize(
    ("current", "value", "after"),
    [
        ("ok", {"event": "ACCOUNT_RESTRICTION", "restriction_info": [{"restriction_type": "R"}]}, "restricted"),
        ("restricted", {"event": "ACCOUNT_RESTRICTION", "restriction_info": []}, "ok"),
        ("ok", {"event": "DISABLED_UPDATE", "ban_info": {"waba_ban_state": "SCHEDULE_FOR_DISABLE"}}, "ok"),
        ("ok", {"event": "DISABLED_UPDATE", "ban_info": {"waba_ban_state": "DISABLE"}}, "disabled"),
        ("disabled", {"event": "DISABLED_UPDATE", "ban_info": {"waba_ban_state": "REINSTATE"}}, "ok"),
        ("ok", {"event": "ACCOUNT_DELETED"}, "disconnected"),
        ("ok", {"event": "PARTNER_APP_UNINSTALLED"}, "disconnected"),
        ("disconnected", {"event": "PARTNER_APP_INSTALLED"}, "ok"),
        ("restricted", {"event": "PARTNER_APP_INSTALLED"}, "restricted"),
        ("restricted", {"event": "VERIFIED_ACCOUNT"}, "restricted"),
        ("ok", {"event": "ACCOUNT_VIOLATION", "violation_info": {"violation_type": "SCAM"}}, "ok"),
    ],
)
def test_each_account_update_leads_to_its_account_status(current: str, value: dict[str, object], after: str) -> None:
    assert account_state(current, value) == after


def test_an_account_update_is_described_with_metas_detail_and_digested_whatever_its_key_order() -> None:
    restricted = {
        "event": "ACCOUNT_RESTRICTION",
        "restriction_info": [{"restriction_type": "RESTRICTED_BIZ_INITIATED_MESSAGING", "expiration": 1767225600}],
    }
    assert describe(restricted) == "restricted: RESTRICTED_BIZ_INITIATED_MESSAGING until 1767225600"
    assert describe({"event": "ACCOUNT_VIOLATION", "violation_info": {"violation_type": "SCAM"}}) == (
        "policy violation: SCAM"
    )
    banned = {"event": "DISABLED_UPDATE", "ban_info": {"waba_ban_state": "DISABLE", "waba_ban_date": "May 1"}}
    assert describe(banned) == "ban DISABLE (May 1)"
    at, later = datetime(2026, 12, 1, 12, tzinfo=UTC), datetime(2026, 12, 1, 12, 1, tzinfo=UTC)
    assert digest({"a": 1, "b": [2]}, at) == digest({"b": [2], "a": 1}, at) != digest({"a": 1, "b": [3]}, at)
    # the same body again at another time of Meta's is another event (restrictions lifted twice)
    assert digest({"a": 1}, at) != digest({"a": 1}, later) != digest({"a": 1}, None)
