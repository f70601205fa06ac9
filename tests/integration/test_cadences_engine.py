"""The cadence tick against a real PostgreSQL: non-send steps run inline (wait, branch, tag, move the lead, notify),
send steps handed to the send ledger once and settled back, the sending window, a tick fired twice at once running
each step once, the step history as the last guard, and per-step statistics."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from masteria.bootstrap import Container
from masteria.cadences import engine
from tests.api import Account, approved_template, invite, make_connection, make_contact, make_tag, sign_up
from tests.cadences_api import Events, enroll, enrollment, install_clock, make_cadence, tick
from tests.meta import FakeMeta
from tests.pipelines_api import make_lead, pipeline_of, stage_named

HOUR = 3600


def _number(client: TestClient, meta: FakeMeta) -> tuple[Account, dict[str, Any]]:
    owner = sign_up(client)
    return owner, make_connection(client, owner, meta)


def _history(detail: dict[str, Any]) -> list[tuple[int, str, str]]:
    return [(h["step_index"], h["kind"], h["outcome"]) for h in detail["history"]]


def _count(owner_engine: Engine, account: Account, sql: str, **params: Any) -> int:
    """A count in the company's rows (row-level security holds for the tables' owner too)."""
    with owner_engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.company_id', :c, true)"), {"c": account.company_id})
        return int(connection.execute(text(sql), params).scalar_one())


def test_non_send_steps_run_inline_until_a_wait_and_branches_jump_forward(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner, connection = _number(client, meta)
    clock = install_clock(container)
    tag = make_tag(client, owner)
    pipeline = pipeline_of(client, owner)
    contact = make_contact(client, owner)
    lead = make_lead(client, owner, pipeline, contact_id=contact["id"])
    target = stage_named(pipeline, pipeline["stages"][1]["name"])
    agent = invite(client, owner)
    steps = [
        {"kind": "tag", "tag_id": tag["id"]},
        {"kind": "wait", "duration_seconds": HOUR},
        {"kind": "branch", "condition": {"type": "has_tag", "tag_id": tag["id"]}, "then_step": 4},
        {"kind": "notify", "user_id": agent.user_id, "text": "never: the branch jumps past me"},
        {"kind": "move_lead", "stage_id": target},
        {"kind": "notify", "to": "lead_owner", "text": "{{contact.first_name}} moved on ({{lead.title}})"},
        {"kind": "emit_event", "name": "cadence.qualified", "data": {"score": 9}},
    ]
    cadence = make_cadence(client, owner, steps=steps, connection_id=connection["id"], activate=True)
    enrolled = enroll(client, owner, cadence, contact["id"]).json()
    # WHEN the tick runs: the tag and the wait run at once, then the wait holds the enrollment
    counts = tick(container)
    assert counts["steps"] == 2 and counts["enrollments"] == 1
    after_wait = enrollment(client, owner, cadence, enrolled["id"])
    assert after_wait["step_index"] == 2 and after_wait["state"] == "active"
    assert datetime.fromisoformat(after_wait["next_due_at"]) == clock.now() + timedelta(seconds=HOUR)
    assert tick(container)["steps"] == 0  # nothing is due before the wait ends
    # WHEN the wait is over: the branch jumps to step 4 (3 never runs), the lead moves, the owner is told
    clock.advance(HOUR)
    tick(container)
    done = enrollment(client, owner, cadence, enrolled["id"])
    assert _history(done) == [
        (0, "tag", "done"), (1, "wait", "done"), (2, "branch", "branched"), (4, "move_lead", "done"),
        (5, "notify", "done"), (6, "emit_event", "done"),
    ]  # fmt: skip
    assert done["state"] == "completed" and done["ended_at"] is not None
    moved = client.get(f"/v1/leads/{lead['id']}", headers=owner.headers).json()
    assert moved["stage_id"] == target
    history = client.get(f"/v1/leads/{lead['id']}/history", headers=owner.headers).json()
    assert [c["actor_kind"] for c in history if c["to_stage_id"] == target] == ["automation"]
    (custom,) = Events(container).of(owner, "custom.event")
    assert custom["name"] == "cadence.qualified" and custom["source"] == "cadence"
    assert custom["source_id"] == cadence["id"] and custom["data"] == {"score": 9, "enrollment_id": enrolled["id"]}
    assert [e["tag_id"] for e in Events(container).of(owner, "contact.tag_added")] == [tag["id"]]
    notes = client.get("/v1/notifications", headers=owner.headers).json()["items"]
    first_name = contact["name"].split()[0]
    assert [n["body"] for n in notes if n["kind"] == "cadence.notify"] == [f"{first_name} moved on (Deal)"]


def test_a_send_step_goes_to_the_send_ledger_once_and_its_outcome_moves_the_enrollment_on(
    client: TestClient, container: Container, meta: FakeMeta, owner_engine: Engine
) -> None:
    owner, connection = _number(client, meta)
    install_clock(container)
    template = approved_template(client, owner, meta, connection)
    send = {"kind": "send_template", "template_id": template["id"], "parameters": {"body.1": "contact.first_name"}}
    cadence = make_cadence(client, owner, steps=[send, {"kind": "wait", "duration_seconds": HOUR}, send],
                           connection_id=connection["id"], activate=True)  # fmt: skip
    enrolled = enroll(client, owner, cadence, make_contact(client, owner)["id"]).json()
    # WHEN the tick runs twice
    assert tick(container)["sends"] == 1
    assert tick(container)["sends"] == 0
    # THEN the step is one pending send, and the enrollment waits for it
    sends = "SELECT count(*) FROM cadence_sends WHERE enrollment_id = :e AND step_index = :i"
    assert _count(owner_engine, owner, sends, e=enrolled["id"], i=0) == 1
    sending = enrollment(client, owner, cadence, enrolled["id"])
    assert sending["state"] == "sending" and sending["next_due_at"] is None
    assert sending["history"] == []
    # WHEN the sender settles it (twice: a redelivery)
    at = container.clock.now()
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        for _ in range(2):
            engine.send_settled(
                session, company_id=uuid.UUID(owner.company_id), enrollment_id=uuid.UUID(enrolled["id"]),
                step_index=0, outcome="sent", at=at, detail={"send_id": 1},
            )  # fmt: skip
    # THEN it is recorded once and the enrollment goes on to the wait
    settled = enrollment(client, owner, cadence, enrolled["id"])
    assert _history(settled) == [(0, "send_template", "sent")]
    assert settled["history"][0]["send"]["status"] == "pending"  # the ledger row as the sender keeps it
    assert settled["state"] == "active" and settled["step_index"] == 1
    assert tick(container)["steps"] == 1  # the wait


def test_a_send_step_outside_the_window_waits_for_its_opening(
    client: TestClient, container: Container, meta: FakeMeta, owner_engine: Engine
) -> None:
    owner, connection = _number(client, meta)
    saturday = datetime(2030, 1, 5, 12, 0, tzinfo=UTC)  # 09:00 in São Paulo
    clock = install_clock(container, saturday)
    cadence = make_cadence(
        client, owner, steps=[{"kind": "send_text", "text": "Oi"}], connection_id=connection["id"], activate=True,
        window={"days": [1, 2, 3, 4, 5], "start_time": "09:00", "end_time": "18:00"},
    )  # fmt: skip
    enrolled = enroll(client, owner, cadence, make_contact(client, owner)["id"]).json()
    first = tick(container)
    assert first["deferred"] == 1 and first["sends"] == 0
    waiting = enrollment(client, owner, cadence, enrolled["id"])
    assert waiting["state"] == "active" and waiting["next_due_at"] == "2030-01-07T12:00:00Z"
    assert _count(owner_engine, owner, "SELECT count(*) FROM cadence_sends") == 0
    clock.at = datetime(2030, 1, 7, 12, 0, tzinfo=UTC)
    assert tick(container)["sends"] == 1


def test_a_tick_fired_twice_at_once_runs_each_step_once(
    client: TestClient, container: Container, meta: FakeMeta, owner_engine: Engine
) -> None:
    owner, connection = _number(client, meta)
    install_clock(container)
    tag = make_tag(client, owner)
    steps = [{"kind": "tag", "tag_id": tag["id"]}, {"kind": "notify", "to": "lead_owner", "text": "hi"}]
    cadence = make_cadence(client, owner, steps=steps, connection_id=connection["id"], activate=True)
    contacts = [make_contact(client, owner)["id"] for _ in range(60)]
    bulk = client.post(f"/v1/cadences/{cadence['id']}/enrollments/bulk", headers=owner.headers,
                       json={"contact_ids": contacts})  # fmt: skip
    assert bulk.json()["enrolled"] == 60
    results: list[dict[str, int]] = []
    start = threading.Barrier(2)

    def run() -> None:
        start.wait()
        results.append(engine.tick(db=container.database, clock=container.clock, batch=7))

    # WHEN two ticks run at the same time
    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # THEN every enrollment ran each step exactly once between them
    assert sum(r["enrollments"] for r in results) == 60
    assert sum(r["steps"] for r in results) == 120 and sum(r["completed"] for r in results) == 60
    assert _count(owner_engine, owner, "SELECT count(*) FROM cadence_enrollment_steps") == 120
    assert _count(owner_engine, owner, "SELECT count(*) FROM notifications WHERE kind = 'cadence.notify'") == 60
    assert _count(owner_engine, owner, "SELECT count(*) FROM contact_tags WHERE tag_id = :t", t=tag["id"]) == 60
    assert tick(container)["steps"] == 0


def test_the_step_history_is_the_last_guard_against_running_a_step_twice(
    client: TestClient, container: Container, meta: FakeMeta, owner_engine: Engine
) -> None:
    owner, connection = _number(client, meta)
    install_clock(container)
    steps: list[dict[str, Any]] = [
        {"kind": "notify", "to": "lead_owner", "text": "hi"},
        {"kind": "wait", "duration_seconds": HOUR},
    ]
    cadence = make_cadence(client, owner, steps=steps, connection_id=connection["id"], activate=True)
    enrolled = enroll(client, owner, cadence, make_contact(client, owner)["id"]).json()
    tick(container)
    # WHEN a bug puts the enrollment back on a step it ran, due now
    with owner_engine.begin() as db:
        db.execute(text("SELECT set_config('app.company_id', :c, true)"), {"c": owner.company_id})
        db.execute(text("UPDATE cadence_enrollments SET step_index = 0, next_due_at = now() - interval '1 minute'"))
    # THEN the tick's batch is refused whole: the step does not run again
    counts = tick(container)
    assert counts["steps"] == 0
    assert _count(owner_engine, owner, "SELECT count(*) FROM notifications WHERE kind = 'cadence.notify'") == 1
    assert _history(enrollment(client, owner, cadence, enrolled["id"])) == [(0, "notify", "done"), (1, "wait", "done")]


def test_statistics_count_each_steps_outcomes_replies_and_exits(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner, connection = _number(client, meta)
    install_clock(container)
    template = approved_template(client, owner, meta, connection)
    send = {"kind": "send_template", "template_id": template["id"]}
    cadence = make_cadence(client, owner, steps=[send, {"kind": "wait", "duration_seconds": HOUR}, send],
                           connection_id=connection["id"], activate=True)  # fmt: skip
    ids = [enroll(client, owner, cadence, make_contact(client, owner)["id"]).json()["id"] for _ in range(3)]
    tick(container)
    company = uuid.UUID(owner.company_id)
    with container.database.tenant(company) as session:
        engine.sends_settled(session, [
            engine.Settled(enrollment_id=uuid.UUID(ids[0]), step_index=0, outcome="sent", at=container.clock.now()),
            engine.Settled(enrollment_id=uuid.UUID(ids[1]), step_index=0, outcome="failed", at=container.clock.now()),
        ])  # fmt: skip
    exited = client.post(f"/v1/cadences/{cadence['id']}/enrollments/{ids[2]}/exit", headers=owner.headers)
    assert exited.status_code == 200
    stats = client.get(f"/v1/cadences/{cadence['id']}/stats", headers=owner.headers).json()
    first, wait, last = stats["steps"]
    assert (first["ran"], first["sent"], first["failed"], first["exited"]) == (2, 1, 1, 1)
    assert wait["waiting"] == 2 and last["ran"] == 0
    assert stats["states"] == {"active": 2, "sending": 0, "completed": 0, "exited": 1}
    assert stats["exit_reasons"] == {"manual": 1} and stats["enrolled"] == 3
