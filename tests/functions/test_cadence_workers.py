"""The cadence sender with an SQS batch from its queue, and the bulk senders' sweeper with an EventBridge Scheduler
event: what each does to the send ledger."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from functions import manifest
from functions.local.schedules import scheduler_event
from masteria.bootstrap import Container
from tests.api import make_contact, run_queue
from tests.functions.events import FakeContext
from tests.integration.test_cadence_sending import _as, _cadence, _enroll, _number, _sends, _template_step, _tick
from tests.meta import FakeMeta


def test_the_cadence_sender_sends_the_numbers_due_steps_from_its_queue(
    client: TestClient, meta: FakeMeta, container: Container, owner_engine: Engine
) -> None:
    # GIVEN three enrollments whose first step the tick queued (with a job for the number's sender)
    number = _number(client, meta)
    cadence_id = _cadence(container, number, [_template_step(number)])
    _enroll(container, number, cadence_id, [make_contact(client, number.owner) for _ in range(3)])
    _tick(container)
    # WHEN the sender's queue is drained through its handler (every record succeeds: run_queue checks)
    assert run_queue(container, "cadence_sender") >= 1
    # THEN each step went out once
    assert len(meta.sent) == 3
    assert {s.status for s in _sends(owner_engine, number)} == {"sent"}


def test_the_sweeper_turns_an_unanswered_cadence_claim_into_unknown(
    client: TestClient, meta: FakeMeta, container: Container, owner_engine: Engine
) -> None:
    from functions.workers.campaign_sweeper import handler

    # GIVEN a send claimed and posted by a worker that died before it recorded the answer
    number = _number(client, meta)
    cadence_id = _cadence(container, number, [_template_step(number)])
    _enroll(container, number, cadence_id, [make_contact(client, number.owner)])
    _tick(container)
    with _as(owner_engine, number) as connection:
        connection.execute(
            text(
                "UPDATE cadence_sends SET status = 'sending', attempts = 1, posted_at = now(),"
                " claimed_until = now() - interval '1 second'"
            )
        )
    # WHEN the scheduled sweeper runs
    counts = handler(scheduler_event(manifest.by_name("campaign_sweeper"), datetime.now(UTC)), FakeContext())
    # THEN the claim is unknown, never sent again
    assert counts["cadence_sends_expired"] == 1
    assert [s.status for s in _sends(owner_engine, number)] == ["unknown"]
    assert meta.sent == []
