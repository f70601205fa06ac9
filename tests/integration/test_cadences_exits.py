"""Exits and marks from the domain events (delivered to ``cadence_events`` as EventBridge would, twice over: an
event is handled once) and the tick's own checks before each step: a reply, an opt-out, a lead's stage change or
close (not the cadence's own move), the goal tag; continuous segments enrolling contacts that enter them; the use
cases automation rules call."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from masteria.bootstrap import Container
from masteria.cadences import enrollment as enrollments
from masteria.cadences import segments
from tests.api import Account, customer_writes, make_connection, make_contact, make_tag, sign_up
from tests.cadences_api import Events, enroll, enrollment, install_clock, make_cadence, tick
from tests.meta import FakeMeta
from tests.pipelines_api import make_lead, move, pipeline_of

HOUR = 3600
PHONE, WA_ID = "+5511987650001", "5511987650001"


def _tag_step(tag: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "tag", "tag_id": tag["id"]}


def _tags(client: TestClient, account: Account, contact_id: str) -> set[str]:
    return {t["id"] for t in client.get(f"/v1/contacts/{contact_id}", headers=account.headers).json()["tags"]}


def test_a_reply_ends_the_enrollment_and_its_next_step_never_runs(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    clock = install_clock(container)
    tag = make_tag(client, owner)
    cadence = make_cadence(client, owner, steps=[{"kind": "wait", "duration_seconds": HOUR}, _tag_step(tag)],
                           connection_id=connection["id"], activate=True)  # fmt: skip
    contact = make_contact(client, owner, phone=PHONE)
    enrolled = enroll(client, owner, cadence, contact["id"]).json()
    tick(container)
    # WHEN the customer writes and the event reaches the consumer (twice)
    customer_writes(container, owner, connection, "quero saber mais", wa_id=WA_ID)
    events = Events(container)
    outcomes = events.deliver(owner, times=2)
    assert "replied:1" in outcomes and "replied:0" in outcomes
    # THEN the enrollment exited as replied, with one cadence.exited event, and the tag step never runs
    ended = enrollment(client, owner, cadence, enrolled["id"])
    assert ended["state"] == "exited" and ended["exit_reason"] == "replied" and ended["replied_at"] is not None
    assert [e["reason"] for e in events.of(owner, "cadence.exited")] == ["replied"]
    clock.advance(HOUR)
    tick(container)
    assert _tags(client, owner, contact["id"]) == set()


def test_the_tick_stops_a_replied_contact_even_before_the_event_arrives(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    # enrolled a few seconds before the customer writes (Meta's timestamps are whole seconds)
    clock = install_clock(container, datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=5))
    tag = make_tag(client, owner)
    cadence = make_cadence(client, owner, steps=[{"kind": "wait", "duration_seconds": HOUR}, _tag_step(tag)],
                           connection_id=connection["id"], activate=True)  # fmt: skip
    contact = make_contact(client, owner, phone=PHONE)
    enrolled = enroll(client, owner, cadence, contact["id"]).json()
    tick(container)
    customer_writes(container, owner, connection, "oi", wa_id=WA_ID)  # no event delivered
    clock.advance(HOUR)
    assert tick(container)["exited"] == 1
    ended = enrollment(client, owner, cadence, enrolled["id"])
    assert ended["exit_reason"] == "replied" and _tags(client, owner, contact["id"]) == set()


def test_without_exit_on_reply_a_reply_is_noted_and_a_branch_reads_it(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    clock = install_clock(container)
    replied_tag, silent_tag = make_tag(client, owner), make_tag(client, owner)
    steps = [
        {"kind": "wait", "duration_seconds": HOUR},
        {"kind": "branch", "condition": {"type": "replied_since_last_step"}, "then_step": 3},
        _tag_step(silent_tag),
        _tag_step(replied_tag),
    ]
    cadence = make_cadence(client, owner, steps=steps, connection_id=connection["id"], activate=True,
                           exit_on_reply=False)  # fmt: skip
    contact = make_contact(client, owner, phone=PHONE)
    enrolled = enroll(client, owner, cadence, contact["id"]).json()
    tick(container)
    customer_writes(container, owner, connection, "oi", wa_id=WA_ID)
    Events(container).deliver(owner)
    noted = enrollment(client, owner, cadence, enrolled["id"])
    assert noted["state"] == "active" and noted["replied_at"] is not None
    clock.advance(HOUR)
    tick(container)
    assert _tags(client, owner, contact["id"]) == {replied_tag["id"]}
    assert enrollment(client, owner, cadence, enrolled["id"])["history"][1]["detail"]["held"] is True


def test_an_opt_out_always_ends_the_enrollment(client: TestClient, container: Container, meta: FakeMeta) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    install_clock(container)
    cadence = make_cadence(client, owner, steps=[{"kind": "wait", "duration_seconds": HOUR}],
                           connection_id=connection["id"], activate=True, exit_on_reply=False)  # fmt: skip
    contact = make_contact(client, owner)
    enrolled = enroll(client, owner, cadence, contact["id"]).json()
    opted = client.put(f"/v1/contacts/{contact['id']}/consent/whatsapp", headers=owner.headers,
                       json={"status": "opted_out"})  # fmt: skip
    assert opted.status_code == 200
    assert Events(container).deliver(owner, times=2).count("opted_out:1") == 1
    assert enrollment(client, owner, cadence, enrolled["id"])["exit_reason"] == "opted_out"


def test_a_lead_stage_change_ends_it_but_not_the_cadences_own_move(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    install_clock(container)
    pipeline = pipeline_of(client, owner)
    first, second, third = [s["id"] for s in pipeline["stages"] if s["semantic_type"] == "open"][:3]
    won = next(s["id"] for s in pipeline["stages"] if s["semantic_type"] == "won")
    steps = [{"kind": "move_lead", "stage_id": second}, {"kind": "wait", "duration_seconds": HOUR}]
    cadence = make_cadence(client, owner, steps=steps, connection_id=connection["id"], activate=True,
                           exit_on_stage_change=True)  # fmt: skip
    plain = make_cadence(client, owner, steps=[{"kind": "wait", "duration_seconds": HOUR}],
                         connection_id=connection["id"], activate=True)  # fmt: skip
    contact = make_contact(client, owner)
    lead = make_lead(client, owner, pipeline, contact_id=contact["id"], stage_id=first)
    enrolled = enroll(client, owner, cadence, contact["id"]).json()
    untouched = enroll(client, owner, plain, contact["id"]).json()
    events = Events(container)
    # WHEN the cadence moves the lead itself
    tick(container)
    events.deliver(owner)
    # THEN it goes on
    assert enrollment(client, owner, cadence, enrolled["id"])["state"] == "active"
    # WHEN a person moves it
    current = client.get(f"/v1/leads/{lead['id']}", headers=owner.headers).json()
    assert move(client, owner, current, third).status_code == 200
    events.deliver(owner, times=2)
    # THEN the enrollment exits (the cadence that does not exit on stage changes keeps it)
    assert enrollment(client, owner, cadence, enrolled["id"])["exit_reason"] == "stage_changed"
    assert enrollment(client, owner, plain, untouched["id"])["state"] == "active"
    # AND a lead closed as won ends a new enrollment as won
    again = make_cadence(client, owner, steps=[{"kind": "wait", "duration_seconds": HOUR}],
                         connection_id=connection["id"], activate=True, exit_on_stage_change=True)  # fmt: skip
    later = enroll(client, owner, again, contact["id"]).json()
    current = client.get(f"/v1/leads/{lead['id']}", headers=owner.headers).json()
    assert move(client, owner, current, won, reason="signed").status_code == 200
    events.deliver(owner)
    assert enrollment(client, owner, again, later["id"])["exit_reason"] == "won"


def test_the_goal_tag_ends_the_enrollment(client: TestClient, container: Container, meta: FakeMeta) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    clock = install_clock(container)
    goal, other = make_tag(client, owner), make_tag(client, owner)
    steps = [{"kind": "wait", "duration_seconds": HOUR}, _tag_step(other)]
    cadence = make_cadence(client, owner, steps=steps, connection_id=connection["id"], activate=True,
                           goal_tag_id=goal["id"])  # fmt: skip
    contact, other_contact = make_contact(client, owner), make_contact(client, owner)
    enrolled = enroll(client, owner, cadence, contact["id"]).json()
    unheard = enroll(client, owner, cadence, other_contact["id"]).json()
    tick(container)
    # WHEN a contact gets the goal tag, its event ends the enrollment at once
    client.put(f"/v1/contacts/{contact['id']}/tags/{goal['id']}", headers=owner.headers)
    events = Events(container)
    assert "goal:1,segment:0" in events.deliver(owner, times=2)
    assert enrollment(client, owner, cadence, enrolled["id"])["exit_reason"] == "goal_tag"
    # AND when its event is not delivered yet, the tick does it before the next step
    client.put(f"/v1/contacts/{other_contact['id']}/tags/{goal['id']}", headers=owner.headers)
    clock.advance(HOUR)
    tick(container)
    assert enrollment(client, owner, cadence, unheard["id"])["exit_reason"] == "goal_tag"
    assert _tags(client, owner, other_contact["id"]) == {goal["id"]}
    # a cadence's own tag step reaching its goal ends it too
    reaching = make_cadence(client, owner, steps=[_tag_step(goal), {"kind": "wait", "duration_seconds": HOUR}],
                            connection_id=connection["id"], activate=True, goal_tag_id=goal["id"])  # fmt: skip
    second = enroll(client, owner, reaching, make_contact(client, owner)["id"]).json()
    tick(container)
    reached = enrollment(client, owner, reaching, second["id"])
    assert reached["exit_reason"] == "goal_tag" and [h["kind"] for h in reached["history"]] == ["tag"]


def test_a_continuous_segment_enrolls_contacts_as_they_enter_it_once(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    clock = install_clock(container)
    vip = make_tag(client, owner)
    member = make_contact(client, owner)
    client.put(f"/v1/contacts/{member['id']}/tags/{vip['id']}", headers=owner.headers)
    segment = client.post("/v1/segments", headers=owner.headers,
                          json={"name": "VIP", "filter": {"tags_any": [vip["id"]]}}).json()  # fmt: skip
    cadence = make_cadence(client, owner, steps=[{"kind": "wait", "duration_seconds": HOUR}],
                           connection_id=connection["id"], segment_id=segment["id"], segment_mode="continuous",
                           activate=True)  # fmt: skip
    # the members at activation are enrolled
    listed = client.get(f"/v1/cadences/{cadence['id']}/enrollments", headers=owner.headers).json()["items"]
    assert [(e["contact_id"], e["source"]) for e in listed] == [(member["id"], "segment")]
    # a contact tagged later (its event not delivered: as after an import) is enrolled by the tick's sync once due
    newcomer = make_contact(client, owner)
    client.put(f"/v1/contacts/{newcomer['id']}/tags/{vip['id']}", headers=owner.headers)
    assert segments.sync_due(db=container.database, clock=container.clock) == 0  # synced at activation
    clock.advance(segments.SYNC_EVERY.total_seconds())
    assert segments.sync_due(db=container.database, clock=container.clock) == 1
    assert segments.sync_due(db=container.database, clock=container.clock) == 0
    # WHEN the member's enrollment ends, the segment does not enroll it again
    first = listed[0]["id"]
    client.post(f"/v1/cadences/{cadence['id']}/enrollments/{first}/exit", headers=owner.headers)
    clock.advance(segments.SYNC_EVERY.total_seconds())
    assert segments.sync_due(db=container.database, clock=container.clock) == 0


def test_a_contact_created_into_a_continuous_segment_is_enrolled_by_its_event(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    install_clock(container)
    segment = client.post("/v1/segments", headers=owner.headers, json={"name": "All", "filter": {}}).json()
    cadence = make_cadence(client, owner, steps=[{"kind": "wait", "duration_seconds": HOUR}],
                           connection_id=connection["id"], segment_id=segment["id"], segment_mode="continuous",
                           activate=True)  # fmt: skip
    contact = make_contact(client, owner)
    assert Events(container).deliver(owner, times=2).count("segment:1") == 1
    listed = client.get(f"/v1/cadences/{cadence['id']}/enrollments", headers=owner.headers).json()["items"]
    assert [e["contact_id"] for e in listed] == [contact["id"]]


def test_automation_rules_enroll_and_exit_through_the_use_cases(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    cadence = make_cadence(client, owner, steps=[{"kind": "wait", "duration_seconds": HOUR}],
                           connection_id=connection["id"], activate=True)  # fmt: skip
    contact = uuid.UUID(make_contact(client, owner)["id"])
    company, cadence_id, now = uuid.UUID(owner.company_id), uuid.UUID(cadence["id"]), container.clock.now()
    with container.database.tenant(company) as session:
        first = enrollments.enroll(session, company_id=company, cadence_id=cadence_id, contact_id=contact,
                                   source="automation", now=now)  # fmt: skip
        again = enrollments.enroll(session, company_id=company, cadence_id=cadence_id, contact_id=contact,
                                   source="automation", now=now)  # fmt: skip
        assert first is not None and first.source == "automation" and again is None
        assert enrollments.exit_contact(session, company_id=company, cadence_id=cadence_id, contact_id=contact,
                                        reason="automation", now=now)  # fmt: skip
        assert not enrollments.exit_contact(session, company_id=company, cadence_id=cadence_id, contact_id=contact,
                                            reason="automation", now=now)  # fmt: skip
    assert [e["reason"] for e in Events(container).of(owner, "cadence.exited")] == ["automation"]
