"""Appointments of leads on a real PostgreSQL: a move into the meeting stage needs one (from the move's payload or
already scheduled) and announces it exactly once (one notification for every user, one meeting.scheduled event,
one frame each); the attendee's reminder follows the appointment through the Scheduler port (the local
scheduler's table, and moto's EventBridge Scheduler); a stale reminder does nothing; appointment.updated on
every change; other companies' and other agents' leads answer 404."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from fastapi.testclient import TestClient
from moto import mock_aws
from sqlalchemy import Engine, select, text

from functions import manifest
from functions.local.events import EventRouter
from masteria.adapters.aws.eventbridge_scheduler import EventBridgeScheduler
from masteria.adapters.memory.realtime import RecordingRealtime
from masteria.appointments import reminders
from masteria.bootstrap import Container
from masteria.events import OutboxEvent
from tests.api import Account, invite, make_contact, run_queue, sign_up
from tests.integration.test_realtime import _listen
from tests.pipelines_api import make_lead, move, pipeline_of, stage_named

MEETING = "Reunião agendada"


class FakeClock:
    def __init__(self) -> None:
        self.at = datetime.now(UTC).replace(microsecond=0)

    def now(self) -> datetime:
        return self.at


@pytest.fixture
def clock(container: Container) -> FakeClock:
    fake = FakeClock()
    container.clock = fake  # type: ignore[misc]
    return fake


def _appointment(start: datetime, **fields: Any) -> dict[str, Any]:
    return {
        "title": "Demo", "starts_at": start.isoformat(), "ends_at": (start + timedelta(minutes=30)).isoformat(),
        "timezone": "America/Sao_Paulo", "link": "https://meet.example.com/abc-defg", **fields,
    }  # fmt: skip


def _events(container: Container, account: Account, event_type: str) -> list[dict[str, Any]]:
    with container.database.tenant(uuid.UUID(account.company_id)) as session:
        rows = session.scalars(select(OutboxEvent.data).where(OutboxEvent.type == event_type).order_by(OutboxEvent.id))
        return list(rows)


def _notifications(client: TestClient, account: Account, kind: str) -> list[dict[str, Any]]:
    listed = client.get("/v1/notifications", headers=account.headers, params={"limit": 100})
    assert listed.status_code == 200, listed.text
    return [n for n in listed.json()["items"] if n["kind"] == kind]


def _route_events(container: Container) -> None:
    router = EventRouter(container.queue, manifest.FUNCTIONS, stop=threading.Event())
    while router.run_once():
        pass


def _schedules(owner_engine: Engine) -> list[tuple[str, datetime, str, str]]:
    with owner_engine.connect() as db:
        rows = db.execute(
            text("SELECT name, fire_at, queue, body FROM scheduled_jobs WHERE name LIKE 'appointment-%' ORDER BY name")
        ).all()
    return [(r.name, r.fire_at, r.queue, r.body) for r in rows]


def test_a_move_into_the_meeting_stage_needs_an_appointment_and_announces_it_exactly_once(
    client: TestClient, container: Container, clock: FakeClock
) -> None:
    poster = RecordingRealtime()
    container.realtime = poster
    owner = sign_up(client)
    agent = invite(client, owner)
    pipeline = pipeline_of(client, owner)
    meeting = stage_named(pipeline, MEETING)
    contact = make_contact(client, owner, name="Carla Dias")
    lead = make_lead(client, owner, pipeline, contact_id=contact["id"], title="Plano anual")
    sockets = [_listen(a, "notifications", f"pipeline:{pipeline['id']}") for a in (owner, agent)]
    # WHEN it moves into the meeting stage with no appointment THEN a 422 names the field, and nothing moved
    refused = move(client, owner, lead, meeting)
    assert refused.status_code == 422, refused.text
    assert [(e["field"], e["code"]) for e in refused.json()["errors"]] == [("appointment", "appointment_required")]
    assert client.get(f"/v1/leads/{lead['id']}", headers=owner.headers).json()["version"] == lead["version"]
    # WHEN it moves with the appointment in the move's payload
    start = clock.now() + timedelta(days=2)
    body = _appointment(start, title="Apresentação")
    moved = move(client, owner, lead, meeting, appointment=body)
    assert moved.status_code == 200, moved.text
    assert moved.json()["stage_id"] == meeting
    # and the same request is retried (a client that lost the answer)
    retried = move(client, owner, lead, meeting, appointment=body)
    assert retried.status_code == 409 and retried.json()["code"] == "lead_changed"
    _route_events(container)
    # THEN the lead has the one appointment, its attendee the mover
    (appointment,) = client.get(f"/v1/leads/{lead['id']}/appointments", headers=owner.headers).json()
    assert (appointment["title"], appointment["status"], appointment["attendee_id"]) == (
        "Apresentação", "scheduled", owner.user_id,
    )  # fmt: skip
    assert datetime.fromisoformat(appointment["starts_at"]) == start
    assert appointment["link"] == "https://meet.example.com/abc-defg"
    # the lead's timeline shows it beside the stage changes
    timeline = client.get(f"/v1/leads/{lead['id']}/timeline", headers=owner.headers).json()["entries"]
    assert timeline[0]["kind"] == "appointment" and timeline[0]["appointment"]["id"] == appointment["id"]
    assert [e["kind"] for e in timeline[1:]] == ["stage_change", "stage_change"]
    # one notification every user of the company sees, with the lead, contact and time
    for account in (owner, agent):
        (notice,) = _notifications(client, account, "new_appointment")
        assert notice["user_id"] is None
        assert notice["data"]["lead_id"] == lead["id"] and notice["data"]["contact_id"] == contact["id"]
        assert notice["data"]["appointment_id"] == appointment["id"]
        assert "Carla Dias" in notice["body"] and "America/Sao_Paulo" in notice["body"]
    # one meeting.scheduled event with the lead's details
    (event,) = _events(container, owner, "meeting.scheduled")
    assert event["appointment_id"] == appointment["id"] and event["lead_id"] == lead["id"]
    assert (event["stage_id"], event["lead_title"], event["contact_id"]) == (meeting, "Plano anual", contact["id"])
    # one frame of each per user
    for socket in sockets:
        types = [f["type"] for f in poster.frames(socket)]
        assert types.count("meeting.scheduled") == 1 and types.count("notification.created") == 1
        (frame,) = [f for f in poster.frames(socket) if f["type"] == "meeting.scheduled"]
        assert frame["data"]["appointment_id"] == appointment["id"]
    # the webhook catalogue offers both appointment events with their schemas
    offered = {e["type"]: e for e in client.get("/v1/webhooks/event-types", headers=owner.headers).json()}
    assert "appointment_id" in offered["meeting.scheduled"]["schema"]["properties"]
    assert "change" in offered["appointment.updated"]["schema"]["properties"]


def test_a_lead_with_a_scheduled_appointment_ahead_moves_in_with_it(
    client: TestClient, container: Container, clock: FakeClock
) -> None:
    owner = sign_up(client)
    pipeline = pipeline_of(client, owner)
    meeting = stage_named(pipeline, MEETING)
    lead = make_lead(client, owner, pipeline)
    # an appointment already over does not count
    past = client.post(
        f"/v1/leads/{lead['id']}/appointments", headers=owner.headers,
        json=_appointment(clock.now() - timedelta(days=1)),
    )  # fmt: skip
    assert past.status_code == 201, past.text
    assert move(client, owner, lead, meeting).status_code == 422
    ahead = client.post(
        f"/v1/leads/{lead['id']}/appointments", headers=owner.headers,
        json=_appointment(clock.now() + timedelta(hours=3)),
    ).json()  # fmt: skip
    moved = move(client, owner, lead, meeting)
    assert moved.status_code == 200, moved.text
    (event,) = _events(container, owner, "meeting.scheduled")
    assert event["appointment_id"] == ahead["id"]
    assert len(_notifications(client, owner, "new_appointment")) == 1
    assert len(client.get(f"/v1/leads/{lead['id']}/appointments", headers=owner.headers).json()) == 2
    # a reorder within the meeting stage announces nothing again, and takes no appointment
    lead = moved.json()
    assert move(client, owner, lead, meeting).status_code == 200
    lead = client.get(f"/v1/leads/{lead['id']}", headers=owner.headers).json()
    extra = move(client, owner, lead, meeting, appointment=_appointment(clock.now() + timedelta(days=1)))
    assert extra.status_code == 422 and extra.json()["errors"][0]["code"] == "appointment_not_expected"
    assert len(_events(container, owner, "meeting.scheduled")) == 1


def test_the_attendees_reminder_is_scheduled_moved_and_removed_with_the_appointment(
    client: TestClient, container: Container, clock: FakeClock, owner_engine: Engine
) -> None:
    owner = sign_up(client)
    agent = invite(client, owner)
    pipeline = pipeline_of(client, owner)
    lead = make_lead(client, owner, pipeline)
    start = clock.now() + timedelta(days=1)
    created = client.post(
        f"/v1/leads/{lead['id']}/appointments", headers=owner.headers,
        json=_appointment(start, attendee_id=agent.user_id, reminder_minutes=30),
    )  # fmt: skip
    assert created.status_code == 201, created.text
    appointment = created.json()
    name = reminders.schedule_name(uuid.UUID(appointment["id"]))
    # THEN its scheduler job creates the reminder 30 minutes before, for its version
    assert run_queue(container, "appointment_scheduler") == 1
    [(found, at, queue, first_body)] = _schedules(owner_engine)
    assert (found, at, queue) == (name, start - timedelta(minutes=30), reminders.REMINDER_QUEUE)
    assert reminders.ReminderJob.model_validate_json(first_body).version == appointment["version"]
    # WHEN it is rescheduled an hour later THEN the reminder moves
    later = start + timedelta(hours=1)
    patched = client.patch(
        f"/v1/appointments/{appointment['id']}", headers=owner.headers,
        json={"starts_at": later.isoformat(), "ends_at": (later + timedelta(minutes=30)).isoformat(),
              "version": appointment["version"]},
    )  # fmt: skip
    assert patched.status_code == 200, patched.text
    assert run_queue(container, "appointment_scheduler") == 1
    [(_, moved_at, _, body)] = _schedules(owner_engine)
    assert moved_at == later - timedelta(minutes=30)
    # the first job again, late: the schedule stays where the appointment is now
    container.queue.send(
        reminders.QUEUE,
        reminders.ScheduleJob(
            company_id=uuid.UUID(owner.company_id), appointment_id=uuid.UUID(appointment["id"])
        ).model_dump_json(),
    )
    assert run_queue(container, "appointment_scheduler") == 1
    assert _schedules(owner_engine)[0][1] == moved_at
    # WHEN the stale reminder (of the first time) fires anyway THEN it does nothing
    container.queue.send(reminders.REMINDER_QUEUE, first_body)
    assert run_queue(container, "appointment_reminder") == 1
    assert _notifications(client, agent, "appointment_reminder") == []
    # WHEN the reminder's time comes THEN the attendee is reminded, once, and nobody else
    _route_events(container)
    poster = RecordingRealtime()
    container.realtime = poster
    agent_socket, owner_socket = _listen(agent, "notifications"), _listen(owner, "notifications")
    cursor = client.get("/v1/realtime/events", headers=owner.headers).json()["cursor"]
    assert container.local_scheduler.fire_due(container.queue, moved_at) == 1
    assert run_queue(container, "appointment_reminder") == 1
    container.queue.send(reminders.REMINDER_QUEUE, body)  # delivered twice
    assert run_queue(container, "appointment_reminder") == 1
    (reminder,) = _notifications(client, agent, "appointment_reminder")
    assert reminder["user_id"] == agent.user_id and reminder["data"]["appointment_id"] == appointment["id"]
    assert _notifications(client, owner, "appointment_reminder") == []
    assert client.post(f"/v1/notifications/{reminder['id']}/read", headers=owner.headers).status_code == 404
    # its frame goes to the attendee alone, live and on catching up
    _route_events(container)
    assert [f["data"]["notification_id"] for f in poster.frames(agent_socket)] == [reminder["id"]]
    assert poster.frames(owner_socket) == []
    caught = client.get("/v1/realtime/events", headers=owner.headers, params={"after": cursor}).json()
    assert [f for f in caught["frames"] if f["type"] == "notification.created"] == []
    # WHEN it is cancelled THEN its schedule is gone (a new one for the next time, then removed)
    current = client.get(f"/v1/appointments/{appointment['id']}", headers=owner.headers).json()
    again = later + timedelta(days=1)
    client.patch(
        f"/v1/appointments/{appointment['id']}", headers=owner.headers,
        json={"starts_at": again.isoformat(), "ends_at": (again + timedelta(hours=1)).isoformat(),
              "version": current["version"]},
    )  # fmt: skip
    assert run_queue(container, "appointment_scheduler") == 1
    assert len(_schedules(owner_engine)) == 1
    cancelled = client.patch(
        f"/v1/appointments/{appointment['id']}", headers=owner.headers, json={"status": "cancelled"}
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert run_queue(container, "appointment_scheduler") == 1
    assert _schedules(owner_engine) == []
    changes = [e["change"] for e in _events(container, owner, "appointment.updated")]
    assert changes == ["rescheduled", "rescheduled", "cancelled"]


def test_a_reminder_already_due_is_sent_at_once_and_done_or_no_show_end_it(
    client: TestClient, container: Container, clock: FakeClock, owner_engine: Engine
) -> None:
    owner = sign_up(client)
    pipeline = pipeline_of(client, owner)
    lead = make_lead(client, owner, pipeline)
    soon = client.post(
        f"/v1/leads/{lead['id']}/appointments", headers=owner.headers,
        json=_appointment(clock.now() + timedelta(minutes=20)),  # its default reminder (an hour) has passed
    ).json()  # fmt: skip
    assert soon["reminder_minutes"] == 60
    assert run_queue(container, "appointment_scheduler") == 1
    assert _schedules(owner_engine) == []
    assert run_queue(container, "appointment_reminder") == 1
    assert len(_notifications(client, owner, "appointment_reminder")) == 1
    for status in ("done", "no_show"):
        later = client.post(
            f"/v1/leads/{lead['id']}/appointments", headers=owner.headers,
            json=_appointment(clock.now() + timedelta(days=3)),
        ).json()  # fmt: skip
        run_queue(container, "appointment_scheduler")
        assert len(_schedules(owner_engine)) == 1
        ended = client.patch(f"/v1/appointments/{later['id']}", headers=owner.headers, json={"status": status})
        assert ended.status_code == 200, ended.text
        run_queue(container, "appointment_scheduler")
        assert _schedules(owner_engine) == []
    assert [e["change"] for e in _events(container, owner, "appointment.updated")] == ["done", "no_show"]


def test_on_eventbridge_scheduler_the_reminder_is_created_moved_and_deleted(
    client: TestClient, container: Container, clock: FakeClock
) -> None:
    owner = sign_up(client)
    lead = make_lead(client, owner, pipeline_of(client, owner))
    group = "masteria-dev-schedules"
    with mock_aws():
        aws = boto3.client("scheduler", region_name="us-east-1")
        aws.create_schedule_group(Name=group)
        container.scheduler = EventBridgeScheduler(  # type: ignore[misc]
            aws, group=group, role_arn="arn:aws:iam::123456789012:role/scheduler",
            url_prefix="https://sqs.us-east-1.amazonaws.com/123456789012/masteria-dev-", dead_letter_arn=None,
        )  # fmt: skip
        start = clock.now() + timedelta(days=1)
        appointment = client.post(
            f"/v1/leads/{lead['id']}/appointments", headers=owner.headers, json=_appointment(start)
        ).json()
        name = reminders.schedule_name(uuid.UUID(appointment["id"]))
        assert run_queue(container, "appointment_scheduler") == 1
        found = aws.get_schedule(Name=name, GroupName=group)
        assert found["ScheduleExpression"] == f"at({(start - timedelta(hours=1)).strftime('%Y-%m-%dT%H:%M:%S')})"
        assert found["Target"]["Arn"].endswith(reminders.REMINDER_QUEUE)
        assert client.patch(
            f"/v1/appointments/{appointment['id']}", headers=owner.headers, json={"reminder_minutes": 15}
        ).status_code == 200  # fmt: skip
        assert run_queue(container, "appointment_scheduler") == 1
        moved = aws.get_schedule(Name=name, GroupName=group)
        assert moved["ScheduleExpression"] == f"at({(start - timedelta(minutes=15)).strftime('%Y-%m-%dT%H:%M:%S')})"
        assert client.patch(
            f"/v1/appointments/{appointment['id']}", headers=owner.headers, json={"status": "cancelled"}
        ).status_code == 200  # fmt: skip
        assert run_queue(container, "appointment_scheduler") == 1
        assert aws.list_schedules(GroupName=group)["Schedules"] == []


def test_other_companies_and_other_agents_leads_answer_404_and_bad_input_422(
    client: TestClient, container: Container, clock: FakeClock
) -> None:
    owner, other = sign_up(client), sign_up(client)
    agent = invite(client, owner)
    pipeline = pipeline_of(client, owner)
    theirs = make_lead(client, owner, pipeline, owner_id=owner.user_id)
    unassigned = make_lead(client, owner, pipeline)
    start = clock.now() + timedelta(days=1)
    appointment = client.post(
        f"/v1/leads/{theirs['id']}/appointments", headers=owner.headers, json=_appointment(start)
    ).json()
    # another company's lead and appointment, and an agent on a lead the owner holds: not found
    for account in (other, agent):
        assert client.post(
            f"/v1/leads/{theirs['id']}/appointments", headers=account.headers, json=_appointment(start)
        ).status_code == 404  # fmt: skip
        assert client.get(f"/v1/leads/{theirs['id']}/appointments", headers=account.headers).status_code == 404
        assert client.get(f"/v1/appointments/{appointment['id']}", headers=account.headers).status_code == 404
        assert client.patch(
            f"/v1/appointments/{appointment['id']}", headers=account.headers, json={"status": "done"}
        ).status_code == 404  # fmt: skip
    assert client.get(f"/v1/appointments/{appointment['id']}", headers=owner.headers).json()["status"] == "scheduled"
    # an agent schedules on an unassigned lead, attending themselves, not someone else
    mine = client.post(f"/v1/leads/{unassigned['id']}/appointments", headers=agent.headers, json=_appointment(start))
    assert mine.status_code == 201 and mine.json()["attendee_id"] == agent.user_id
    forbidden = client.post(
        f"/v1/leads/{unassigned['id']}/appointments", headers=agent.headers,
        json=_appointment(start, attendee_id=owner.user_id),
    )  # fmt: skip
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "attendee_forbidden"
    # the attendee is a user of the company; a timezone is IANA's; a link is http(s); it ends after it starts
    for fields, code in (
        ({"attendee_id": other.user_id}, "unknown_attendee"),
        ({"timezone": "Mars/Olympus"}, "unknown_timezone"),
        ({"link": "javascript:alert(1)"}, "url_scheme"),
        ({"ends_at": (start - timedelta(minutes=1)).isoformat()}, "ends_before_start"),
        ({"starts_at": "2026-12-24T10:00:00"}, "timezone_aware"),
    ):
        bad = client.post(
            f"/v1/leads/{theirs['id']}/appointments", headers=owner.headers, json=_appointment(start, **fields)
        )
        assert bad.status_code == 422, (fields, bad.text)
        assert code in {e["code"] for e in bad.json()["errors"]}, (fields, bad.json())
    stale = client.patch(
        f"/v1/appointments/{appointment['id']}", headers=owner.headers, json={"title": "x", "version": 99}
    )
    assert stale.status_code == 409 and stale.json()["code"] == "appointment_changed"
