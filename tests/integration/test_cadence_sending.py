"""Sending cadence steps against a real PostgreSQL, with the campaign engine's discipline and code (the bulk
pipeline): each step claimed once under concurrent drivers, an exit before the claim stops the send, an unknown
outcome never resent and settled by its status or the sweeper, the 24-hour window's fallback or skip, consent, and
the number's pacer shared with a campaign."""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, text

from functions import manifest
from functions.local.pump import QueuePump
from masteria.bootstrap import Container
from masteria.cadences import engine, enrollment, send_claims, send_sweep, sender
from masteria.cadences.models import Cadence, CadenceVersion
from masteria.cadences.send_jobs import SendJob
from masteria.cadences.send_messages import Cache
from masteria.cadences.sending import opaque
from masteria.campaigns import sender as campaign_sender
from masteria.campaigns.jobs import SEND_QUEUE as CAMPAIGN_SEND_QUEUE
from masteria.campaigns.jobs import SendJob as CampaignSendJob
from masteria.channels.models import ChannelConnection
from masteria.outbound import send
from tests.api import (
    Account,
    approved_template,
    customer_writes,
    make_campaign,
    make_connection,
    make_contact,
    meta_posts,
    sign_up,
)
from tests.meta import FakeMeta

QUICK = sender.SenderSettings(slice_seconds=5)


@dataclass
class Number:
    owner: Account
    connection: dict[str, Any]
    template: dict[str, Any]

    @property
    def company(self) -> uuid.UUID:
        return uuid.UUID(self.owner.company_id)

    @property
    def connection_id(self) -> uuid.UUID:
        return uuid.UUID(self.connection["id"])


def _number(client: TestClient, meta: FakeMeta) -> Number:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    return Number(owner, connection, approved_template(client, owner, meta, connection))


def _template_step(number: Number) -> dict[str, Any]:
    return {
        "kind": "send_template",
        "template_id": number.template["id"],
        "parameters": {"body.1": "contact.first_name"},
        "defaults": {"body.1": "cliente"},
    }


def _cadence(container: Container, number: Number, steps: list[dict[str, Any]]) -> uuid.UUID:
    """An active cadence on the number (all days, all day), version 1 with ``steps``."""
    with container.database.tenant(number.company) as session:
        cadence = Cadence(
            company_id=number.company, name=f"Cadence {uuid.uuid4().hex[:6]}", status="active",
            connection_id=number.connection_id, activated_at=datetime.now(UTC),
        )  # fmt: skip
        session.add(cadence)
        session.flush()
        session.add(CadenceVersion(company_id=number.company, cadence_id=cadence.id, version=1, steps=steps))
        return cadence.id


def _enroll(container: Container, number: Number, cadence_id: uuid.UUID, contacts: list[dict[str, Any]]) -> None:
    with container.database.tenant(number.company) as session:
        for contact in contacts:
            enrolled = enrollment.enroll(
                session, company_id=number.company, cadence_id=cadence_id, contact_id=uuid.UUID(contact["id"]),
                source="api", now=container.clock.now(),
            )  # fmt: skip
            assert enrolled is not None


def _tick(container: Container) -> None:
    """The cadence tick: the due first steps go to the send ledger."""
    engine.tick(db=container.database, clock=container.clock)


def _drive(container: Container, number: Number, settings: sender.SenderSettings = QUICK) -> str:
    return sender.drive(
        db=container.database,
        queue=container.queue,
        providers=container.providers,
        keys=container.company_keys,
        clock=container.clock,
        job=SendJob(company_id=number.company, connection_id=number.connection_id),
        settings=settings,
    )


@contextlib.contextmanager
def _as(engine_: Engine, number: Number) -> Iterator[Connection]:
    """A transaction of the owner role that sees the number's company (the tables FORCE row-level security)."""
    with engine_.begin() as connection:
        connection.execute(text("SELECT set_config('app.company_id', :c, true)"), {"c": number.owner.company_id})
        yield connection


def _sends(engine_: Engine, number: Number) -> list[Any]:
    with _as(engine_, number) as connection:
        return list(
            connection.execute(
                text(
                    "SELECT s.id, s.status, s.error_reason, s.phone, s.enrollment_id, s.contact_id, e.state, s.attempts"
                    " FROM cadence_sends s JOIN cadence_enrollments e ON e.id = s.enrollment_id ORDER BY s.id"
                )
            )
        )


