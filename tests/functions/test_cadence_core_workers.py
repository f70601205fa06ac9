"""The cadence ticker with an EventBridge Scheduler event and the cadence event consumer with an EventBridge event:
what each does to the enrollments."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from functions import manifest
from functions.local.schedules import scheduler_event
from masteria.bootstrap import Container
from tests.api import make_connection, make_contact, make_tag, sign_up
from tests.cadences_api import Events, enroll, enrollment, make_cadence
from tests.functions.events import FakeContext
from tests.meta import FakeMeta


def test_the_ticker_runs_the_due_steps_from_its_schedule(
    client: TestClient, meta: FakeMeta, container: Container
) -> None:
    from functions.workers.cadence_ticker import handler

    # GIVEN an enrollment whose first step (a tag) is due
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    tag = make_tag(client, owner)
    cadence = make_cadence(client, owner, steps=[{"kind": "tag", "tag_id": tag["id"]}],
                           connection_id=connection["id"], activate=True)  # fmt: skip
    enrolled = enroll(client, owner, cadence, make_contact(client, owner)["id"]).json()
    # WHEN the schedule fires
    counts = handler(scheduler_event(manifest.by_name("cadence_ticker"), datetime.now(UTC)), FakeContext())
    # THEN the step ran and the enrollment completed
    assert counts["steps"] == 1 and counts["completed"] == 1 and counts["segment_enrolled"] == 0
    assert enrollment(client, owner, cadence, enrolled["id"])["state"] == "completed"


def test_the_event_consumer_ends_an_enrollment_on_an_opt_out(
    client: TestClient, meta: FakeMeta, container: Container
) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    cadence = make_cadence(client, owner, steps=[{"kind": "wait", "duration_seconds": 3600}],
                           connection_id=connection["id"], activate=True)  # fmt: skip
    contact = make_contact(client, owner)
    enrolled = enroll(client, owner, cadence, contact["id"]).json()
    client.put(f"/v1/contacts/{contact['id']}/consent/whatsapp", headers=owner.headers, json={"status": "opted_out"})
    # WHEN the opt-out event reaches the consumer (through its manifest entry, as EventBridge would)
    assert "opted_out:1" in Events(container).deliver(owner)
    # THEN the enrollment exited
    assert enrollment(client, owner, cadence, enrolled["id"])["exit_reason"] == "opted_out"
