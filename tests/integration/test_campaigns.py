"""The campaign engine against a real PostgreSQL: states, planning, exactly-once sending under duplicates,
concurrency and crashes, pacing, Meta's error codes, pause and resume, progress, replies, scheduling."""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, text

from functions import manifest
from functions.local.pump import QueuePump
from masteria.bootstrap import Container
from masteria.campaigns import ledger, planner, sender
from masteria.campaigns.jobs import SEND_QUEUE, START_QUEUE, SendJob, StartJob
from masteria.channels.providers import retries
from masteria.outbound import pacer
from tests.api import Account, customer_writes, invite, make_campaign, make_contact, meta_posts, sign_up
from tests.meta import FakeMeta

QUICK = sender.SenderSettings(slice_seconds=5)


@contextlib.contextmanager
def _as(engine: Engine, account: Account) -> Iterator[Connection]:
    """A transaction of the owner role that sees ``account``'s company (the tables FORCE row-level security)."""
    with engine.begin() as connection:
        connection.execute(text("SELECT set_config('app.company_id', :c, true)"), {"c": account.company_id})
        yield connection


def _pump(container: Container, *names: str, rounds: int = 50) -> None:
    """Run the named queue consumers (default: starter and sender) until their queues are empty."""
    pump = QueuePump(container.queue, manifest.FUNCTIONS, stop=threading.Event())
    specs = [manifest.by_name(n) for n in (names or ("campaign_starter", "campaign_sender"))]
    for _ in range(rounds):
        if not sum(pump.run_once(spec) for spec in specs):
            return


def _launch(client: TestClient, owner: Account, campaign: dict[str, Any], container: Container) -> dict[str, Any]:
    response = client.post(f"/v1/campaigns/{campaign['id']}/schedule", headers=owner.headers, json={})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "scheduled"
    _pump(container)
    return _progress(client, owner, campaign)