def _history(engine_: Engine, number: Number) -> dict[uuid.UUID, list[tuple[int, str, dict[str, Any]]]]:
    with _as(engine_, number) as connection:
        rows = connection.execute(
            text("SELECT enrollment_id, step_index, outcome, detail FROM cadence_enrollment_steps ORDER BY id")
        )
        found: dict[uuid.UUID, list[tuple[int, str, dict[str, Any]]]] = {}
        for enrollment_id, step_index, outcome, detail in rows:
            found.setdefault(enrollment_id, []).append((step_index, outcome, detail))
        return found


def _events(engine_: Engine, number: Number, type_: str) -> list[dict[str, Any]]:
    with _as(engine_, number) as connection:
        return [
            row[0] for row in connection.execute(text("SELECT data FROM outbox_events WHERE type = :t"), {"t": type_})
        ]


def _status(container: Container, number: Number, send_id: int, phone: str, status: str) -> None:
    """The provider's status of a cadence send, carrying its ledger id back."""
    meta_posts(container, number.owner, number.connection["id"], {"messaging_product": "whatsapp", "statuses": [{
        "id": f"wamid.{send_id}", "status": status, "timestamp": str(int(time.time())),
        "recipient_id": phone.lstrip("+"), "biz_opaque_callback_data": opaque(send_id),
    }]})  # fmt: skip


def _until(condition: Callable[[], object], what: str, timeout: float = 10.0) -> None:
    ends = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < ends, f"timed out waiting for {what}"
        time.sleep(0.001)


def _to(body: dict[str, Any]) -> str:
    return str(body["to"])


# ---- exactly once --------------------------------------------------------------------------------------------


def test_each_step_is_claimed_and_sent_once_under_concurrent_drivers(
    client: TestClient, meta: FakeMeta, container: Container, owner_engine: Engine
) -> None:
    number = _number(client, meta)
    contacts = [make_contact(client, number.owner) for _ in range(30)]
    cadence_id = _cadence(container, number, [_template_step(number)])
    _enroll(container, number, cadence_id, contacts)
    _tick(container)
    _tick(container)  # a tick fired twice queues nothing twice
    assert len(_sends(owner_engine, number)) == 30
    meta.send_delay = 0.02
    results: list[str] = []

    def run() -> None:
        results.append(_drive(container, number))

    first = threading.Thread(target=run)
    first.start()
    _until(lambda: meta.sent, "the first driver's first send")
    with _as(owner_engine, number) as connection:  # the first driver's lease "expires" while it still sends
        connection.execute(text("UPDATE cadence_senders SET driver_until = now() - interval '1 second'"))
    second = threading.Thread(target=run)
    second.start()
    first.join()
    second.join()
    assert _drive(container, number) == "idle"  # nothing left: a third driver sends nothing
    sent_to = Counter(_to(b) for b in meta.sent)
    assert len(meta.sent) == 30 and len(sent_to) == 30 and max(sent_to.values()) == 1
    sends = _sends(owner_engine, number)
    assert {(s.status, s.state) for s in sends} == {("sent", "completed")}  # one step: sent, then done
    history = _history(owner_engine, number)
    assert sorted(h[0][:2] for h in history.values()) == [(0, "sent")] * 30
    events = _events(owner_engine, number, "cadence.step_sent")
    assert sorted(e["send_id"] for e in events) == [s.id for s in sends]
    assert {b["template"]["components"][0]["parameters"][0]["text"] for b in meta.sent} == {"Contact"}


