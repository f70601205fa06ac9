"""What other services hold of our state follows it through outbox jobs, on the real database and queue: a
connection's inbound secret (the store the Meta webhook function reads) and a campaign's one-time schedule.
When the queue fails after the commit (a failing queue adapter at the edge), the outbox sweeper sends the job
and its worker brings the service in line; a repeated or late job changes nothing; a job carries no secret."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from fastapi.testclient import TestClient
from moto import mock_aws
from sqlalchemy import Engine, select, text

from functions.webhooks import meta as meta_webhook
from masteria import jobs
from masteria.adapters.aws.eventbridge_scheduler import EventBridgeScheduler
from masteria.bootstrap import Container
from masteria.campaigns import schedules
from masteria.campaigns.jobs import START_QUEUE, StartJob
from masteria.channels import secret_jobs
from masteria.jobs import OutboxJob
from masteria.ports import InboundSecret, InboundSecrets, Queue
from tests.api import Account, make_campaign, make_connection, run_queue, sign_up
from tests.functions.events import FakeContext
from tests.meta import FakeMeta
from tests.meta_webhooks import sign, webhook_event

APP_SECRET, NEW_APP_SECRET = "app-secret-0123456789abcdef", "app-secret-rotated-9876543210"
VERIFY_TOKEN = "verify-token-0123456789abcdef"


class FakeClock:
    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def now(self) -> datetime:
        return self.at


class FailingQueue:
    """The queue adapter, failing every send while ``down`` (the queue unreachable right after a commit)."""

    def __init__(self, real: Queue) -> None:
        self.real, self.down = real, True

    def send(self, queue: str, body: str, *, delay_seconds: int = 0) -> str:
        return self.send_batch(queue, [body], delay_seconds=delay_seconds)[0]

    def send_batch(self, queue: str, bodies: Sequence[str], *, delay_seconds: int = 0) -> list[str]:
        if self.down:
            raise ConnectionError("the queue is unreachable")
        return self.real.send_batch(queue, bodies, delay_seconds=delay_seconds)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


@pytest.fixture
def clock(container: Container) -> FakeClock:
    fake = FakeClock()
    container.clock = fake  # type: ignore[misc]
    return fake


@pytest.fixture
def failing(container: Container) -> FailingQueue:
    queue = FailingQueue(container.queue)
    container.queue = queue  # type: ignore[misc]
    return queue


def _recover(container: Container, failing: FailingQueue, clock: FakeClock, function: str) -> int:
    """The queue is back: the outbox sweeper sends what the relay missed, then ``function`` runs it."""
    failing.down = False
    sent = jobs.sweep(container.database, container.queue, clock)
    assert run_queue(container, function) == sent
    return sent


def _bodies(container: Container, account: Account, queue: str) -> list[str]:
    with container.database.tenant(uuid.UUID(account.company_id)) as session:
        return list(session.scalars(select(OutboxJob.body).where(OutboxJob.queue == queue).order_by(OutboxJob.id)))


def _meta(event: dict[str, Any]) -> int:
    meta_webhook._cache.clear()  # a cold webhook function: it reads the store, not its minute of cache
    status: int = meta_webhook.handler(event, FakeContext())["statusCode"]
    return status


def _signed_post(key: str, app_secret: str) -> int:
    raw = b'{"object":"whatsapp_business_account","entry":[]}'
    return _meta(webhook_event("POST", key, raw=raw, headers={"x-hub-signature-256": sign(raw, app_secret)}))


# ---- a connection's inbound secret --------------------------------------------------------------------------


def test_a_connection_secret_lost_after_commit_is_published_by_the_sweeper_and_removed_once_deleted(
    client: TestClient, container: Container, meta: FakeMeta, clock: FakeClock, failing: FailingQueue
) -> None:
    # GIVEN a connection created while the queue fails right after the commit
    owner = sign_up(client)
    meta.add_number("106540352242922", "102290129340398", "EAAG-good-token")
    body = {
        "name": "Vendas", "phone_number_id": "106540352242922", "waba_id": "102290129340398",
        "access_token": "EAAG-good-token", "app_secret": APP_SECRET, "verify_token": VERIFY_TOKEN,
    }  # fmt: skip
    created = client.post("/v1/connections", headers=owner.headers, json=body)
    assert created.status_code == 201, created.text  # the failed send is not the caller's error
    connection_id, key = uuid.UUID(created.json()["id"]), created.json()["webhook_url"].rsplit("/", 1)[1]
    store = container.inbound_secrets
    assert store.get(key) is None and _signed_post(key, APP_SECRET) == 404  # Meta would be refused for now
    # the job names the connection and its key, never a secret
    (job,) = _bodies(container, owner, secret_jobs.QUEUE)
    assert json.loads(job) == {"company_id": owner.company_id, "connection_id": str(connection_id), "webhook_key": key}
    for secret in (APP_SECRET, VERIFY_TOKEN, "EAAG-good-token"):
        assert secret not in job

    # WHEN the queue is back THEN the sweeper sends the job and the worker publishes the secret
    assert _recover(container, failing, clock, "connection_secrets") == 1
    published = InboundSecret(
        company_id=uuid.UUID(owner.company_id), connection_id=connection_id, app_secret=APP_SECRET,
        verify_token=VERIFY_TOKEN,
    )  # fmt: skip
    assert store.get(key) == published
    handshake = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    assert _meta(webhook_event("GET", key, query=handshake)) == 200
    assert _signed_post(key, APP_SECRET) == 200
    container.queue.delete("inbound", [m.receipt for m in container.queue.receive("inbound", max_messages=10)])
    # a repeated job changes nothing
    container.queue.send(secret_jobs.QUEUE, job)
    assert run_queue(container, "connection_secrets") == 1
    assert store.get(key) == published

    # a new app secret follows; the first job, run late, publishes today's secret, not its own day's
    failing.down = True
    url = f"/v1/connections/{connection_id}"
    patched = client.patch(url, headers=owner.headers, json={"app_secret": NEW_APP_SECRET})
    assert patched.status_code == 200, patched.text
    assert store.get(key) == published  # not yet
    assert _recover(container, failing, clock, "connection_secrets") == 1
    rotated = dataclasses.replace(published, app_secret=NEW_APP_SECRET)
    assert store.get(key) == rotated
    container.queue.send(secret_jobs.QUEUE, job)
    run_queue(container, "connection_secrets")
    assert store.get(key) == rotated
    assert (_signed_post(key, APP_SECRET), _signed_post(key, NEW_APP_SECRET)) == (401, 200)
    container.queue.delete("inbound", [m.receipt for m in container.queue.receive("inbound", max_messages=10)])

    # a deleted connection's key is removed, also when the queue failed after that commit
    failing.down = True
    assert client.delete(url, headers=owner.headers).status_code == 204
    assert store.get(key) == rotated  # not yet
    assert _recover(container, failing, clock, "connection_secrets") == 1
    assert store.get(key) is None and _signed_post(key, NEW_APP_SECRET) == 404
    container.queue.send(secret_jobs.QUEUE, job)  # and a repeat, or the creation's job run late, puts nothing back
    assert run_queue(container, "connection_secrets") == 1
    assert store.get(key) is None


class DeletedDuringPut:
    """The store adapter, with the connection deleted by another transaction while the worker puts its secret
    (a concurrent delete, whose own job ran first): the worker must not leave the secret behind."""

    def __init__(self, real: InboundSecrets, owner_engine: Engine, account: Account) -> None:
        self.real, self.engine, self.account, self.puts = real, owner_engine, account, 0

    def put(self, webhook_key: str, secret: InboundSecret) -> None:
        self.real.put(webhook_key, secret)
        self.puts += 1
        with self.engine.begin() as db:
            db.execute(text("SELECT set_config('app.company_id', :c, true)"), {"c": self.account.company_id})
            db.execute(text("DELETE FROM channel_connections WHERE id = :id"), {"id": str(secret.connection_id)})

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def test_a_connection_deleted_while_its_secret_is_put_does_not_leave_the_secret_behind(
    client: TestClient, container: Container, meta: FakeMeta, owner_engine: Engine
) -> None:
    owner = sign_up(client)
    meta.add_number("106540352242923", "102290129340398", "EAAG-good-token")
    body = {
        "name": "Vendas", "phone_number_id": "106540352242923", "waba_id": "102290129340398",
        "access_token": "EAAG-good-token", "app_secret": APP_SECRET,
    }  # fmt: skip
    created = client.post("/v1/connections", headers=owner.headers, json=body)
    assert created.status_code == 201, created.text
    key = created.json()["webhook_url"].rsplit("/", 1)[1]
    real = container.inbound_secrets
    racing = DeletedDuringPut(real, owner_engine, owner)
    container.inbound_secrets = racing  # type: ignore[misc]
    assert run_queue(container, "connection_secrets") == 1
    assert racing.puts == 1 and real.get(key) is None  # it read again after the put, and removed it


# ---- a campaign's one-time schedule -------------------------------------------------------------------------


def _schedules(owner_engine: Engine) -> list[tuple[str, datetime, str, str]]:
    with owner_engine.begin() as db:
        rows = db.execute(text("SELECT name, fire_at, queue, body FROM scheduled_jobs ORDER BY name")).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def _schedule(client: TestClient, owner: Account, campaign: dict[str, Any], at: datetime | None) -> datetime:
    body = {} if at is None else {"at": at.isoformat()}
    response = client.post(f"/v1/campaigns/{campaign['id']}/schedule", headers=owner.headers, json=body)
    assert response.status_code == 200, response.text
    return datetime.fromisoformat(response.json()["scheduled_at"])


def test_a_schedule_lost_after_commit_is_created_by_the_sweeper_moved_and_removed_with_the_campaign(
    client: TestClient, container: Container, meta: FakeMeta, owner_engine: Engine, clock: FakeClock
) -> None:
    owner = sign_up(client)
    campaign = make_campaign(client, owner, meta, contacts=1)
    failing = FailingQueue(container.queue)
    container.queue = failing  # type: ignore[misc]
    # GIVEN a campaign scheduled for tomorrow while the queue fails right after the commit
    at = _schedule(client, owner, campaign, clock.now().replace(microsecond=0) + timedelta(days=1))
    assert _schedules(owner_engine) == []
    (job,) = _bodies(container, owner, schedules.QUEUE)
    assert json.loads(job) == {"company_id": owner.company_id, "campaign_id": campaign["id"]}
    # WHEN the queue is back THEN the sweeper sends the job and the worker creates the schedule
    assert _recover(container, failing, clock, "campaign_scheduler") == 1
    name = f"campaign-{campaign['id']}"
    start = StartJob(company_id=uuid.UUID(owner.company_id), campaign_id=uuid.UUID(campaign["id"]), at=at)
    assert _schedules(owner_engine) == [(name, at, START_QUEUE, start.model_dump_json())]
    # a repeated job changes nothing
    container.queue.send(schedules.QUEUE, job)
    assert run_queue(container, "campaign_scheduler") == 1
    assert _schedules(owner_engine) == [(name, at, START_QUEUE, start.model_dump_json())]

    # moved an hour: the schedule moves; the first job, run late, keeps the new time
    later = _schedule(client, owner, campaign, at + timedelta(hours=1))
    assert run_queue(container, "campaign_scheduler") == 1
    container.queue.send(schedules.QUEUE, job)
    assert run_queue(container, "campaign_scheduler") == 1
    moved = start.model_copy(update={"at": later})
    assert _schedules(owner_engine) == [(name, later, START_QUEUE, moved.model_dump_json())]

    # cancelled while the queue fails: the schedule goes once the sweeper sends the job; repeats change nothing
    failing.down = True
    assert client.post(f"/v1/campaigns/{campaign['id']}/cancel", headers=owner.headers).status_code == 200
    assert len(_schedules(owner_engine)) == 1
    assert _recover(container, failing, clock, "campaign_scheduler") == 1
    assert _schedules(owner_engine) == []
    container.queue.send(schedules.QUEUE, job)
    assert run_queue(container, "campaign_scheduler") == 1
    assert _schedules(owner_engine) == []
    assert container.local_scheduler.fire_due(container.queue, later + timedelta(minutes=1)) == 0


def test_a_schedule_job_run_after_its_time_starts_the_campaign_instead(
    client: TestClient, container: Container, meta: FakeMeta, owner_engine: Engine, clock: FakeClock
) -> None:
    owner = sign_up(client)
    campaign = make_campaign(client, owner, meta, contacts=1)
    failing = FailingQueue(container.queue)
    container.queue = failing  # type: ignore[misc]
    at = _schedule(client, owner, campaign, clock.now() + timedelta(seconds=30))
    clock.at += timedelta(minutes=1)  # the sweeper sends the job a minute later: its time has passed
    assert _recover(container, failing, clock, "campaign_scheduler") == 1
    assert _schedules(owner_engine) == []  # no schedule in the past
    (started,) = [StartJob.model_validate_json(m.body) for m in container.queue.receive(START_QUEUE)]
    assert (str(started.campaign_id), started.at) == (campaign["id"], at)
    container.queue.send(START_QUEUE, started.model_dump_json())  # back, for the starter (the receive hid it)
    run_queue(container, "campaign_starter")
    assert client.get(f"/v1/campaigns/{campaign['id']}", headers=owner.headers).json()["status"] == "running"
    # the same job again: the campaign is running, nothing is scheduled or started again
    (job,) = _bodies(container, owner, schedules.QUEUE)
    container.queue.send(schedules.QUEUE, job)
    assert run_queue(container, "campaign_scheduler") == 1
    assert _schedules(owner_engine) == [] and container.queue.receive(START_QUEUE) == []


def test_a_job_naming_a_key_that_is_not_its_connections_removes_nothing(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner, other = sign_up(client), sign_up(client)
    theirs = make_connection(client, other, meta)  # published by its job
    key = theirs["webhook_url"].rsplit("/", 1)[1]
    held = container.inbound_secrets.get(key)
    assert held is not None and str(held.connection_id) == theirs["id"]
    for company, connection in ((owner.company_id, uuid.uuid4()), (owner.company_id, theirs["id"])):
        forged = secret_jobs.SecretJob(company_id=company, connection_id=connection, webhook_key=key)
        container.queue.send(secret_jobs.QUEUE, forged.model_dump_json())
    assert run_queue(container, "connection_secrets") == 2  # the owner's company sees no such connection
    assert container.inbound_secrets.get(key) == held


def test_on_eventbridge_scheduler_the_worker_creates_moves_and_deletes_the_campaigns_schedule(
    client: TestClient, container: Container, meta: FakeMeta, clock: FakeClock
) -> None:
    owner = sign_up(client)
    campaign = make_campaign(client, owner, meta, contacts=1)
    group, name = "masteria-dev-schedules", f"campaign-{campaign['id']}"
    with mock_aws():
        aws = boto3.client("scheduler", region_name="us-east-1")
        aws.create_schedule_group(Name=group)
        container.scheduler = EventBridgeScheduler(  # type: ignore[misc]
            aws, group=group, role_arn="arn:aws:iam::123456789012:role/scheduler",
            url_prefix="https://sqs.us-east-1.amazonaws.com/123456789012/masteria-dev-", dead_letter_arn=None,
        )  # fmt: skip
        at = _schedule(client, owner, campaign, clock.now().replace(microsecond=0) + timedelta(days=1))
        assert run_queue(container, "campaign_scheduler") == 1
        found = aws.get_schedule(Name=name, GroupName=group)
        assert found["ScheduleExpression"] == f"at({at.strftime('%Y-%m-%dT%H:%M:%S')})"
        assert StartJob.model_validate_json(found["Target"]["Input"]).at == at
        later = _schedule(client, owner, campaign, at + timedelta(hours=1))
        assert run_queue(container, "campaign_scheduler") == 1
        moved = aws.get_schedule(Name=name, GroupName=group)
        assert moved["ScheduleExpression"] == f"at({later.strftime('%Y-%m-%dT%H:%M:%S')})"
        assert client.post(f"/v1/campaigns/{campaign['id']}/cancel", headers=owner.headers).status_code == 200
        assert run_queue(container, "campaign_scheduler") == 1
        assert aws.list_schedules(GroupName=group)["Schedules"] == []
