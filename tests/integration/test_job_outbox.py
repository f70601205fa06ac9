"""Jobs through the transactional outbox, on the real database and queue: sent once right after their commit,
never for a rolled-back change; when the queue fails after the commit (a failing queue adapter at the edge),
the sweeper sends them; work in hand past its expiry (an import processing with no heartbeat, an attempt the
dispatcher never answered, a delivery whose job was lost) is taken up again. Time moves on a fake clock."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text
from sqlalchemy.dialects import postgresql

from functions.local.pump import sqs_event
from functions.workers import outbox_sweeper
from masteria import jobs
from masteria.adapters.aws.sqs_queue import SqsQueue
from masteria.bootstrap import Container
from masteria.campaigns import planner
from masteria.campaigns.jobs import SEND_QUEUE, START_QUEUE, SendJob, StartJob
from masteria.contacts import import_jobs
from masteria.contacts.models import Contact, ContactImport
from masteria.event_payloads import ContactCreatedPayload
from masteria.events import record_event
from masteria.jobs import OutboxJob, record_job
from masteria.ports import MAX_MESSAGE_BYTES, BatchRefused, Queue, ReceivedMessage
from masteria.settings import Settings
from masteria.webhooks import delivery
from masteria.webhooks import sweep as deliveries
from masteria.webhooks.delivery import DeliverJob, DispatchJob, Outcome
from masteria.webhooks.dispatch import dispatch
from masteria.webhooks.models import WebhookAttempt, WebhookDelivery
from tests.api import Account, make_campaign, make_custom_field, sign_up
from tests.functions.events import FakeContext
from tests.meta import FakeMeta
from tests.sink import Sink, sink

CSV = b"Telefone;Nome\n11912345678;Ana\n11912345679;Bruno\n"


class FakeClock:
    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def now(self) -> datetime:
        return self.at


class FailingQueue:
    """The queue adapter, failing every send while ``down`` (the queue unreachable right after a commit)."""

    def __init__(self, real: Queue) -> None:
        self.real, self.down, self.sent = real, True, 0

    def send(self, queue: str, body: str, *, delay_seconds: int = 0) -> str:
        return self.send_batch(queue, [body], delay_seconds=delay_seconds)[0]

    def send_batch(self, queue: str, bodies: Sequence[str], *, delay_seconds: int = 0) -> list[str]:
        if self.down:
            raise ConnectionError("the queue is unreachable")
        self.sent += len(bodies)
        return self.real.send_batch(queue, bodies, delay_seconds=delay_seconds)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"webhooks_allow_http": True, "webhooks_allow_private": True})


@pytest.fixture
def clock(container: Container) -> FakeClock:
    fake = FakeClock()
    container.clock = fake  # type: ignore[misc]
    return fake


@pytest.fixture
def receiver() -> Iterator[Sink]:
    with sink() as running:
        yield running


def _take(container: Container, queue: str) -> list[str]:
    messages = container.queue.receive(queue, max_messages=10)
    container.queue.delete(queue, [m.receipt for m in messages])
    return [m.body for m in messages]


def _uploaded(client: TestClient, owner: Account) -> str:
    created = client.post("/v1/contacts/imports", headers=owner.headers, json={"filename": "c.csv"}).json()
    uploaded = client.put(f"/v1/contacts/imports/{created['id']}/file", headers=owner.headers, content=CSV)
    assert uploaded.status_code == 200, uploaded.text
    return str(created["id"])


def _start(client: TestClient, owner: Account, import_id: str) -> None:
    started = client.post(f"/v1/contacts/imports/{import_id}/start", headers=owner.headers, json={})
    assert started.status_code == 202, started.text


def _run(container: Container, bodies: list[str]) -> None:
    from functions.workers.contacts_importer import handler

    messages = [
        ReceivedMessage(message_id=str(i), receipt=str(i), body=b, receive_count=1) for i, b in enumerate(bodies)
    ]
    assert handler(sqs_event(import_jobs.QUEUE, messages), FakeContext()) == {"batchItemFailures": []}


def _import(container: Container, owner: Account, import_id: str) -> ContactImport:
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        return session.get_one(ContactImport, uuid.UUID(import_id))


def test_the_relay_sends_each_job_once_after_commit_and_never_a_rolled_back_one(
    client: TestClient, container: Container, clock: FakeClock
) -> None:
    company = uuid.UUID(sign_up(client).company_id)
    queue = import_jobs.QUEUE
    with container.database.tenant(company) as session:
        record_job(session, company_id=company, queue=queue, body='{"n": 1}')
        session.flush()
        assert _take(container, queue) == []  # not before the commit
    assert _take(container, queue) == ['{"n": 1}']
    with pytest.raises(RuntimeError), container.database.tenant(company) as session:
        record_job(session, company_id=company, queue=queue, body='{"n": "rolled back"}')
        raise RuntimeError("the use case failed")
    assert jobs.sweep(container.database, container.queue, clock) == 0  # nothing left, nothing sent twice
    with pytest.raises(ValueError, match="at most"), container.database.tenant(company) as session:
        record_job(session, company_id=company, queue=queue, body="x" * (MAX_MESSAGE_BYTES + 1))  # refused at once
    assert _take(container, queue) == []
    # a job due in an hour waits in the outbox until it is due within SQS's delay; a stale one is never sent
    with container.database.tenant(company) as session:
        record_job(
            session, company_id=company, queue=queue, body='{"n": 2}', deliver_at=clock.now() + timedelta(hours=1)
        )
        record_job(session, company_id=company, queue=queue, body='{"n": 3}', expires_at=clock.now())
    assert container.queue.approximate_depth(queue) == 0
    assert jobs.sweep(container.database, container.queue, clock) == 0
    clock.at += timedelta(minutes=50)
    assert jobs.sweep(container.database, container.queue, clock) == 1
    assert container.queue.approximate_depth(queue) == 1 and _take(container, queue) == []  # delayed ~10 minutes
    with container.database.tenant(company) as session:
        assert session.scalar(select(OutboxJob.id).where(OutboxJob.relayed_at.is_(None))) is None
    assert jobs.purge(container.database, clock) == 0  # kept a day
    clock.at += jobs.KEEP_RELAYED + timedelta(minutes=1)
    assert jobs.purge(container.database, clock) == 3
    with container.database.tenant(company) as session:
        assert session.scalar(select(OutboxJob.id)) is None  # relayed rows are purged after a day


def test_an_import_whose_job_is_lost_after_commit_is_sent_by_the_sweeper_and_runs(
    client: TestClient, container: Container, clock: FakeClock
) -> None:
    owner = sign_up(client)
    import_id = _uploaded(client, owner)
    failing = FailingQueue(container.queue)
    container.queue = failing  # type: ignore[misc]
    _start(client, owner, import_id)  # committed; the send after it fails (logged, not the caller's error)
    assert _import(container, owner, import_id).status == "queued"
    assert _take(container, import_jobs.QUEUE) == []
    failing.down = False
    assert jobs.sweep(container.database, container.queue, clock) == 1
    bodies = _take(container, import_jobs.QUEUE)
    assert len(bodies) == 1
    assert jobs.sweep(container.database, container.queue, clock) == 0  # sent once
    _run(container, bodies)
    done = _import(container, owner, import_id)
    assert (done.status, done.inserted, done.expires_at) == ("completed", 2, None)


def test_an_import_processing_without_a_heartbeat_is_taken_up_again_and_fails_after_three_stops(
    client: TestClient, container: Container, clock: FakeClock
) -> None:
    owner = sign_up(client)
    company = uuid.UUID(owner.company_id)

    def stopped_run(import_id: str) -> None:
        """A run takes the import, then its process dies (no chunk committed, nothing released)."""
        _take(container, import_jobs.QUEUE)
        with container.database.tenant(company) as session:
            import_jobs.take(session.get_one(ContactImport, uuid.UUID(import_id), with_for_update=True), clock.now())

    import_id = _uploaded(client, owner)
    _start(client, owner, import_id)
    stopped_run(import_id)
    clock.at += timedelta(minutes=9)
    assert import_jobs.sweep(db=container.database, clock=clock) == {"requeued": 0, "failed": 0}  # still alive
    clock.at += timedelta(minutes=2)
    assert import_jobs.sweep(db=container.database, clock=clock) == {"requeued": 1, "failed": 0}
    again = _import(container, owner, import_id)
    assert (again.status, again.stalls, again.attempt) == ("queued", 1, 1)
    bodies = _take(container, import_jobs.QUEUE)
    assert len(bodies) == 1  # its job, relayed right after the sweeper's commit
    _run(container, bodies)
    done = _import(container, owner, import_id)
    assert (done.status, done.inserted, done.stalls, done.attempt) == ("completed", 2, 0, 2)

    stuck = _uploaded(client, owner)
    _start(client, owner, stuck)
    for stops in range(1, 4):
        stopped_run(stuck)
        clock.at += timedelta(minutes=11)
        expected = {"requeued": 0, "failed": 1} if stops == 3 else {"requeued": 1, "failed": 0}
        assert import_jobs.sweep(db=container.database, clock=clock) == expected
    failed = _import(container, owner, stuck)
    assert failed.status == "failed" and failed.error is not None and "stopped 3 times" in failed.error
    assert import_jobs.sweep(db=container.database, clock=clock) == {"requeued": 0, "failed": 0}


def test_a_queued_import_whose_job_never_started_is_queued_again(
    client: TestClient, container: Container, clock: FakeClock
) -> None:
    owner = sign_up(client)
    import_id = _uploaded(client, owner)
    _start(client, owner, import_id)
    assert len(_take(container, import_jobs.QUEUE)) == 1  # then lost (dead-lettered, say)
    clock.at += import_jobs.QUEUED_EXPIRY + timedelta(seconds=1)
    assert import_jobs.sweep(db=container.database, clock=clock) == {"requeued": 1, "failed": 0}
    assert _import(container, owner, import_id).stalls == 0  # waiting in the queue is no stall
    _run(container, _take(container, import_jobs.QUEUE))
    assert _import(container, owner, import_id).status == "completed"


def _endpoint(client: TestClient, owner: Account, url: str) -> str:
    created = client.post(
        "/v1/webhooks/endpoints", headers=owner.headers, json={"url": url, "event_types": ["contact.created"]}
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def _test_event(client: TestClient, owner: Account, endpoint_id: str) -> None:
    sent = client.post(
        f"/v1/webhooks/endpoints/{endpoint_id}/test", headers=owner.headers, json={"event_type": "contact.created"}
    )
    assert sent.status_code == 202 and sent.json() == {"queued": 1}, sent.text


def _delivery(container: Container, owner: Account, delivery_id: uuid.UUID) -> WebhookDelivery:
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        return session.get_one(WebhookDelivery, delivery_id)


def _outbox_bodies(container: Container, owner: Account, queue: str) -> list[str]:
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        return list(session.scalars(select(OutboxJob.body).where(OutboxJob.queue == queue).order_by(OutboxJob.id)))


def test_a_delivery_whose_job_is_lost_is_queued_again_but_not_one_whose_job_waits_or_lags(
    client: TestClient, container: Container, clock: FakeClock, receiver: Sink
) -> None:
    owner = sign_up(client)
    endpoint_id = _endpoint(client, owner, receiver.url)
    failing = FailingQueue(container.queue)
    container.queue = failing  # type: ignore[misc]
    _test_event(client, owner, endpoint_id)  # the delivery committed, the send after it failed
    assert _take(container, delivery.QUEUE) == []
    # the queue stays down for hours: the job waits in the outbox, so it is not lost (no second job)
    clock.at += 2 * deliveries.LOST_AFTER
    assert deliveries.sweep(db=container.database, clock=clock) == {"expired": 0, "requeued": 0}
    assert len(_outbox_bodies(container, owner, delivery.QUEUE)) == 1
    failing.down = False
    assert jobs.sweep(container.database, container.queue, clock) == 1
    # the webhooks queue lags (its job not taken yet) for less than LOST_AFTER: no extra job either
    clock.at += deliveries.LOST_AFTER - timedelta(minutes=1)
    assert deliveries.sweep(db=container.database, clock=clock) == {"expired": 0, "requeued": 0}
    (body,) = _take(container, delivery.QUEUE)  # and then this message is lost (dead-lettered, say)
    job = DeliverJob.model_validate_json(body)
    clock.at += timedelta(minutes=2)
    assert deliveries.sweep(db=container.database, clock=clock) == {"expired": 0, "requeued": 1}
    (again,) = _take(container, delivery.QUEUE)
    assert DeliverJob.model_validate_json(again).model_dump(exclude={"not_before"}) == job.model_dump(
        exclude={"not_before"}
    )
    assert deliveries.sweep(db=container.database, clock=clock) == {"expired": 0, "requeued": 0}  # once
    clock.at += deliveries.LOST_AFTER - timedelta(minutes=1)
    assert deliveries.sweep(db=container.database, clock=clock) == {"expired": 0, "requeued": 0}  # its new job lags
    assert len(_outbox_bodies(container, owner, delivery.QUEUE)) == 2


def test_a_retry_due_later_is_not_lost_while_its_job_waits_in_the_outbox(
    client: TestClient, container: Container, clock: FakeClock, receiver: Sink
) -> None:
    owner = sign_up(client)
    _test_event(client, owner, _endpoint(client, owner, receiver.url))
    job = DeliverJob.model_validate_json(_take(container, delivery.QUEUE)[0])
    failed = Outcome(company_id=job.company_id, delivery_id=job.delivery_id, attempt=5, attempted_at=clock.now(),
                     status_code=500, latency_ms=5, response=None, error=None)  # fmt: skip
    with container.database.tenant(job.company_id) as session:
        session.get_one(WebhookDelivery, job.delivery_id).in_flight = 5
    delivery.record_outcome(db=container.database, clock=clock, outcome=failed)  # the 6th try: about 5 h later
    retry = _delivery(container, owner, job.delivery_id)
    assert retry.next_attempt_at is not None and retry.next_attempt_at > clock.now() + timedelta(hours=4)
    clock.at = retry.next_attempt_at + deliveries.LOST_AFTER + timedelta(minutes=1)  # the queue was down meanwhile
    assert deliveries.sweep(db=container.database, clock=clock) == {"expired": 0, "requeued": 0}
    assert jobs.sweep(container.database, container.queue, clock) == 1  # its own job, late but not lost
    assert len(_outbox_bodies(container, owner, delivery.QUEUE)) == 2


def test_an_attempt_the_dispatcher_never_answered_expires_into_the_retry_schedule(
    client: TestClient, container: Container, clock: FakeClock, receiver: Sink
) -> None:
    owner = sign_up(client)
    _test_event(client, owner, _endpoint(client, owner, receiver.url))
    (body,) = _take(container, delivery.QUEUE)
    job = DeliverJob.model_validate_json(body)
    failing = FailingQueue(container.queue)
    container.queue = failing  # type: ignore[misc]
    delivery.deliver(db=container.database, queue=failing, keys=container.company_keys, clock=clock, job=job)
    assert _delivery(container, owner, job.delivery_id).in_flight == 1  # committed; its signed request unsent
    failing.down = False
    clock.at += delivery.IN_FLIGHT_EXPIRY + timedelta(seconds=1)
    assert jobs.sweep(container.database, container.queue, clock) == 0  # a stale signed request is never sent
    assert _take(container, delivery.DISPATCH_QUEUE) == []
    assert deliveries.sweep(db=container.database, clock=clock) == {"expired": 1, "requeued": 0}
    expired = _delivery(container, owner, job.delivery_id)
    assert (expired.status, expired.attempts, expired.in_flight, expired.in_flight_until) == ("pending", 1, None, None)
    assert expired.next_attempt_at is not None and expired.next_attempt_at > clock.now()
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        (attempt,) = session.scalars(select(WebhookAttempt).where(WebhookAttempt.delivery_id == job.delivery_id))
        assert attempt.status_code is None and attempt.error == "no answer from the dispatcher within 10 minutes"
    assert container.queue.approximate_depth(delivery.QUEUE) == 1  # the retry, relayed with its delay
    late = Outcome(company_id=job.company_id, delivery_id=job.delivery_id, attempt=1, attempted_at=clock.now(),
                   status_code=200, latency_ms=5, response="ok", error=None)  # fmt: skip
    delivery.record_outcome(db=container.database, clock=clock, outcome=late)  # the lost answer, too late
    assert _delivery(container, owner, job.delivery_id).status == "pending"

    # the retry signs afresh and goes through
    retry = DeliverJob(company_id=job.company_id, delivery_id=job.delivery_id, attempt=2)
    delivery.deliver(db=container.database, queue=failing, keys=container.company_keys, clock=clock, job=retry)
    (signed,) = _take(container, delivery.DISPATCH_QUEUE)
    outcome = dispatch(DispatchJob.model_validate_json(signed), http=container.webhook_http, clock=clock)
    delivery.record_outcome(db=container.database, clock=clock, outcome=outcome)
    done = _delivery(container, owner, job.delivery_id)
    assert (done.status, done.attempts) == ("succeeded", 2)
    assert len(receiver.received) == 1


def test_a_run_that_was_replaced_writes_nothing(client: TestClient, container: Container, clock: FakeClock) -> None:
    from masteria.contacts.imports import run_import

    owner = sign_up(client)
    import_id = _uploaded(client, owner)
    _start(client, owner, import_id)
    (body,) = _take(container, import_jobs.QUEUE)
    real = container.object_store

    class TakenOverWhileReading:
        """The store, where another run takes the import up while this one opens its file (it was slow)."""

        def open(self, key: str) -> Any:
            with container.database.tenant(uuid.UUID(owner.company_id)) as session:
                row = session.get_one(ContactImport, uuid.UUID(import_id), with_for_update=True)
                import_jobs.take(row, clock.now())
            return real.open(key)

    job = import_jobs.ImportJob.model_validate_json(body)
    run_import(db=container.database, store=TakenOverWhileReading(), clock=clock, job=job)  # type: ignore[arg-type]
    replaced = _import(container, owner, import_id)
    assert (replaced.status, replaced.attempt, replaced.processed, replaced.inserted) == ("processing", 2, 0, 0)
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        assert session.scalar(select(Contact.id)) is None


def test_a_campaign_started_while_the_queue_fails_is_started_by_the_sweepers_jobs(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    campaign = make_campaign(client, owner, meta, contacts=2)
    failing = FailingQueue(container.queue)
    container.queue = failing  # type: ignore[misc]
    scheduled = client.post(f"/v1/campaigns/{campaign['id']}/schedule", headers=owner.headers, json={})
    assert scheduled.status_code == 200 and scheduled.json()["status"] == "scheduled", scheduled.text
    assert _take(container, START_QUEUE) == []
    failing.down = False
    assert jobs.sweep(container.database, container.queue, container.clock) == 1
    (start,) = _take(container, START_QUEUE)
    failing.down = True  # down again once the campaign is planned: its first driver's job waits in the outbox
    assert planner.start(db=container.database, clock=container.clock, job=StartJob.model_validate_json(start))
    assert _take(container, SEND_QUEUE) == []
    failing.down = False
    assert jobs.sweep(container.database, container.queue, container.clock) == 1
    (send,) = _take(container, SEND_QUEUE)
    assert SendJob.model_validate_json(send).campaign_id == uuid.UUID(campaign["id"])
    assert jobs.sweep(container.database, container.queue, container.clock) == 0


def test_the_scheduled_sweeper_runs_every_sweep(container: Container) -> None:
    from functions.workers.outbox_sweeper import handler

    counts = handler({}, FakeContext())
    assert set(counts) == {"published", "jobs_sent", "jobs_failed", "jobs_parked", "deliveries_expired",
                           "deliveries_requeued", "imports_requeued", "imports_failed", "replies_unknown",
                           "jobs_purged", "knowledge_requeued", "knowledge_failed", "knowledge_reembeds_requeued",
                           "knowledge_reembeds_stopped"}  # fmt: skip
    assert not any(counts.values())  # nothing to do on an empty database


def test_an_import_whose_mapping_no_longer_fits_fails_with_the_reason_instead_of_waiting(
    client: TestClient, container: Container
) -> None:
    owner = sign_up(client)
    field = make_custom_field(client, owner, key="plan", label="Plan")
    created = client.post("/v1/contacts/imports", headers=owner.headers, json={"filename": "c.csv"}).json()
    data = b"Telefone;Plano\n11912345678;A\n"
    url = f"/v1/contacts/imports/{created['id']}"
    assert client.put(f"{url}/file", headers=owner.headers, content=data).status_code == 200
    mapping = {"mapping": {"Telefone": "phone", "Plano": "custom.plan"}}
    started = client.post(f"{url}/start", headers=owner.headers, json=mapping)
    assert started.status_code == 202, started.text
    assert client.delete(f"/v1/custom-fields/{field['id']}", headers=owner.headers).status_code == 204
    _run(container, _take(container, import_jobs.QUEUE))
    failed = _import(container, owner, str(created["id"]))
    assert failed.status == "failed" and failed.error is not None and "plan" in failed.error, failed.error


class RefusingQueue:
    """The queue adapter as SQS answers a batch with some entries refused: it sends the others and raises
    ``BatchRefused`` naming the refused ones (those whose body holds ``poison``)."""

    def __init__(self, real: Queue) -> None:
        self.real, self.during_send = real, lambda: None

    def send(self, queue: str, body: str, *, delay_seconds: int = 0) -> str:
        return self.send_batch(queue, [body], delay_seconds=delay_seconds)[0]

    def send_batch(self, queue: str, bodies: Sequence[str], *, delay_seconds: int = 0) -> list[str]:
        self.during_send()
        refused = {i: "InvalidMessageContents" for i, body in enumerate(bodies) if "poison" in body}
        kept = [body for i, body in enumerate(bodies) if i not in refused]
        ids = self.real.send_batch(queue, kept, delay_seconds=delay_seconds) if kept else []
        if refused:
            raise BatchRefused(refused, len(bodies))
        return ids

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def _drain(container: Container, queue: str) -> list[str]:
    bodies: list[str] = []
    while taken := _take(container, queue):
        bodies += taken
    return bodies


def _row(container: Container, company: uuid.UUID, body: str) -> OutboxJob:
    with container.database.tenant(company) as session:
        return session.scalars(select(OutboxJob).where(OutboxJob.body == body)).one()


def test_a_job_the_queue_refuses_never_holds_up_the_others_and_is_parked_after_its_tries(
    client: TestClient, container: Container, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    queue = import_jobs.QUEUE
    first, second = uuid.UUID(sign_up(client).company_id), uuid.UUID(sign_up(client).company_id)
    # committed, and the relay right after missed them (relay=False): the sweeper's to send
    with container.database.tenant(first, relay=False) as session:  # oldest first: at the head of the sweep
        record_job(session, company_id=first, queue="no-such-queue", body='{"n": "unknown queue"}')
        for n in range(12):
            body = '{"n": "poison"}' if n == 5 else f'{{"n": {n}}}'
            record_job(session, company_id=first, queue=queue, body=body)
    with container.database.tenant(second, relay=False) as session:
        for n in range(12, 25):
            record_job(session, company_id=second, queue=queue, body=f'{{"n": {n}}}')
    refusing = RefusingQueue(container.queue)
    container.queue = refusing  # type: ignore[misc]
    assert jobs.relay_due(container.database, refusing, clock) == {"sent": 24, "failed": 2, "parked": 0}
    assert sorted(_drain(container, queue)) == sorted(f'{{"n": {n}}}' for n in range(25) if n != 5)  # each once
    poison = _row(container, first, '{"n": "poison"}')
    assert (poison.relayed_at, poison.attempts, poison.last_error) == (None, 1, "InvalidMessageContents")
    unknown = _row(container, first, '{"n": "unknown queue"}')
    assert unknown.attempts == 1 and unknown.last_error is not None and "unknown queue" in unknown.last_error
    assert jobs.relay_due(container.database, refusing, clock) == {"sent": 0, "failed": 0, "parked": 0}  # waits
    with container.database.tenant(first) as session:  # a job recorded later still flows
        record_job(session, company_id=first, queue=queue, body='{"n": "later"}')
    assert _drain(container, queue) == ['{"n": "later"}']
    for tries in range(2, jobs.MAX_ATTEMPTS + 1):
        clock.at += jobs.MAX_RETRY_WAIT
        expected = {"sent": 0, "failed": 2, "parked": 2 if tries == jobs.MAX_ATTEMPTS else 0}
        assert jobs.relay_due(container.database, refusing, clock) == expected
    assert [r.message for r in caplog.records if r.levelname == "ERROR"] == [
        "outbox job parked: the queue refused it every time; set its attempts to 0 to try it again"
    ] * 2
    clock.at += jobs.MAX_RETRY_WAIT
    assert jobs.relay_due(container.database, refusing, clock) == {"sent": 0, "failed": 0, "parked": 0}  # kept
    assert _row(container, first, '{"n": "poison"}').attempts == jobs.MAX_ATTEMPTS
    assert _drain(container, queue) == []  # nothing sent twice


def test_the_relay_holds_no_row_lock_while_it_sends_and_a_second_relay_sends_nothing_twice(
    client: TestClient, container: Container, clock: FakeClock
) -> None:
    company = uuid.UUID(sign_up(client).company_id)
    real = container.queue
    refusing = RefusingQueue(real)
    with container.database.tenant(company, relay=False) as session:
        for n in range(3):
            record_job(session, company_id=company, queue=import_jobs.QUEUE, body=f'{{"n": {n}}}')
    seen: list[int] = []

    def meanwhile() -> None:
        """While the relay is on the network: its rows are not locked, and another sweep leaves them alone."""
        with container.database.outbox_sweep() as session:
            locked = session.execute(
                text("SELECT id FROM outbox_jobs WHERE relayed_at IS NULL FOR UPDATE NOWAIT")
            ).scalars()
            seen.extend(locked)
        assert jobs.sweep(container.database, real, clock) == 0

    refusing.during_send = meanwhile
    assert jobs.sweep(container.database, refusing, clock) == 3
    assert len(seen) == 3
    assert len(_drain(container, import_jobs.QUEUE)) == 3
    # a relay that died after claiming its jobs: they are sent once its claim lapses
    with container.database.tenant(company, relay=False) as session:
        record_job(session, company_id=company, queue=import_jobs.QUEUE, body='{"n": "orphan"}')
    with container.database.outbox_sweep() as session:
        session.execute(text("UPDATE outbox_jobs SET claimed_until = :at WHERE relayed_at IS NULL"),
                        {"at": clock.now() + jobs.CLAIM})  # fmt: skip
    assert jobs.sweep(container.database, real, clock) == 0
    clock.at += jobs.CLAIM
    assert jobs.sweep(container.database, real, clock) == 1


def test_the_purge_deletes_every_old_relayed_job_in_batches(
    client: TestClient, container: Container, clock: FakeClock
) -> None:
    company = uuid.UUID(sign_up(client).company_id)
    old = clock.now() - jobs.KEEP_RELAYED - timedelta(minutes=1)
    count = 2 * jobs.PURGE_BATCH + 7  # a busy campaign's minute is more than one batch
    with container.database.tenant(company) as session:
        session.execute(
            text(
                "INSERT INTO outbox_jobs (company_id, queue, body, relayed_at)"
                " SELECT :company, 'q', 'b', :old FROM generate_series(1, :count)"
            ),
            {"company": company, "old": old, "count": count},
        )
        record_job(session, company_id=company, queue=import_jobs.QUEUE, body='{"n": "fresh"}')
    assert jobs.purge(container.database, clock) == count
    with container.database.tenant(company) as session:
        assert list(session.scalars(select(OutboxJob.body))) == ['{"n": "fresh"}']


@pytest.mark.parametrize(
    ("name", "index"),
    [
        ("purge", "ix_outbox_jobs_relayed"),
        ("expired attempts", "ix_webhook_deliveries_in_flight"),
        ("lost jobs", "ix_webhook_deliveries_due"),
    ],
)
def test_each_sweep_query_has_an_index_that_fits_it(owner_engine: Engine, name: str, index: str) -> None:
    now = datetime.now(UTC)
    statements = {
        "purge": jobs.purgeable(now),
        "expired attempts": deliveries.expired_attempts(now),
        "lost jobs": deliveries.lost_jobs(now),
    }
    compiled = statements[name].compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    with owner_engine.begin() as connection:
        connection.execute(text("SET LOCAL enable_seqscan = off"))  # the plan an index can give, not a tiny table's
        plan = "\n".join(connection.execute(text(f"EXPLAIN {compiled}")).scalars())
    assert index in plan, plan


class ShortContext(FakeContext):
    def get_remaining_time_in_millis(self) -> int:
        return int(outbox_sweeper.MARGIN_SECONDS * 1000)  # the budget is spent from the start


class FailingBus:
    """The event bus, unreachable."""

    def publish(self, events: Sequence[Any]) -> None:
        raise ConnectionError("the event bus is unreachable")


def test_the_sweeper_sends_jobs_first_runs_every_step_when_one_fails_and_keeps_to_its_time(
    client: TestClient, container: Container, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    owner = sign_up(client)
    import_id = _uploaded(client, owner)
    _start(client, owner, import_id)
    assert len(_take(container, import_jobs.QUEUE)) == 1  # then lost
    clock.at += import_jobs.QUEUED_EXPIRY + timedelta(seconds=1)
    with container.database.tenant(uuid.UUID(owner.company_id), relay=False) as session:  # the relay missed it
        record_job(session, company_id=uuid.UUID(owner.company_id), queue=START_QUEUE, body='{"n": 1}')
    # no time left: the outbox still goes first; the work in hand waits for the next run
    counts = outbox_sweeper.handler({}, ShortContext())
    assert (counts["jobs_sent"], counts["imports_requeued"]) == (1, 0)
    assert _import(container, owner, import_id).expires_at is not None
    assert _take(container, START_QUEUE) == ['{"n": 1}']
    # the event bus fails: that step is logged, the others run, and the invocation fails for the alarm
    container.event_bus = FailingBus()  # type: ignore[misc,assignment]
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        record_event(
            session, company_id=uuid.UUID(owner.company_id), payload=ContactCreatedPayload(contact_id=uuid.uuid4())
        )
    caplog.clear()
    with pytest.raises(outbox_sweeper.SweepFailed, match="events"):
        outbox_sweeper.handler({}, FakeContext())
    assert [getattr(r, "step", None) for r in caplog.records if r.message == "sweeper step failed"] == ["events"]
    assert _import(container, owner, import_id).status == "queued"
    assert len(_take(container, import_jobs.QUEUE)) == 1  # requeued by the import sweep, sent by its relay


def test_the_sqs_adapter_names_the_entries_sqs_refused() -> None:
    """SQS answers a batch in part (a vendor's answer, stubbed at the client): the adapter says which failed."""
    client = boto3.client("sqs", region_name="us-east-1")
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/jobs"
    with Stubber(client) as stub:
        stub.add_response(
            "send_message_batch",
            {
                "Successful": [
                    {"Id": "0", "MessageId": "m0", "MD5OfMessageBody": "x"},
                    {"Id": "2", "MessageId": "m2", "MD5OfMessageBody": "x"},
                ],
                "Failed": [{"Id": "1", "SenderFault": True, "Code": "InvalidMessageContents"}],
            },
        )
        with pytest.raises(BatchRefused) as refused:
            SqsQueue(client, url.rsplit("/", 1)[0]).send_batch("jobs", ["a", "b", "c"])
    assert refused.value.refused == {1: "InvalidMessageContents"}


def test_a_queue_that_is_down_costs_one_try_per_sweep_and_the_relay_leaves_its_jobs_to_the_next_sweep(
    client: TestClient, container: Container, clock: FakeClock
) -> None:
    company = uuid.UUID(sign_up(client).company_id)
    failing = FailingQueue(container.queue)
    container.queue = failing  # type: ignore[misc]
    with container.database.tenant(company) as session:  # 25 jobs: three batches; the relay's first one fails
        for n in range(25):
            record_job(session, company_id=company, queue=import_jobs.QUEUE, body=f'{{"n": {n}}}')
    with container.database.tenant(company) as session:
        rows = list(session.scalars(select(OutboxJob)))
        assert {(row.attempts, row.claimed_until) for row in rows} == {(0, None)}  # not counted, none held
    assert jobs.relay_due(container.database, failing, clock) == {"sent": 0, "failed": 10, "parked": 0}
    with container.database.tenant(company) as session:
        attempts = sorted(row.attempts for row in session.scalars(select(OutboxJob)))
        assert attempts == [0] * 15 + [1] * 10  # one try on one batch, not on every job
    failing.down = False
    clock.at += jobs.CLAIM
    assert jobs.relay_due(container.database, failing, clock) == {"sent": 25, "failed": 0, "parked": 0}
    assert sorted(_drain(container, import_jobs.QUEUE)) == sorted(f'{{"n": {n}}}' for n in range(25))