def test_a_reply_that_exits_the_enrollment_before_the_claim_stops_the_send(
    client: TestClient, meta: FakeMeta, container: Container, owner_engine: Engine
) -> None:
    number = _number(client, meta)
    contacts = [make_contact(client, number.owner) for _ in range(3)]
    cadence_id = _cadence(container, number, [_template_step(number)])
    _enroll(container, number, cadence_id, contacts)
    _tick(container)  # three sends pending
    replied = uuid.UUID(contacts[0]["id"])
    with container.database.tenant(number.company) as session:  # the reply's exit, as the exit consumer makes it
        assert enrollment.exit_contact(
            session, company_id=number.company, cadence_id=cadence_id, contact_id=replied, reason="replied",
            now=container.clock.now(),
        )  # fmt: skip
    _drive(container, number)
    by_contact = {s.contact_id: s for s in _sends(owner_engine, number)}
    assert (by_contact[replied].status, by_contact[replied].error_reason, by_contact[replied].state) == (
        "skipped", "exited", "exited",
    )  # fmt: skip
    assert sorted(s.status for s in by_contact.values()) == ["sent", "sent", "skipped"]
    assert sorted(_to(b) for b in meta.sent) == sorted(by_contact[uuid.UUID(c["id"])].phone.lstrip("+")
                                                      for c in contacts[1:])  # fmt: skip
    assert _history(owner_engine, number)[by_contact[replied].enrollment_id] == [(0, "skipped", {
        "send_id": by_contact[replied].id, "reason": "exited"})]  # fmt: skip


def test_an_unknown_outcome_is_never_resent_and_is_settled_by_its_status_or_the_sweeper(
    client: TestClient, meta: FakeMeta, container: Container, owner_engine: Engine
) -> None:
    number = _number(client, meta)
    contacts = [make_contact(client, number.owner) for _ in range(3)]
    cadence_id = _cadence(container, number, [_template_step(number)])
    _enroll(container, number, cadence_id, contacts)
    _tick(container)
    meta.script.extend(["timeout", "timeout"])  # two reach Meta, their answers lost
    _drive(container, number)
    _drive(container, number)  # a later driver does not touch them
    sends = _sends(owner_engine, number)
    assert len(meta.sent) == 3
    assert sorted((s.status, s.state) for s in sends) == [
        ("sent", "completed"), ("unknown", "sending"), ("unknown", "sending"),
    ]  # fmt: skip
    first, second = (s for s in sends if s.status == "unknown")
    _status(container, number, first.id, first.phone, "read")
    _status(container, number, first.id, first.phone, "delivered")  # late: it never undoes read
    counts = send_sweep.sweep(db=container.database, clock=container.clock, unknown_timeout=timedelta(0))
    assert counts["failed_unknown"] == 1
    after = {s.id: s for s in _sends(owner_engine, number)}
    assert (after[first.id].status, after[first.id].state) == ("read", "completed")
    assert (after[second.id].status, after[second.id].error_reason, after[second.id].state) == (
        "failed", "failed_unknown", "completed",
    )  # fmt: skip
    history = _history(owner_engine, number)
    assert [h[:2] for h in history[first.enrollment_id]] == [(0, "sent")]  # settled once, by the status
    assert [h[:2] for h in history[second.enrollment_id]] == [(0, "failed")]
    assert len(meta.sent) == 3  # nothing was ever sent again
    assert len(_events(owner_engine, number, "cadence.step_sent")) == 2


@pytest.mark.parametrize("posted", [True, False], ids=["posted", "never-posted"])
def test_a_claim_unanswered_past_its_lease_is_unknown_if_posted_else_pending_again_and_sent_once(
    client: TestClient, meta: FakeMeta, container: Container, owner_engine: Engine, posted: bool
) -> None:
    number = _number(client, meta)
    cadence_id = _cadence(container, number, [_template_step(number)])
    _enroll(container, number, cadence_id, [make_contact(client, number.owner)])
    _tick(container)
    with container.database.tenant(number.company) as session:  # a worker claims, then dies
        connection = session.get_one(ChannelConnection, number.connection_id)
        route = send.route(session, container.company_keys, container.providers, connection)
    scope = send_claims.Scope.of(route)
    claim = send_claims.claim(
        container.database, scope, Cache(), clock=container.clock, batch_seconds=0.25, max_batch=10, lease_seconds=60
    )
    assert len(claim.batch.ids) == 1
    if posted:  # its batch marked posted: the request may have gone out (here it did not)
        drive = sender._Drive(container.database, container.queue, container.clock, scope, sender.SenderSettings())
        assert drive.posting(claim.batch) == claim.batch.ids
    with _as(owner_engine, number) as connection_:
        connection_.execute(text("UPDATE cadence_sends SET claimed_until = now() - interval '1 second'"))
    assert _drive(container, number) == "idle"
    counts = send_sweep.sweep(db=container.database, clock=container.clock, unknown_timeout=timedelta(minutes=15))
    if posted:
        assert (counts["expired"], counts["requeued"]) == (1, 0)
        assert [(s.status, s.state) for s in _sends(owner_engine, number)] == [("unknown", "sending")]
        _drive(container, number)
        assert meta.sent == []  # never sent again
    else:
        assert (counts["expired"], counts["requeued"]) == (0, 1)
        assert [(s.status, s.attempts) for s in _sends(owner_engine, number)] == [("pending", 0)]
        _drive(container, number)
        assert len(meta.sent) == 1
        assert [s.status for s in _sends(owner_engine, number)] == ["sent"]


