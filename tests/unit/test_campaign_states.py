"""The campaign's state machine: the moves its table holds, a 409 naming the current state for every other,
and the timestamps and reason each move keeps."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from masteria.campaigns.models import CAMPAIGN_STATUSES, Campaign
from masteria.campaigns.states import TRANSITIONS, move
from masteria.errors import StateConflict

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
EARLIER = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LEGAL = [(was, to) for was, targets in TRANSITIONS.items() for to in sorted(targets)]
ILLEGAL = [(was, to) for was in CAMPAIGN_STATUSES for to in CAMPAIGN_STATUSES if (was, to) not in LEGAL]


def _campaign(status: str) -> Campaign:
    return Campaign(status=status, status_reason="before", started_at=EARLIER, paused_at=None, finished_at=EARLIER)


@pytest.mark.parametrize(("was", "to"), LEGAL)
def test_a_move_the_table_holds_is_made_with_its_reason(was: str, to: str) -> None:
    campaign = _campaign(was)
    move(campaign, to, now=NOW, reason="why " * 200)
    assert campaign.status == to
    assert campaign.status_reason == ("why " * 200)[:500]


@pytest.mark.parametrize(("was", "to"), ILLEGAL)
def test_any_other_move_is_a_conflict_naming_the_current_state_and_changes_nothing(was: str, to: str) -> None:
    campaign = _campaign(was)
    with pytest.raises(StateConflict) as raised:
        move(campaign, to, now=NOW)
    assert raised.value.params == {"state": was} and raised.value.extra == {"current_state": was}
    assert (campaign.status, campaign.status_reason, campaign.finished_at) == (was, "before", EARLIER)


def test_no_move_leaves_a_cancelled_or_failed_campaign_and_a_completed_one_only_reopens() -> None:
    assert "cancelled" not in TRANSITIONS and "failed" not in TRANSITIONS
    assert TRANSITIONS["completed"] == {"running"}  # a retried dead letter's recipient is pending again


def test_each_move_keeps_its_timestamp() -> None:
    started = _campaign("scheduled")
    move(started, "running", now=NOW)
    assert (started.started_at, started.status_reason) == (NOW, None)
    paused = _campaign("running")
    move(paused, "paused", now=NOW, reason="paused by a user")
    assert (paused.paused_at, paused.started_at, paused.status_reason) == (NOW, EARLIER, "paused by a user")
    resumed = _campaign("paused")
    move(resumed, "running", now=NOW)
    assert (resumed.started_at, resumed.status_reason) == (EARLIER, None)  # resuming is no new start
    for end in ("completed", "cancelled", "failed"):
        ended = _campaign("running")
        ended.finished_at = None
        move(ended, end, now=NOW)
        assert ended.finished_at == NOW
    reopened = _campaign("completed")
    move(reopened, "running", now=NOW)
    assert (reopened.finished_at, reopened.started_at) == (None, EARLIER)
