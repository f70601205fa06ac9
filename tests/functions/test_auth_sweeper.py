"""The scheduled auth sweeper with an EventBridge Scheduler event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from functions import manifest
from functions.local.schedules import scheduler_event
from masteria.bootstrap import Container
from tests.functions.events import FakeContext


def test_sweeper_deletes_only_stale_counters(container: Container) -> None:
    from functions.workers.auth_sweeper import handler

    now = datetime.now(UTC)
    window = timedelta(seconds=container.settings.login_failure_window_seconds)
    with container.database.tenant(None) as session:
        session.execute(
            text("INSERT INTO login_failures (key, failures, window_started_at) VALUES ('old', 3, :o), ('new', 2, :n)"),
            {"o": now - window - timedelta(minutes=1), "n": now},
        )
    event = scheduler_event(manifest.by_name("auth_sweeper"), now)
    assert handler(event, FakeContext()) == {"deleted": 1}
    with container.database.tenant(None) as session:
        assert session.execute(text("SELECT key FROM login_failures")).scalars().all() == ["new"]