# ---- the outbound path's rules -------------------------------------------------------------------------------


def test_a_text_outside_the_24_hour_window_falls_back_to_the_template_or_is_skipped(
    client: TestClient, meta: FakeMeta, container: Container, owner_engine: Engine
) -> None:
    number = _number(client, meta)
    wrote = make_contact(client, number.owner, phone="+5511987650001", name="Ana Souza")
    silent = make_contact(client, number.owner, name="Bia Lima")
    customer_writes(container, number.owner, number.connection, "oi", wa_id="5511987650001")  # window open
    text_step = {"kind": "send_text", "text": "Oi {{contact.first_name}}, tudo bem?"}
    fallback = {**text_step, "outside_window": "template",
                "fallback": {k: v for k, v in _template_step(number).items() if k != "kind"}}  # fmt: skip
    with_fallback = _cadence(container, number, [fallback])
    skipping = _cadence(container, number, [{**text_step, "outside_window": "skip"}])
    for cadence_id in (with_fallback, skipping):
        _enroll(container, number, cadence_id, [wrote, silent])
    _tick(container)
    _drive(container, number)
    silent_to = silent["phone"].lstrip("+").replace(" ", "").replace("-", "")
    by_to: dict[str, list[dict[str, Any]]] = {}
    for body in meta.sent:
        by_to.setdefault(_to(body), []).append(body)
    assert [b["text"]["body"] for b in by_to["5511987650001"]] == ["Oi Ana, tudo bem?"] * 2  # inside: the text
    (template,) = by_to[silent_to]  # outside: the fallback template, and nothing from the cadence that skips
    assert template["type"] == "template"
    assert template["template"]["components"][0]["parameters"][0]["text"] == "Bia"
    skipped = [s for s in _sends(owner_engine, number) if s.status == "skipped"]
    assert [(s.error_reason, s.contact_id) for s in skipped] == [("window closed", uuid.UUID(silent["id"]))]
    assert skipped[0].state == "completed"  # the step is over for the cadence: it went on (here: to its end)
    # a text carries no send id (Meta takes none on texts): its statuses find it by the provider's message id
    with _as(owner_engine, number) as connection:
        text_send, message_id = connection.execute(
            text("SELECT id, provider_message_id FROM cadence_sends WHERE phone = '+5511987650001' ORDER BY id LIMIT 1")
        ).one()
    meta_posts(container, number.owner, number.connection["id"], {"messaging_product": "whatsapp", "statuses": [{
        "id": message_id, "status": "delivered", "timestamp": str(int(time.time())), "recipient_id": "5511987650001",
    }]})  # fmt: skip
    assert {s.id: s.status for s in _sends(owner_engine, number)}[text_send] == "delivered"


def test_an_opted_out_contact_is_skipped_at_the_claim(
    client: TestClient, meta: FakeMeta, container: Container, owner_engine: Engine
) -> None:
    number = _number(client, meta)
    contacts = [make_contact(client, number.owner) for _ in range(2)]
    cadence_id = _cadence(container, number, [_template_step(number)])
    _enroll(container, number, cadence_id, contacts)
    _tick(container)  # queued, then the contact opts out before the sender claims it
    opted = client.put(
        f"/v1/contacts/{contacts[0]['id']}/consent/whatsapp", headers=number.owner.headers,
        json={"status": "opted_out", "reason": "asked by phone"},
    )  # fmt: skip
    assert opted.status_code == 200, opted.text
    _drive(container, number)
    by_contact = {str(s.contact_id): s for s in _sends(owner_engine, number)}
    assert (by_contact[contacts[0]["id"]].status, by_contact[contacts[0]["id"]].error_reason) == (
        "skipped", "opted out",
    )  # fmt: skip
    assert by_contact[contacts[1]["id"]].status == "sent"
    assert len(meta.sent) == 1 and _to(meta.sent[0]) == by_contact[contacts[1]["id"]].phone.lstrip("+")
    assert [h[:2] for h in _history(owner_engine, number)[by_contact[contacts[0]["id"]].enrollment_id]] == [
        (0, "skipped")
    ]