def _progress(client: TestClient, owner: Account, campaign: dict[str, Any]) -> dict[str, Any]:
    response = client.get(f"/v1/campaigns/{campaign['id']}/progress", headers=owner.headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def _recipients(client: TestClient, owner: Account, campaign: dict[str, Any], **filters: Any) -> list[dict[str, Any]]:
    response = client.get(
        f"/v1/campaigns/{campaign['id']}/recipients", headers=owner.headers, params={"limit": 200, **filters}
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _job(owner: Account, campaign: dict[str, Any]) -> SendJob:
    return SendJob(company_id=uuid.UUID(owner.company_id), campaign_id=uuid.UUID(campaign["id"]))


def _drive(container: Container, owner: Account, campaign: dict[str, Any], **settings: Any) -> str:
    return sender.drive(
        db=container.database,
        queue=container.queue,
        providers=container.providers,
        keys=container.company_keys,
        clock=container.clock,
        job=_job(owner, campaign),
        settings=sender.SenderSettings(**{"slice_seconds": 5, **settings}),
    )


def _start_only(client: TestClient, owner: Account, campaign: dict[str, Any], container: Container) -> None:
    """Schedule now and plan, without sending."""
    assert client.post(f"/v1/campaigns/{campaign['id']}/schedule", headers=owner.headers, json={}).status_code == 200
    _pump(container, "campaign_starter")
    container.queue.delete(SEND_QUEUE, [m.receipt for m in container.queue.receive(SEND_QUEUE)])


def _status_webhook(container: Container, owner: Account, campaign: dict[str, Any], **status: Any) -> None:
    """A status webhook from Meta for the campaign's connection, carrying our ledger id back."""
    meta_posts(container, owner, campaign["connection_id"], {"messaging_product": "whatsapp", "statuses": [status]})


# ---- editing and states ------------------------------------------------------------------------------


def test_drafts_are_checked_edited_and_moved_only_along_the_state_machine(
    client: TestClient, meta: FakeMeta, container: Container
) -> None:
    owner = sign_up(client)
    campaign = make_campaign(client, owner, meta, contacts=2)
    assert (campaign["status"], campaign["rate_per_second"], campaign["window"]) == ("draft", 80, None)
    url = f"/v1/campaigns/{campaign['id']}"
    too_fast = client.patch(url, headers=owner.headers, json={"rate_per_second": 200})
    assert too_fast.status_code == 422 and "rate_per_second" in too_fast.text  # a STANDARD number: 80/s
    nobody = client.patch(url, headers=owner.headers, json={"audience": {}})
    assert nobody.status_code == 422
    unknown_tag = client.patch(url, headers=owner.headers, json={"audience": {"tag_ids": [str(uuid.uuid4())]}})
    assert unknown_tag.status_code == 422 and "audience.tag_ids" in unknown_tag.text
    # another company's contact and segment are refused alike: as unknown ids
    other = sign_up(client)
    theirs = client.post("/v1/contacts", headers=other.headers, json={"phone": "+5511987650999"}).json()["id"]
    their_segment = client.post(
        "/v1/segments", headers=other.headers, json={"name": "Theirs", "filter": {"tags_any": []}}
    ).json()["id"]
    for key, foreign in (("contact_ids", theirs), ("segment_ids", their_segment)):
        refused = client.patch(url, headers=owner.headers, json={"audience": {key: [foreign]}})
        assert refused.status_code == 422, refused.text
        assert [(e["field"], e["code"]) for e in refused.json()["errors"]] == [(f"audience.{key}", "unknown_id")]
    bad_mapping = client.patch(url, headers=owner.headers, json={"parameters": {"body.9": "first_name"}})
    assert bad_mapping.status_code == 422
    windowed = client.patch(
        url, headers=owner.headers, json={"window": {"start": "08:00", "end": "20:00"}, "name": "Renamed"}
    )
    assert windowed.status_code == 200, windowed.text
    assert windowed.json()["window"] == {"start": "08:00:00", "end": "20:00:00", "timezone": "company"}
    assert client.get(f"{url}/audience", headers=owner.headers).json() == {"count": 2}

    agent = invite(client, owner, role="agent")
    assert client.post(f"{url}/schedule", headers=agent.headers, json={}).status_code == 403
    assert client.get(url, headers=agent.headers).status_code == 200  # agents may look

    paused_draft = client.post(f"{url}/pause", headers=owner.headers)
    assert paused_draft.status_code == 409 and paused_draft.json()["current_state"] == "draft"
    later = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    scheduled = client.post(f"{url}/schedule", headers=owner.headers, json={"at": later.isoformat()})
    assert scheduled.status_code == 200 and scheduled.json()["status"] == "scheduled"
    edit = client.patch(url, headers=owner.headers, json={"name": "x"})
    assert edit.status_code == 409 and edit.json()["current_state"] == "scheduled"
    assert client.delete(url, headers=owner.headers).status_code == 409
    assert client.post(f"{url}/resume", headers=owner.headers).json()["current_state"] == "scheduled"
    cancelled = client.post(f"{url}/cancel", headers=owner.headers)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert client.post(f"{url}/schedule", headers=owner.headers, json={}).json()["current_state"] == "cancelled"
    draft = make_campaign(client, owner, meta)
    assert client.delete(f"/v1/campaigns/{draft['id']}", headers=owner.headers).status_code == 204


def test_the_audience_leaves_out_opted_out_and_invalid_numbers(
    client: TestClient, meta: FakeMeta, container: Container, owner_engine: Engine
) -> None:
    owner = sign_up(client)
    campaign = make_campaign(client, owner, meta, contacts=4)
    contacts = client.get("/v1/contacts", headers=owner.headers, params={"limit": 10}).json()["items"]
    opted, invalid = contacts[0]["id"], contacts[1]["id"]
    out = client.put(f"/v1/contacts/{opted}/consent/whatsapp", headers=owner.headers, json={"status": "opted_out"})
    assert out.status_code == 200, out.text
    with _as(owner_engine, owner) as connection:
        connection.execute(text("UPDATE contacts SET is_valid = false WHERE id = :id"), {"id": invalid})
    assert client.get(f"/v1/campaigns/{campaign['id']}/audience", headers=owner.headers).json() == {"count": 2}
    progress = _launch(client, owner, campaign, container)
    assert (progress["total"], progress["sent"], progress["status"]) == (2, 2, "completed")
    assert {b["to"] for b in meta.sent} == {c["phone"].lstrip("+") for c in contacts[2:4]}


# ---- planning and sending ----------------------------------------------------------------------------


def test_a_campaign_is_planned_once_sent_once_per_recipient_and_tracked_to_read_and_replied(
    client: TestClient, meta: FakeMeta, container: Container
) -> None:
    owner = sign_up(client)
    campaign = make_campaign(client, owner, meta, contacts=5)
    progress = _launch(client, owner, campaign, container)
    assert progress["status"] == "completed"
    assert (progress["total"], progress["sent"], progress["queued"], progress["failed"]) == (5, 5, 0, 0)
    assert len(meta.sent) == 5 and len({b["to"] for b in meta.sent}) == 5
    body = meta.sent[0]
    assert body["type"] == "template" and body["template"]["name"] == "promo"
    assert body["template"]["components"][0]["parameters"][0]["text"].startswith("Contact")  # first_name
    recipients = _recipients(client, owner, campaign)
    opaque_ids = {b["biz_opaque_callback_data"] for b in meta.sent}
    assert opaque_ids == {ledger.opaque(r["id"]) for r in recipients}
    assert all(r["status"] == "sent" and r["wamid"] for r in recipients)

    # planning again adds nothing; the start job delivered again starts nothing
    job = StartJob(
        company_id=uuid.UUID(owner.company_id),
        campaign_id=uuid.UUID(campaign["id"]),
        at=datetime.fromisoformat(
            client.get(f"/v1/campaigns/{campaign['id']}", headers=owner.headers).json()["scheduled_at"]
        ),
    )
    assert not planner.start(db=container.database, clock=container.clock, job=job)
    from masteria.campaigns.models import Campaign

    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        assert planner.plan(session, session.get_one(Campaign, uuid.UUID(campaign["id"]))) == 5
    assert _progress(client, owner, campaign)["total"] == 5

    # Meta's statuses come back with our ledger id, in any order; a reply counts for the campaign
    first, second = recipients[0], recipients[1]
    now = str(int(datetime.now(UTC).timestamp()))
    for status in ("read", "delivered"):  # a late "delivered" never undoes "read"
        _status_webhook(
            container, owner, campaign, id=first["wamid"], status=status, timestamp=now,
            recipient_id=first["phone"].lstrip("+"), biz_opaque_callback_data=ledger.opaque(first["id"]),
        )  # fmt: skip
    _status_webhook(
        container, owner, campaign, id=second["wamid"], status="failed", timestamp=now,
        recipient_id=second["phone"].lstrip("+"), biz_opaque_callback_data=ledger.opaque(second["id"]),
        errors=[{"code": 131026, "title": "Message undeliverable"}],
    )  # fmt: skip
    connection = client.get(f"/v1/connections/{campaign['connection_id']}", headers=owner.headers).json()
    customer_writes(container, owner, connection, "Quero!", wa_id=first["phone"].lstrip("+"))
    progress = _progress(client, owner, campaign)
    assert (progress["read"], progress["delivered"], progress["replied"]) == (1, 1, 1)
    assert (progress["failed"], progress["failed_by_reason"]) == (1, {"131026": 1})
    assert [r["id"] for r in _recipients(client, owner, campaign, replied=True)] == [first["id"]]
    assert [r["id"] for r in _recipients(client, owner, campaign, error_code=131026)] == [second["id"]]


def test_two_workers_on_the_same_campaign_never_send_to_anyone_twice(
    client: TestClient, meta: FakeMeta, container: Container, owner_engine: Engine
) -> None:
    owner = sign_up(client)
    campaign = make_campaign(client, owner, meta, contacts=30, rate_per_second=80)
    _start_only(client, owner, campaign, container)
    meta.send_delay = 0.02
    # two drivers at once, as when the queue delivers the job twice and the first one's lease has lapsed
    with _as(owner_engine, owner) as connection:
        connection.execute(text("UPDATE campaigns SET driver_until = now() - interval '1 second'"))
    results: list[str] = []

    def run() -> None:
        results.append(_drive(container, owner, campaign))

    first = threading.Thread(target=run)
    first.start()
    while not meta.sent:
        pass
    with _as(owner_engine, owner) as connection:  # the first driver's lease "expires" while it still sends
        connection.execute(text("UPDATE campaigns SET driver_until = now() - interval '1 second'"))
    second = threading.Thread(target=run)
    second.start()
    first.join()
    second.join()
    _pump(container)
    sent_to = Counter(b["to"] for b in meta.sent)
    assert len(sent_to) == 30 and max(sent_to.values()) == 1
    assert _progress(client, owner, campaign)["status"] == "completed"
    assert _drive(container, owner, campaign) == "busy"  # completed: nobody drives it any more
    assert len(meta.sent) == 30


def test_an_unknown_outcome_is_never_resent_and_is_settled_by_the_webhook_or_fails_as_unknown(
    client: TestClient, meta: FakeMeta, container: Container, owner_engine: Engine
) -> None:
    owner = sign_up(client)
    campaign = make_campaign(client, owner, meta, contacts=3)
    _start_only(client, owner, campaign, container)
    meta.script.extend(["timeout", "timeout", "connect"])  # two reach Meta unanswered; one never leaves
    assert _drive(container, owner, campaign) == "waiting"  # the refused one is retried a little later
    with _as(owner_engine, owner) as connection:
        connection.execute(text("UPDATE campaign_recipients SET next_attempt_at = now() WHERE status = 'pending'"))
    assert _drive(container, owner, campaign) == "settling"  # only unknown outcomes are left
    recipients = {r["phone"].lstrip("+"): r for r in _recipients(client, owner, campaign)}
    assert sorted(r["status"] for r in recipients.values()) == ["sent", "unknown", "unknown"]
    assert Counter(b["to"] for b in meta.sent).most_common(1)[0][1] == 1  # the refused one went once, later
    assert len(meta.sent) == 3
    unknown = [r for r in recipients.values() if r["status"] == "unknown"]
    stamp = str(int(datetime.now(UTC).timestamp()))
    _status_webhook(
        container, owner, campaign, id="wamid.late", status="delivered", timestamp=stamp,
        recipient_id=unknown[0]["phone"].lstrip("+"), biz_opaque_callback_data=ledger.opaque(unknown[0]["id"]),
    )  # fmt: skip
    assert _progress(client, owner, campaign)["status"] == "running"  # one outcome still unknown
    counts = planner.sweep(
        db=container.database, queue=container.queue, clock=container.clock, unknown_timeout=timedelta(0)
    )
    assert (counts["failed_unknown"], counts["completed"]) == (1, 1)
    progress = _progress(client, owner, campaign)
    assert (progress["status"], progress["delivered"], progress["failed_by_reason"]) == (
        "completed", 1, {"failed_unknown": 1},
    )  # fmt: skip
    assert len(meta.sent) == 3  # nothing was ever sent again


def test_an_earlier_attempts_error_is_cleared_once_the_recipient_is_sent_or_fails_as_unknown(
    client: TestClient, meta: FakeMeta, container: Container, owner_engine: Engine
) -> None:
    owner = sign_up(client)
    campaign = make_campaign(client, owner, meta, contacts=3)
    _start_only(client, owner, campaign, container)
    meta.script.extend([2, 2, 2])  # every first attempt refused: transient, retried
    _drive(container, owner, campaign)
    assert len(_recipients(client, owner, campaign, error_code=2)) == 3
    with _as(owner_engine, owner) as connection:
        connection.execute(text("UPDATE campaign_recipients SET next_attempt_at = now()"))
    meta.script.extend(["timeout", "timeout"])  # then two unanswered, one accepted
    _drive(container, owner, campaign)
    stamp = str(int(datetime.now(UTC).timestamp()))
    unknown = _recipients(client, owner, campaign, status="unknown")
    _status_webhook(
        container, owner, campaign, id="wamid.late", status="delivered", timestamp=stamp,
        recipient_id=unknown[0]["phone"].lstrip("+"), biz_opaque_callback_data=ledger.opaque(unknown[0]["id"]),
    )  # fmt: skip
    planner.sweep(db=container.database, queue=container.queue, clock=container.clock, unknown_timeout=timedelta(0))
    progress = _progress(client, owner, campaign)
    assert (progress["status"], progress["failed_by_reason"]) == ("completed", {"failed_unknown": 1})
    assert _recipients(client, owner, campaign, error_code=2) == []
    assert sorted((r["status"], r["error_code"], r["error_reason"]) for r in _recipients(client, owner, campaign)) == [
        ("delivered", None, None), ("failed", None, "failed_unknown"), ("sent", None, None),
    ]  # fmt: skip
    assert len(meta.sent) == 3  # each accepted or unanswered once, nothing resent


def test_a_status_that_says_what_the_ledger_says_writes_nothing(
    client: TestClient, meta: FakeMeta, container: Container, owner_engine: Engine
) -> None:
    owner = sign_up(client)
    campaign = make_campaign(client, owner, meta, contacts=1)
    _start_only(client, owner, campaign, container)
    _drive(container, owner, campaign)
    (recipient,) = _recipients(client, owner, campaign)

    def version() -> str:
        with _as(owner_engine, owner) as connection:
            return str(connection.execute(text("SELECT xmin FROM campaign_recipients")).scalar_one())

    stamp = str(int(datetime.now(UTC).timestamp()))
    status = {"id": recipient["wamid"], "timestamp": stamp, "recipient_id": recipient["phone"].lstrip("+"),
              "biz_opaque_callback_data": ledger.opaque(recipient["id"])}  # fmt: skip
    before = version()
    _status_webhook(container, owner, campaign, status="sent", **status)  # the sender recorded it already
    assert version() == before
    _status_webhook(container, owner, campaign, status="delivered", **status)
    assert version() != before
    (recipient,) = _recipients(client, owner, campaign)
    assert recipient["status"] == "delivered"


def _claimed_by_a_worker_that_dies(
    container: Container, owner: Account, campaign: dict[str, Any], owner_engine: Engine, *, posted: bool
) -> None:
    """A worker claims the due recipients (the claim commits before any call), marks them posted and sends them
    when ``posted``, then dies before recording the answers; their lease and the driver's run out."""
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        target = sender._target(
            session, container.company_keys, container.providers, _job(owner, campaign), container.clock.now()
        )
    assert not isinstance(target, str)
    claim = sender._claim(container.database, target, QUICK, container.clock)
    assert len(claim.batch.ids) == 2
    if posted:
        drive = sender._Drive(container.database, container.queue, container.clock, target, QUICK)
        assert sorted(drive.posting(claim.batch)) == sorted(claim.batch.ids)
        for message in claim.batch.messages:
            target.route.provider.send(message, target.route.config)
    with _as(owner_engine, owner) as connection:
        connection.execute(text("UPDATE campaign_recipients SET claimed_until = now() - interval '1 second'"))
        connection.execute(text("UPDATE campaigns SET driver_until = NULL"))


def test_a_crash_between_the_call_and_the_commit_leaves_the_recipient_unknown_not_resent(
    client: TestClient, meta: FakeMeta, container: Container, owner_engine: Engine
) -> None:
    owner = sign_up(client)
    campaign = make_campaign(client, owner, meta, contacts=2)
    _start_only(client, owner, campaign, container)
    _claimed_by_a_worker_that_dies(container, owner, campaign, owner_engine, posted=True)
    _drive(container, owner, campaign)
    assert len(meta.sent) == 2  # a new driver does not touch them
    counts = planner.sweep(db=container.database, queue=container.queue, clock=container.clock)
    assert (counts["expired"], counts["requeued"]) == (2, 0)
    assert {r["status"] for r in _recipients(client, owner, campaign)} == {"unknown"}
    _drive(container, owner, campaign)
    assert len(meta.sent) == 2  # never sent again


def test_a_crash_after_the_claim_and_before_posting_puts_the_recipients_back_and_sends_them_once(
    client: TestClient, meta: FakeMeta, container: Container, owner_engine: Engine
) -> None:
    owner = sign_up(client)
    campaign = make_campaign(client, owner, meta, contacts=2)
    _start_only(client, owner, campaign, container)
    _claimed_by_a_worker_that_dies(container, owner, campaign, owner_engine, posted=False)
    counts = planner.sweep(db=container.database, queue=container.queue, clock=container.clock)
    assert (counts["expired"], counts["requeued"]) == (0, 2)
    recipients = _recipients(client, owner, campaign)
    assert {(r["status"], r["attempts"]) for r in recipients} == {("pending", 0)}  # the claim's attempt not counted
    _drive(container, owner, campaign)
    assert len(meta.sent) == 2
    assert {r["status"] for r in _recipients(client, owner, campaign)} == {"sent"}


def test_a_worker_whose_lease_ran_out_before_posting_never_posts(
    client: TestClient, meta: FakeMeta, container: Container, owner_engine: Engine
) -> None:
    owner = sign_up(client)
    campaign = make_campaign(client, owner, meta, contacts=2)
    _start_only(client, owner, campaign, container)
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        target = sender._target(
            session, container.company_keys, container.providers, _job(owner, campaign), container.clock.now()
        )
    assert not isinstance(target, str)
    claim = sender._claim(container.database, target, QUICK, container.clock)
    with _as(owner_engine, owner) as connection:  # the worker stalls: its lease runs out, the sweeper requeues
        connection.execute(text("UPDATE campaign_recipients SET claimed_until = now() - interval '1 second'"))
    planner.sweep(db=container.database, queue=container.queue, clock=container.clock)
    drive = sender._Drive(container.database, container.queue, container.clock, target, QUICK)
    assert drive.posting(claim.batch) == []  # the stalled worker wakes: nothing of its claim is its to post


# ---- Meta's errors -----------------------------------------------------------------------------------


def test_meta_errors_retry_slow_down_fail_or_pause_as_meta_says(
    client: TestClient, meta: FakeMeta, container: Container, owner_engine: Engine
) -> None:
    owner = sign_up(client)
    campaign = make_campaign(client, owner, meta, contacts=6)
    _start_only(client, owner, campaign, container)
    # in order: pair rate, throughput, transient, final, a day later, then a campaign-stopping code
    meta.script.extend([131056, 130429, 2, 131026, 131049, 131048])
    assert _drive(container, owner, campaign) == "paused"
    by_code = {r["error_code"]: r for r in _recipients(client, owner, campaign)}
    now = datetime.now(UTC)
    pair = by_code[131056]
    assert pair["status"] == "pending" and pair["attempts"] == 1
    assert datetime.fromisoformat(pair["next_attempt_at"]) <= now + timedelta(seconds=2)  # 4^0 s
    assert by_code[130429]["status"] == "pending" and by_code[130429]["attempts"] == 0  # not its fault
    assert by_code[2]["status"] == "pending"
    assert by_code[131026]["status"] == "failed"
    later = datetime.fromisoformat(by_code[131049]["next_attempt_at"])
    assert timedelta(hours=23) < later - now < timedelta(hours=25)
    assert by_code[131048]["status"] == "pending"
    read = client.get(f"/v1/campaigns/{campaign['id']}", headers=owner.headers).json()
    assert read["status"] == "paused" and "131048" in read["status_reason"]
    assert read["current_rate"] < 80  # slowed down by 130429
    with _as(owner_engine, owner) as connection:
        backoff = connection.execute(text("SELECT backoff_until > now() FROM send_lanes")).scalar_one()
    assert backoff
    notes = client.get("/v1/notifications", headers=owner.headers).json()["items"]
    assert any(n["kind"] == "campaign.paused" for n in notes)

    # resumed: the retries go out (the 24-hour one waits), nothing is sent twice
    with _as(owner_engine, owner) as connection:
        connection.execute(text("UPDATE send_lanes SET backoff_until = NULL"))
        connection.execute(text("UPDATE campaign_recipients SET next_attempt_at = now() WHERE error_code <> 131049"))
    assert client.post(f"/v1/campaigns/{campaign['id']}/resume", headers=owner.headers).status_code == 200
    _pump(container)
    progress = _progress(client, owner, campaign)
    assert (progress["sent"], progress["failed"], progress["queued"], progress["status"]) == (4, 1, 1, "running")
    assert max(Counter(b["to"] for b in meta.sent).values()) <= 2  # refused once, accepted once


def _counted_over_the_ledger(engine: Engine, owner: Account, campaign: dict[str, Any]) -> dict[str, Any]:
    """What the progress counts say, counted over the whole ledger (as they were before the kept counts)."""
    with _as(engine, owner) as connection:
        by_status = dict(
            connection.execute(
                text("SELECT status, count(*) FROM campaign_recipients WHERE campaign_id = :c GROUP BY status"),
                {"c": campaign["id"]},
            ).all()
        )
        reasons = dict(
            connection.execute(
                text(
                    "SELECT coalesce(CAST(error_code AS text), error_reason, 'unknown'), count(*)"
                    " FROM campaign_recipients WHERE campaign_id = :c AND status = 'failed' GROUP BY 1"
                ),
                {"c": campaign["id"]},
            ).all()
        )
        replied = connection.scalar(
            text("SELECT count(*) FROM campaign_recipients WHERE campaign_id = :c AND replied_at IS NOT NULL"),
            {"c": campaign["id"]},
        )
    read = by_status.get("read", 0)
    return {
        "total": sum(by_status.values()), "queued": by_status.get("pending", 0), "failed": by_status.get("failed", 0),
        "sent": by_status.get("sent", 0) + by_status.get("delivered", 0) + read, "read": read,
        "failed_by_reason": reasons, "replied": replied, "skipped": by_status.get("skipped", 0),
    }  # fmt: skip


def test_progress_comes_from_counts_kept_as_the_ledger_changes(
    client: TestClient, meta: FakeMeta, container: Container, owner_engine: Engine
) -> None:
    owner = sign_up(client)
    campaign = make_campaign(client, owner, meta, contacts=8)
    _start_only(client, owner, campaign, container)  # planned: 8 inserted in one statement

    def kept() -> dict[str, Any]:
        progress = _progress(client, owner, campaign)
        return {key: progress[key] for key in _counted_over_the_ledger(owner_engine, owner, campaign)}

    assert kept() == _counted_over_the_ledger(owner_engine, owner, campaign) != {}
    meta.script.extend([131056, 2, 131026, 131026, 131049])  # retried, failed twice, a day later
    _drive(container, owner, campaign)
    recipients = [r for r in _recipients(client, owner, campaign) if r["status"] == "sent"][:3]
    now = str(int(datetime.now(UTC).timestamp()))
    assert len(recipients) == 3
    for recipient, status in zip(recipients, ("read", "delivered", "failed"), strict=True):
        error = {"errors": [{"code": 131047, "title": "Re-engagement message"}]} if status == "failed" else {}
        _status_webhook(
            container, owner, campaign, id=recipient["wamid"], status=status, timestamp=now,
            recipient_id=recipient["phone"].lstrip("+"), biz_opaque_callback_data=ledger.opaque(recipient["id"]),
            **error,
        )  # fmt: skip
    connection = client.get(f"/v1/connections/{campaign['connection_id']}", headers=owner.headers).json()
    customer_writes(container, owner, connection, "Quero!", wa_id=recipients[0]["phone"].lstrip("+"))
    counted = _counted_over_the_ledger(owner_engine, owner, campaign)
    assert counted["failed_by_reason"] == {"131026": 2, "131047": 1} and counted["replied"] == 1
    assert kept() == counted
    with _as(owner_engine, owner) as connection_:
        appended = connection_.scalar(text("SELECT count(*) FROM campaign_counts WHERE campaign_id = :c"),
                                      {"c": campaign["id"]})  # fmt: skip
    planner.sweep(db=container.database, queue=container.queue, clock=container.clock)  # folds them
    with _as(owner_engine, owner) as connection_:
        folded = connection_.scalar(text("SELECT count(*) FROM campaign_counts WHERE campaign_id = :c"),
                                    {"c": campaign["id"]})  # fmt: skip
    assert folded < appended and kept() == counted
    other = sign_up(client)  # another company reads none of them
    assert client.get(f"/v1/campaigns/{campaign['id']}/progress", headers=other.headers).status_code == 404


def test_transient_errors_are_retried_up_to_a_limit_then_failed_with_the_reason(
    client: TestClient, meta: FakeMeta, container: Container, owner_engine: Engine
) -> None:
    owner = sign_up(client)
    campaign = make_campaign(client, owner, meta, contacts=1)
    _start_only(client, owner, campaign, container)
    meta.script.extend([131000] * retries.MAX_TRANSIENT_ATTEMPTS)
    for _ in range(retries.MAX_TRANSIENT_ATTEMPTS):
        with _as(owner_engine, owner) as connection:
            connection.execute(text("UPDATE campaign_recipients SET next_attempt_at = NULL"))
        _drive(container, owner, campaign)
    (recipient,) = _recipients(client, owner, campaign)
    assert (recipient["status"], recipient["error_code"], recipient["attempts"]) == (
        "failed", 131000, retries.MAX_TRANSIENT_ATTEMPTS,
    )  # fmt: skip
    assert _progress(client, owner, campaign)["status"] == "completed"


def test_a_recipient_that_breaks_the_worker_goes_to_the_dead_letters_and_can_be_retried(
    client: TestClient, meta: FakeMeta, container: Container, owner_engine: Engine
) -> None:
    owner = sign_up(client)
    campaign = make_campaign(client, owner, meta, contacts=2)
    _start_only(client, owner, campaign, container)
    with _as(owner_engine, owner) as connection:  # a template row our code cannot read (a bug's stand-in)
        connection.execute(
            text('UPDATE whatsapp_templates SET components = components || \'[{"type": "BUTTONS", "buttons": "x"}]\'')
        )
    _drive(container, owner, campaign)
    progress = _progress(client, owner, campaign)
    assert (progress["failed_by_reason"], progress["status"]) == ({"worker_error": 2}, "completed")
    letters = client.get("/v1/campaigns/dead-letters", headers=owner.headers).json()["items"]
    assert len(letters) == 2 and "Traceback" in letters[0]["error"]
    agent = invite(client, owner, role="agent")
    assert client.get("/v1/campaigns/dead-letters", headers=agent.headers).status_code == 403
    with _as(owner_engine, owner) as connection:  # the bug is fixed
        connection.execute(text("UPDATE whatsapp_templates SET components = components - 1"))
    for letter in letters:
        retried = client.post(f"/v1/campaigns/dead-letters/{letter['id']}/retry", headers=owner.headers)
        assert retried.status_code == 200, retried.text
    again = client.post(f"/v1/campaigns/dead-letters/{letters[0]['id']}/retry", headers=owner.headers)
    assert again.status_code == 409
    _pump(container)
    progress = _progress(client, owner, campaign)
    assert (progress["sent"], progress["failed"], progress["status"]) == (2, 0, "completed")
    assert client.get("/v1/campaigns/dead-letters", headers=owner.headers).json()["items"] == []


# ---- pacing, pause and resume ------------------------------------------------------------------------


def test_no_one_second_window_holds_more_than_the_rate(
    client: TestClient, meta: FakeMeta, container: Container
) -> None:
    owner = sign_up(client)
    campaign = make_campaign(client, owner, meta, contacts=45, rate_per_second=20)
    _launch(client, owner, campaign, container)
    times = sorted(meta.sent_at)
    assert len(times) == 45
    busiest = max(sum(1 for t in times if start <= t < start + 1.0) for start in times)
    assert busiest <= 20
    assert (times[-1] - times[0]) / 44 >= 1 / 20  # evenly spaced, not bursts


def test_slots_reserved_concurrently_on_one_number_never_overlap(container: Container, client: TestClient) -> None:
    owner = sign_up(client)
    company, connection = uuid.UUID(owner.company_id), uuid.uuid4()
    with container.database.tenant(company) as session:
        session.execute(
            text(
                "INSERT INTO channel_connections (id, company_id, name, webhook_key, config)"
                " VALUES (:id, :company, 'n', :key, '')"
            ),
            {"id": connection, "company": company, "key": uuid.uuid4().hex},
        )
    reserved: list[pacer.Slots] = []

    def reserve() -> None:
        for _ in range(10):
            while True:  # as a campaign's claim does: the line holds less than a second of bulk, ask again
                with container.database.tenant(company) as session:
                    slots = pacer.reserve(session, company_id=company, connection_id=connection, count=5, rate=100)
                if slots.count:
                    reserved.append(slots)
                    break
                time.sleep(slots.retry_in.total_seconds())

    threads = [threading.Thread(target=reserve) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ordered = sorted(reserved, key=lambda s: s.first)
    assert len(ordered) == 30  # a grant near the horizon may hold fewer slots than asked: none overlaps
    for before, after in itertools.pairwise(ordered):
        assert after.first >= before.at(before.count - 1) + timedelta(seconds=before.interval) - timedelta(
            microseconds=1
        )


def test_pause_takes_effect_at_once_and_resume_continues_without_skipping_or_repeating(
    client: TestClient, meta: FakeMeta, container: Container
) -> None:
    owner = sign_up(client)
    campaign = make_campaign(client, owner, meta, contacts=40, rate_per_second=20)
    _start_only(client, owner, campaign, container)
    outcome: list[str] = []
    driver = threading.Thread(target=lambda: outcome.append(_drive(container, owner, campaign)))
    driver.start()
    while len(meta.sent) < 10:
        pass
    paused = client.post(f"/v1/campaigns/{campaign['id']}/pause", headers=owner.headers)
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    driver.join(timeout=2)  # within 2 s
    assert not driver.is_alive() and outcome == ["paused"]
    at_pause = len(meta.sent)
    assert at_pause < 40
    assert _drive(container, owner, campaign) == "busy"  # nobody sends a paused campaign
    assert len(meta.sent) == at_pause
    assert client.post(f"/v1/campaigns/{campaign['id']}/resume", headers=owner.headers).status_code == 200
    _pump(container)
    sent_to = Counter(b["to"] for b in meta.sent)
    assert len(sent_to) == 40 and max(sent_to.values()) == 1
    assert _progress(client, owner, campaign)["status"] == "completed"


def test_a_sending_window_closed_now_holds_the_campaign_until_it_opens(
    client: TestClient, meta: FakeMeta, container: Container
) -> None:
    owner = sign_up(client)
    now = datetime.now(UTC)
    closed = {
        "start": (now + timedelta(hours=2)).strftime("%H:00"),
        "end": (now + timedelta(hours=3)).strftime("%H:00"),
    }
    campaign = make_campaign(client, owner, meta, contacts=2, window={**closed, "timezone": "company"}, timezone="UTC")
    progress = _launch(client, owner, campaign, container)
    assert (progress["status"], progress["queued"], len(meta.sent)) == ("running", 2, 0)
    later = container.queue.receive(SEND_QUEUE)  # the driver comes back when the window opens
    assert later == []  # delayed: not visible yet


# ---- scheduling --------------------------------------------------------------------------------------


def test_a_schedule_that_fires_twice_starts_the_campaign_once_and_moves_or_goes_with_the_campaign(
    client: TestClient, meta: FakeMeta, container: Container, owner_engine: Engine
) -> None:
    owner = sign_up(client)
    campaign = make_campaign(client, owner, meta, contacts=3)
    url = f"/v1/campaigns/{campaign['id']}"
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0, tzinfo=None)
    local = client.post(
        f"{url}/schedule", headers=owner.headers, json={"at": tomorrow.isoformat(), "timezone": "America/Sao_Paulo"}
    )
    assert local.status_code == 200, local.text
    at = datetime.fromisoformat(local.json()["scheduled_at"])
    assert at == tomorrow.replace(tzinfo=UTC) + timedelta(hours=3)  # 09:00 in São Paulo is 12:00 UTC
    _pump(container, "campaign_scheduler")  # the schedule is an outbox job of the change
    with _as(owner_engine, owner) as connection:
        (fire_at,) = connection.execute(text("SELECT fire_at FROM scheduled_jobs")).one()
    assert fire_at == at
    moved = client.post(f"{url}/schedule", headers=owner.headers, json={"at": (at + timedelta(hours=1)).isoformat()})
    assert moved.status_code == 200
    _pump(container, "campaign_scheduler")
    scheduler = container.local_scheduler
    assert scheduler.fire_due(container.queue, at + timedelta(minutes=30)) == 0  # moved: not due yet
    assert scheduler.fire_due(container.queue, at + timedelta(hours=2)) == 1
    stale = StartJob(company_id=uuid.UUID(owner.company_id), campaign_id=uuid.UUID(campaign["id"]), at=at)
    container.queue.send(START_QUEUE, stale.model_dump_json())  # the old time, delivered late
    (fired,) = [
        m
        for m in container.queue.receive(START_QUEUE)
        if json.loads(m.body)["at"] != stale.model_dump(mode="json")["at"]
    ]
    container.queue.send(START_QUEUE, fired.body)  # and the right one, twice
    _pump(container)
    progress = _progress(client, owner, campaign)
    assert (progress["total"], progress["sent"], progress["status"]) == (3, 3, "completed")
    assert len(meta.sent) == 3

    other = make_campaign(client, owner, meta, contacts=1)
    other_url = f"/v1/campaigns/{other['id']}"
    client.post(f"{other_url}/schedule", headers=owner.headers, json={"at": (at + timedelta(days=1)).isoformat()})
    _pump(container, "campaign_scheduler")
    with _as(owner_engine, owner) as connection:
        assert connection.execute(text("SELECT count(*) FROM scheduled_jobs")).scalar_one() == 1
    assert client.post(f"{other_url}/cancel", headers=owner.headers).status_code == 200
    _pump(container, "campaign_scheduler")
    with _as(owner_engine, owner) as connection:
        assert connection.execute(text("SELECT count(*) FROM scheduled_jobs")).scalar_one() == 0


def test_the_sweeper_starts_a_campaign_whose_schedule_was_lost(
    client: TestClient, meta: FakeMeta, container: Container, owner_engine: Engine
) -> None:
    owner = sign_up(client)
    campaign = make_campaign(client, owner, meta, contacts=1)
    soon = datetime.now(UTC) + timedelta(minutes=5)
    client.post(f"/v1/campaigns/{campaign['id']}/schedule", headers=owner.headers, json={"at": soon.isoformat()})
    with _as(owner_engine, owner) as connection:
        connection.execute(text("DELETE FROM scheduled_jobs"))
        connection.execute(text("UPDATE campaigns SET scheduled_at = now() - interval '10 minutes'"))

    class Later:
        def now(self) -> datetime:
            return datetime.now(UTC)

    counts = planner.sweep(db=container.database, queue=container.queue, clock=Later())
    assert counts["started"] == 1
    _pump(container)
    assert _progress(client, owner, campaign)["status"] == "completed"


def test_the_sweeper_restarts_a_driver_only_for_recipients_due_and_left_behind(
    client: TestClient, meta: FakeMeta, container: Container, owner_engine: Engine
) -> None:
    owner = sign_up(client)
    campaign = make_campaign(client, owner, meta, contacts=2)
    _start_only(client, owner, campaign, container)  # running, no driver, its send job gone

    def sweep() -> int:
        restarted = planner.sweep(db=container.database, queue=container.queue, clock=container.clock)["restarted"]
        container.queue.delete(SEND_QUEUE, [m.receipt for m in container.queue.receive(SEND_QUEUE)])
        return restarted

    assert sweep() == 1  # never tried: a driver at once
    with _as(owner_engine, owner) as connection:  # retries a day away (131049) have their delayed job
        connection.execute(text("UPDATE campaign_recipients SET next_attempt_at = now() + interval '24 hours'"))
    assert (sweep(), sweep()) == (0, 0)  # not every minute for a day
    with _as(owner_engine, owner) as connection:  # due a few seconds ago: its job is about to come
        connection.execute(text("UPDATE campaign_recipients SET next_attempt_at = now() - interval '5 seconds'"))
    assert sweep() == 0
    with _as(owner_engine, owner) as connection:  # long past due and nobody sending: its job was lost
        connection.execute(text("UPDATE campaign_recipients SET next_attempt_at = now() - interval '5 minutes'"))
    assert planner.sweep(db=container.database, queue=container.queue, clock=container.clock)["restarted"] == 1
    _pump(container)  # the driver it started sends them
    assert _progress(client, owner, campaign)["sent"] == 2


@pytest.mark.parametrize("role", ["agent"])
def test_agents_cannot_manage_campaigns(role: str, client: TestClient, meta: FakeMeta) -> None:
    owner = sign_up(client)
    campaign = make_campaign(client, owner, meta)
    member = invite(client, owner, role=role)
    body = {k: campaign[k] for k in ("name", "connection_id", "whatsapp_template_id", "audience")}
    assert client.post("/v1/campaigns", headers=member.headers, json=body).status_code == 403
    assert (
        client.patch(f"/v1/campaigns/{campaign['id']}", headers=member.headers, json={"name": "x"}).status_code == 403
    )
    make_contact(client, owner)


def test_recipient_statuses_reach_only_the_companies_whose_endpoints_ask_for_them(
    client: TestClient, meta: FakeMeta, container: Container, owner_engine: Engine
) -> None:
    asking, quiet = sign_up(client), sign_up(client)
    local = {"webhooks_allow_http": True, "webhooks_allow_private": True}  # an endpoint on this machine
    container.settings = container.settings.model_copy(update=local)  # type: ignore[misc]
    for account, types in ((asking, ["campaign.recipient.status"]), (quiet, ["campaign.completed"])):
        endpoint = {"url": "http://127.0.0.1:9/masteria", "event_types": types}
        assert client.post("/v1/webhooks/endpoints", headers=account.headers, json=endpoint).status_code == 201

    def statuses(account: Account) -> list[dict[str, Any]]:
        with _as(owner_engine, account) as connection:
            rows = connection.execute(
                text("SELECT data FROM outbox_events WHERE type = 'campaign.recipient.status' ORDER BY id")
            ).scalars()
            return list(rows)

    for account in (asking, quiet):
        campaign = make_campaign(client, account, meta, contacts=2)
        _start_only(client, account, campaign, container)
        _drive(container, account, campaign)
        first, second = _recipients(client, account, campaign)
        stamp = str(int(datetime.now(UTC).timestamp()))
        failure = {"errors": [{"code": 131049, "title": "This message was not delivered"}]}
        for recipient, status, extra in (
            (first, "delivered", {}),
            (first, "read", {}),
            (second, "failed", failure),
            (second, "failed", failure),  # Meta's redelivery: no second event
        ):
            _status_webhook(
                container, account, campaign, id=recipient["wamid"], status=status, timestamp=stamp,
                recipient_id=recipient["phone"].lstrip("+"), biz_opaque_callback_data=ledger.opaque(recipient["id"]),
                **extra,
            )  # fmt: skip
        if account is asking:
            # THEN one event per recipient and status that moved, with the failure's code and reason
            # (the sender records "sent" itself, as Meta accepts each message)
            events = statuses(account)
            assert sorted((e["recipient_id"], e["status"]) for e in events[:2]) == [
                (first["id"], "sent"), (second["id"], "sent"),
            ]  # fmt: skip
            assert [(e["recipient_id"], e["status"], e.get("error_code")) for e in events[2:]] == [
                (first["id"], "delivered", None),
                (first["id"], "read", None),
                (second["id"], "failed", 131049),
            ]
            assert {e["campaign_id"] for e in events} == {campaign["id"]}
            assert events[4]["error_reason"] == "This message was not delivered"
    # and a company whose endpoints did not ask records none (a million-recipient campaign adds no events)
    assert statuses(quiet) == []
