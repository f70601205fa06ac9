"""Conditions hold a rule back; each action does its thing through the domain's own use cases: assignment (to a
user, or round-robin among a team, race-safe), tags, lead creation and moves (as an automation), cadence
enrollment and exit, a text or a template sent once through the outbound path, the AI handed the conversation or
taken from it, a notification, a custom event."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from masteria.automations import runner, sends
from masteria.automations.triggers import EVENT_TYPES
from masteria.bootstrap import Container
from masteria.events import OutboxEvent
from masteria.jobs import OutboxJob
from masteria.pipelines.models import StageChange
from masteria.ports import PublishedEvent
from masteria.realtime.routing import frames_for
from tests.ai_replies import make_persona
from tests.api import (
    Account,
    approved_template,
    customer_writes,
    invite,
    make_connection,
    make_contact,
    make_custom_field,
    make_tag,
    run_queue,
    sign_up,
)
from tests.automations_api import Events, events_of, make_rule, runs
from tests.cadences_api import enrollment, make_cadence
from tests.meta import FakeMeta
from tests.pipelines_api import pipeline_of, stage_named

ALL_DAY = {
    "timezone": "America/Sao_Paulo",
    "days": {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
}


def _tag(client: TestClient, account: Account, contact: dict[str, Any], tag: dict[str, Any]) -> None:
    assert client.put(f"/v1/contacts/{contact['id']}/tags/{tag['id']}", headers=account.headers).status_code == 200


def _conversations(client: TestClient, account: Account) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get("/v1/conversations", headers=account.headers).json()["items"]
    return items


def test_conditions_hold_a_rule_back_and_the_run_log_says_which(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    go, vip, marker = make_tag(client, owner), make_tag(client, owner), make_tag(client, owner)
    make_custom_field(client, owner, key="plan", label="Plan")
    segment = client.post(
        "/v1/segments", headers=owner.headers, json={"name": "VIPs", "filter": {"tags_any": [vip["id"]]}}
    ).json()
    trigger = {"type": "tag_added", "tag_id": go["id"]}
    strict = make_rule(
        client,
        owner,
        trigger=trigger,
        actions=[{"type": "add_tag", "tag_id": marker["id"]}],
        conditions=[
            {"type": "tag", "tag_id": vip["id"]},
            {"type": "segment", "segment_id": segment["id"]},
            {"type": "custom_field", "key": "plan", "op": "eq", "value": "pro"},
        ],
    )
    closed = make_rule(
        client,
        owner,
        trigger=trigger,
        actions=[{"type": "add_tag", "tag_id": marker["id"]}],
        conditions=[{"type": "business_hours", "hours": ALL_DAY, "inside": False}],
    )
    fits = make_contact(client, owner, custom_fields={"plan": "pro"})
    misses = make_contact(client, owner, custom_fields={"plan": "free"})
    _tag(client, owner, fits, vip)
    events = Events(container)
    for contact in (fits, misses):
        _tag(client, owner, contact, go)
    events.deliver(owner)
    ran, skipped = sorted(runs(client, owner, strict), key=lambda r: r["status"] != "succeeded")
    assert (ran["contact_id"], ran["status"]) == (fits["id"], "succeeded")
    assert [c["held"] for c in ran["conditions"]] == [True, True, True]
    assert (skipped["contact_id"], skipped["status"], skipped["reason"]) == (misses["id"], "skipped", "conditions")
    assert skipped["conditions"] == [
        {"type": "tag", "held": False},
        {"type": "segment", "held": False},
        {"type": "custom_field", "held": False},
    ]
    assert skipped["actions"] == []
    assert {r["reason"] for r in runs(client, owner, closed)} == {"conditions"}  # always open: never outside
    tagged = client.get(f"/v1/contacts/{misses['id']}", headers=owner.headers).json()["tags"]
    assert marker["id"] not in {t["id"] for t in tagged}


def test_round_robin_takes_turns_passes_over_inactive_users_and_is_race_safe(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    ana, bia, caio = (invite(client, owner) for _ in range(3))
    connection = make_connection(client, owner, meta)
    make_rule(
        client,
        owner,
        trigger={"type": "conversation_created"},
        actions=[{"type": "assign_round_robin", "user_ids": [ana.user_id, bia.user_id, caio.user_id]}],
    )
    # one of the team leaves the company after the rule was written
    assert (
        client.patch(f"/v1/users/{caio.user_id}", headers=owner.headers, json={"is_active": False}).status_code == 200
    )
    for n in range(8):
        customer_writes(container, owner, connection, "oi", wa_id=f"55119876500{n:02d}")
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        rows = session.scalars(select(OutboxEvent).where(OutboxEvent.type.in_(EVENT_TYPES)))
        created = [
            PublishedEvent(
                event_id=r.event_id, company_id=r.company_id, type=r.type, data=r.data, occurred_at=r.occurred_at
            )
            for r in rows
            if r.type == "conversation.created"
        ]
    # WHEN the eight conversations' events are handled at once, two of them twice
    threads = [
        threading.Thread(
            target=runner.on_event, kwargs={"db": container.database, "clock": container.clock, "event": event}
        )
        for event in [*created, *created[:2]]
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # THEN each was assigned once, in turn, never to the inactive user: four each
    assignees = Counter(c["assignee_id"] for c in _conversations(client, owner))
    assert assignees == Counter({ana.user_id: 4, bia.user_id: 4})


def test_lead_and_cadence_actions(client: TestClient, container: Container, meta: FakeMeta) -> None:
    owner = sign_up(client)
    pipeline = pipeline_of(client, owner)
    qualified = stage_named(pipeline, "Qualificado")
    cadence = make_cadence(
        client,
        owner,
        steps=[{"kind": "wait", "duration_seconds": 3600}],
        connection_id=make_connection(client, owner, meta)["id"],
        activate=True,
    )
    go = make_tag(client, owner)
    rule = make_rule(
        client,
        owner,
        trigger={"type": "tag_added", "tag_id": go["id"]},
        actions=[
            {"type": "create_lead", "pipeline_id": pipeline["id"], "title": "Vindo do WhatsApp"},
            {"type": "move_lead", "stage_id": qualified},
            {"type": "enroll_in_cadence", "cadence_id": cadence["id"]},
        ],
    )
    make_rule(
        client,
        owner,
        trigger={"type": "tag_removed", "tag_id": go["id"]},
        actions=[{"type": "remove_from_cadence", "cadence_id": cadence["id"]}],
    )
    contact = make_contact(client, owner)
    events = Events(container)
    _tag(client, owner, contact, go)
    events.deliver(owner)
    (run,) = runs(client, owner, rule)
    assert [a["outcome"] for a in run["actions"]] == ["done", "done", "done"]
    lead_id = run["actions"][0]["detail"]["lead_id"]
    lead = client.get(f"/v1/leads/{lead_id}", headers=owner.headers).json()
    assert (lead["title"], lead["source"], lead["stage_id"]) == ("Vindo do WhatsApp", "automation", qualified)
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        history = session.execute(select(StageChange.actor_kind, StageChange.actor_id)).all()
    assert set(history) == {("automation", uuid.UUID(rule["id"]))}
    enrolled = enrollment(client, owner, cadence, run["actions"][2]["detail"]["enrollment_id"])
    assert (enrolled["source"], enrolled["state"], enrolled["lead_id"]) == ("automation", "active", lead_id)
    # WHEN the tag is taken off THEN the contact leaves the cadence
    client.delete(f"/v1/contacts/{contact['id']}/tags/{go['id']}", headers=owner.headers)
    events.deliver(owner)
    ended = enrollment(client, owner, cadence, enrolled["id"])
    assert (ended["state"], ended["exit_reason"]) == ("exited", "automation")
    # WHEN the tag comes again THEN no second open lead: that action is skipped, the move is done already
    _tag(client, owner, contact, go)
    events.deliver(owner)
    again = runs(client, owner, rule)[0]
    assert [(a["outcome"], a.get("reason")) for a in again["actions"][:2]] == [
        ("skipped", "open_lead_exists"),
        ("done", None),
    ]
    assert again["actions"][1]["detail"]["moved"] is False


def test_a_text_and_a_template_are_sent_once(client: TestClient, container: Container, meta: FakeMeta) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    template = approved_template(client, owner, meta, connection)
    rule = make_rule(
        client,
        owner,
        trigger={"type": "message_received", "keywords": ["preço"]},
        actions=[
            {"type": "send_text", "text": "Oi {{contact.first_name}}, já te mando!"},
            {"type": "send_template", "template_id": template["id"], "parameters": {"body.1": "first_name"}},
        ],
    )
    events = Events(container)
    customer_writes(container, owner, connection, "qual o preço?", wa_id="5511987650001")
    events.deliver(owner)
    (run,) = runs(client, owner, rule)
    assert [a["send"]["status"] for a in run["actions"]] == ["pending", "pending"]
    # WHEN the sender runs (and a job comes twice)
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        bodies = [j.body for j in session.scalars(select(OutboxJob).where(OutboxJob.queue == sends.QUEUE))]
    assert run_queue(container, "automation_sender") == 2
    assert sends.deliver(container, bodies[0]) == "sent"
    # THEN each message went out once, the text filled from the contact
    sent = [b for b in meta.sent if b.get("to") == "5511987650001"]
    assert [b["type"] for b in sent] == ["text", "template"]
    assert sent[0]["text"]["body"] == "Oi Carla, já te mando!"
    (run,) = runs(client, owner, rule)
    assert [a["send"]["status"] for a in run["actions"]] == ["sent", "sent"]
    conversation = _conversations(client, owner)[0]
    messages = client.get(f"/v1/conversations/{conversation['id']}/messages", headers=owner.headers).json()["items"]
    assert {m["id"] for m in messages if m["direction"] == "out"} == {a["send"]["message_id"] for a in run["actions"]}


def test_the_ai_notifications_and_custom_events(client: TestClient, container: Container, meta: FakeMeta) -> None:
    owner = sign_up(client)
    agent = invite(client, owner)
    connection = make_connection(client, owner, meta)
    rule = make_rule(
        client,
        owner,
        trigger={"type": "message_received"},
        on_failure="continue",
        actions=[
            {"type": "hand_to_ai"},
            {"type": "assign", "user_id": agent.user_id},
            {"type": "notify", "to": "assignee", "text": "{{contact.name}} chegou"},
            {"type": "emit_event", "name": "lead.arrived", "data": {"origin": "whatsapp", "score": 3}},
        ],
    )
    taker = make_rule(
        client, owner, trigger={"type": "message_received", "keywords": ["humano"]}, actions=[{"type": "take_from_ai"}]
    )
    events = Events(container)
    customer_writes(container, owner, connection, "oi", wa_id="5511987650001")
    events.deliver(owner)
    (run,) = runs(client, owner, rule)
    # no persona answers on the number: nothing to hand over
    assert [(a["outcome"], a.get("reason")) for a in run["actions"]] == [
        ("skipped", "no_persona"),
        ("done", None),
        ("done", None),
        ("done", None),
    ]
    notices = client.get("/v1/notifications", headers=agent.headers).json()["items"]
    assert [(n["kind"], n["body"], n["user_id"]) for n in notices] == [
        ("automation.notify", "Carla chegou", agent.user_id)
    ]
    (custom,) = events_of(container, owner, "custom.event")
    contact_id = run["contact_id"]
    assert custom.data == {
        "name": "lead.arrived",
        "source": "automation",
        "source_id": rule["id"],
        "contact_id": contact_id,
        "lead_id": None,
        "data": {"origin": "whatsapp", "score": 3},
    }
    assert custom.cause == {"rule_ids": [rule["id"]], "depth": 1}
    published = PublishedEvent(
        event_id=custom.event_id,
        company_id=custom.company_id,
        type=custom.type,
        data=custom.data,
        occurred_at=custom.occurred_at,
    )
    assert [set(o.topics) for o in frames_for(published)] == [{f"automation:{rule['id']}"}]
    (ran,) = [e.data for e in events_of(container, owner, "automation.ran") if e.data["automation_id"] == rule["id"]]
    assert (ran["status"], ran["actions_done"], ran["actions_failed"]) == ("succeeded", 3, 0)
    # WHEN a persona answers there THEN the AI takes the conversation, and a later rule takes it back
    make_persona(client, owner, connection)
    conversation = _conversations(client, owner)[0]
    customer_writes(container, owner, connection, "quero falar com um humano", wa_id="5511987650001")
    events.deliver(owner)
    first = runs(client, owner, rule)[0]["actions"][0]
    assert (first["outcome"], first["detail"]) == ("done", {"changed": True})
    (taken,) = runs(client, owner, taker)
    assert taken["actions"][0]["detail"] == {"status": "paused"}
    ai = client.get(f"/v1/conversations/{conversation['id']}", headers=owner.headers).json()["ai"]
    assert (ai["status"], ai["reason"]) == ("paused", "automation")