def test_the_numbers_pacer_is_shared_with_a_campaign_on_it(
    client: TestClient, meta: FakeMeta, container: Container, owner_engine: Engine
) -> None:
    """A campaign and a cadence on one 80/s number, sending at once: together they keep to 80 in every second
    (alone, each would take the whole rate)."""
    owner = sign_up(client)
    campaign = make_campaign(client, owner, meta, contacts=60, rate_per_second=80)
    templates = client.get(f"/v1/connections/{campaign['connection_id']}/templates", headers=owner.headers).json()
    connection = client.get(f"/v1/connections/{campaign['connection_id']}", headers=owner.headers).json()
    number = Number(owner, connection, templates["items"][0])
    assert client.post(f"/v1/campaigns/{campaign['id']}/schedule", headers=owner.headers, json={}).status_code == 200
    QueuePump(container.queue, manifest.FUNCTIONS, stop=threading.Event()).run_once(
        manifest.by_name("campaign_starter")
    )  # planned, its sender not started yet
    container.queue.delete(CAMPAIGN_SEND_QUEUE, [m.receipt for m in container.queue.receive(CAMPAIGN_SEND_QUEUE)])
    contacts = client.get("/v1/contacts", headers=owner.headers, params={"limit": 100}).json()["items"]
    cadence_id = _cadence(container, number, [_template_step(number)])
    _enroll(container, number, cadence_id, contacts)
    _tick(container)

    def campaign_drive() -> None:
        campaign_sender.drive(
            db=container.database, queue=container.queue, providers=container.providers,
            keys=container.company_keys, clock=container.clock,
            job=CampaignSendJob(company_id=number.company, campaign_id=uuid.UUID(campaign["id"])),
            settings=campaign_sender.SenderSettings(slice_seconds=5),
        )  # fmt: skip

    threads = [threading.Thread(target=campaign_drive), threading.Thread(target=lambda: _drive(container, number))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(meta.sent) == 120
    times = sorted(meta.sent_at)
    busiest = max(sum(1 for t in times if start <= t < start + 1.0) for start in times)
    assert busiest <= 80
    cadence_at = [at for body, at in zip(meta.sent, meta.sent_at, strict=True) if "cadence-send:" in str(body)]
    campaign_at = [at for body, at in zip(meta.sent, meta.sent_at, strict=True) if "campaign-recipient:" in str(body)]
    assert len(cadence_at) == len(campaign_at) == 60
    assert min(cadence_at) < max(campaign_at) and min(campaign_at) < max(cadence_at)  # they sent at the same time


def test_the_sweepers_cross_company_read_sees_only_cadence_sends_and_writes_nothing(
    client: TestClient, meta: FakeMeta, container: Container
) -> None:
    numbers = [_number(client, meta) for _ in range(2)]
    for number in numbers:
        cadence_id = _cadence(container, number, [_template_step(number)])
        _enroll(container, number, cadence_id, [make_contact(client, number.owner)])
    _tick(container)
    with container.database.cadence_send_sweep() as session:
        companies = session.execute(text("SELECT DISTINCT company_id FROM cadence_sends")).scalars().all()
        assert sorted(companies) == sorted(n.company for n in numbers)
        assert session.execute(text("SELECT count(*) FROM contacts")).scalar_one() == 0
        assert session.execute(text("SELECT count(*) FROM cadence_enrollments")).scalar_one() == 0
        changed = session.execute(text("UPDATE cadence_sends SET status = 'failed' RETURNING id")).all()
        assert changed == []  # read only: no policy lets it write
