"""Outgoing webhooks end to end on the real database and queues, delivering to a loopback sink (reachable
only because these tests allow private addresses): signatures checked with the standardwebhooks library,
the retry schedule under a fake clock, redirects, 410, Retry-After, timeouts, rotation, replay."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from standardwebhooks import Webhook

from functions import manifest
from functions.local.events import EventRouter
from functions.local.pump import QueuePump
from masteria.bootstrap import Container
from masteria.settings import Settings
from masteria.webhooks import delivery
from masteria.webhooks.delivery import RETRY_DELAYS, DeliverJob, DispatchJob, Outcome
from masteria.webhooks.dispatch import dispatch
from masteria.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.api import Account, make_contact, sign_up
from tests.functions.events import FakeContext
from tests.sink import Answer, Sink, sink


class FakeClock:
    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def now(self) -> datetime:
        return self.at


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"webhooks_allow_http": True, "webhooks_allow_private": True})


@pytest.fixture
def receiver() -> Iterator[Sink]:
    with sink() as running:
        yield running


def _pipeline(container: Container) -> tuple[EventRouter, QueuePump]:
    stop = threading.Event()
    return EventRouter(container.queue, manifest.FUNCTIONS, stop=stop), QueuePump(
        container.queue, manifest.queue_consumers(), stop=stop
    )


def _drain(container: Container) -> None:
    """Run the event router and the webhook queues until nothing is left to do (what `masteria dev` does)."""
    router, pump = _pipeline(container)
    consumers = [manifest.by_name("webhooks"), manifest.by_name("webhook_dispatcher")]
    for _ in range(20):
        if not router.run_once() + sum(pump.run_once(spec) for spec in consumers):
            return


def _endpoint(client: TestClient, owner: Account, url: str, types: list[str]) -> dict[str, str]:
    created = client.post("/v1/webhooks/endpoints", headers=owner.headers, json={"url": url, "event_types": types})
    assert created.status_code == 201, created.text
    body: dict[str, str] = created.json()
    assert body["secret"].startswith("whsec_")
    return body


def test_a_domain_event_reaches_the_endpoint_signed_and_logged(
    client: TestClient, container: Container, receiver: Sink
) -> None:
    owner = sign_up(client)
    endpoint = _endpoint(client, owner, receiver.url, ["contact.created"])
    other = sign_up(client)  # another company's events never reach this endpoint
    make_contact(client, other)
    contact = make_contact(client, owner)
    _drain(container)
    (request,) = receiver.received
    payload = Webhook(endpoint["secret"]).verify(request.body, request.headers)
    assert payload["type"] == "contact.created" and payload["data"] == {"contact_id": contact["id"]}
    assert request.headers["webhook-id"].startswith("msg_")
    log = client.get(f"/v1/webhooks/endpoints/{endpoint['id']}/attempts", headers=owner.headers).json()["items"]
    assert [(a["status_code"], a["delivery_status"], a["event_type"]) for a in log] == [
        (200, "succeeded", "contact.created")
    ]
    # replaying that message sends the same webhook-id again, freshly signed
    replayed = client.post(
        f"/v1/webhooks/endpoints/{endpoint['id']}/replay",
        headers=owner.headers,
        json={"message_id": request.headers["webhook-id"]},
    )
    assert replayed.status_code == 202 and replayed.json() == {"queued": 1}
    _drain(container)
    assert [r.headers["webhook-id"] for r in receiver.received] == [request.headers["webhook-id"]] * 2
    Webhook(endpoint["secret"]).verify(receiver.received[1].body, receiver.received[1].headers)


def test_the_specifications_test_vector() -> None:
    # Standard Webhooks' published example (github.com/standard-webhooks/standard-webhooks, spec and libraries)
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    headers = delivery.signed_headers(
        [secret], "msg_p5jXN8AQM9LWM0D4loKWxJek", '{"test": 2432232314}', datetime.fromtimestamp(1614265330, UTC)
    )
    assert headers["webhook-signature"] == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    assert headers["webhook-timestamp"] == "1614265330"


def test_rotation_signs_with_both_secrets_for_a_day(client: TestClient, container: Container, receiver: Sink) -> None:
    owner = sign_up(client)
    endpoint = _endpoint(client, owner, receiver.url, ["contact.updated"])
    rotated = client.post(f"/v1/webhooks/endpoints/{endpoint['id']}/rotate-secret", headers=owner.headers)
    assert rotated.status_code == 200, rotated.text
    new_secret = rotated.json()["secret"]
    assert new_secret != endpoint["secret"] and rotated.json()["rotating_until"] is not None
    sent = client.post(
        f"/v1/webhooks/endpoints/{endpoint['id']}/test", headers=owner.headers, json={"event_type": "contact.updated"}
    )
    assert sent.status_code == 202
    _drain(container)
    (request,) = receiver.received
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    for secret in (endpoint["secret"], new_secret):  # a receiver with either secret accepts it
        assert Webhook(secret).verify(request.body, request.headers)["type"] == "contact.updated"
    # a day later only the new secret signs
    clock = FakeClock()
    clock.at += timedelta(hours=25)
    container.clock = clock  # type: ignore[misc]
    client.post(
        f"/v1/webhooks/endpoints/{endpoint['id']}/test", headers=owner.headers, json={"event_type": "contact.updated"}
    )
    _drain(container)
    assert len(receiver.received[1].headers["webhook-signature"].split(" ")) == 1


def _fail_once(container: Container, job: DeliverJob, *, timeout: float = 15.0) -> WebhookDelivery:
    """One attempt: sign, dispatch to the sink, record the outcome; the delivery afterwards."""
    delivery.deliver(
        db=container.database, queue=container.queue, keys=container.company_keys, clock=container.clock, job=job
    )
    (message,) = container.queue.receive(delivery.DISPATCH_QUEUE)
    container.queue.delete(delivery.DISPATCH_QUEUE, [message.receipt])
    outcome = dispatch(
        DispatchJob.model_validate_json(message.body),
        http=container.webhook_http,
        clock=container.clock,
        timeout=timeout,
    )
    delivery.record_outcome(db=container.database, clock=container.clock, outcome=outcome)
    with container.database.tenant(job.company_id) as session:
        return session.get_one(WebhookDelivery, job.delivery_id)


def _test_delivery(client: TestClient, container: Container, owner: Account, endpoint_id: str) -> DeliverJob:
    client.post(
        f"/v1/webhooks/endpoints/{endpoint_id}/test", headers=owner.headers, json={"event_type": "contact.created"}
    )
    (message,) = container.queue.receive(delivery.QUEUE)
    container.queue.delete(delivery.QUEUE, [message.receipt])
    return DeliverJob.model_validate_json(message.body)


def test_failures_retry_on_the_schedule_then_fail(client: TestClient, container: Container, receiver: Sink) -> None:
    clock = FakeClock()
    container.clock = clock  # type: ignore[misc]
    owner = sign_up(client)
    endpoint = _endpoint(client, owner, receiver.url, ["contact.created"])
    receiver.script = [Answer(500, b"boom")] * 10
    job = _test_delivery(client, container, owner, endpoint["id"])
    waits = []
    for attempt in range(1, 11):
        state = _fail_once(container, job.model_copy(update={"attempt": attempt, "not_before": None}))
        assert state.attempts == attempt
        if attempt <= len(RETRY_DELAYS):
            assert state.status == "pending" and state.next_attempt_at is not None
            waits.append(state.next_attempt_at - clock.at)
            clock.at = state.next_attempt_at
        else:
            assert (state.status, state.next_attempt_at) == ("failed", None)
    for wait, planned in zip(waits, RETRY_DELAYS, strict=True):
        assert planned * 0.9 <= wait <= planned * 1.1
    assert len(receiver.received) == 10
    # every attempt carried the same webhook-id, each freshly signed
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1
    for request in receiver.received:  # (verify() would refuse the fake clock's future timestamps)
        when = datetime.fromtimestamp(int(request.headers["webhook-timestamp"]), UTC)
        expected = Webhook(endpoint["secret"]).sign(request.headers["webhook-id"], when, request.body.decode())
        assert request.headers["webhook-signature"] == expected
    assert len({r.headers["webhook-timestamp"] for r in receiver.received}) == 10
    # replaying every failed delivery since a time queues that message again
    since = (clock.at - timedelta(days=30)).isoformat()
    replayed = client.post(
        f"/v1/webhooks/endpoints/{endpoint['id']}/replay", headers=owner.headers, json={"since": since}
    )
    assert replayed.json() == {"queued": 1}
    later = client.post(
        f"/v1/webhooks/endpoints/{endpoint['id']}/replay", headers=owner.headers, json={"since": clock.at.isoformat()}
    )
    assert later.json() == {"queued": 0}
    log = client.get(f"/v1/webhooks/endpoints/{endpoint['id']}/attempts?limit=20", headers=owner.headers).json()
    assert [a["status_code"] for a in log["items"]] == [500] * 10 and log["items"][0]["response"] == "boom"


def test_redirects_410_retry_after_timeouts_and_big_responses(
    client: TestClient, container: Container, receiver: Sink
) -> None:
    clock = FakeClock()
    container.clock = clock  # type: ignore[misc]
    owner = sign_up(client)
    endpoint = _endpoint(client, owner, receiver.url, ["contact.created"])
    # a redirect is a failure and is not followed
    receiver.script = [Answer(302, b"", {"location": "http://169.254.169.254/"})]
    state = _fail_once(container, _test_delivery(client, container, owner, endpoint["id"]))
    assert state.status == "pending" and "not followed" in (state.last_error or "")
    assert len(receiver.received) == 1
    # Retry-After on 429 decides the next attempt
    receiver.script = [Answer(429, b"slow down", {"retry-after": "120"})]
    state = _fail_once(container, _test_delivery(client, container, owner, endpoint["id"]))
    assert state.next_attempt_at == clock.at + timedelta(seconds=120)
    # a slow endpoint times out
    receiver.script = [Answer(200, b"late", delay=1.0)]
    state = _fail_once(container, _test_delivery(client, container, owner, endpoint["id"]), timeout=0.3)
    assert "timed out" in (state.last_error or "")
    # at most 64 KiB of a response is read, and the log keeps a short excerpt
    receiver.script = [Answer(500, b"x" * 200_000)]
    clock.at += timedelta(minutes=1)  # the newest attempt in the log
    _fail_once(container, _test_delivery(client, container, owner, endpoint["id"]))
    log = client.get(f"/v1/webhooks/endpoints/{endpoint['id']}/attempts", headers=owner.headers).json()["items"]
    assert len(log[0]["response"]) == 2048
    # 410 disables the endpoint and tells the company
    receiver.script = [Answer(410, b"gone")]
    state = _fail_once(container, _test_delivery(client, container, owner, endpoint["id"]))
    assert state.status == "failed"
    read = client.get(f"/v1/webhooks/endpoints/{endpoint['id']}", headers=owner.headers).json()
    assert (read["enabled"], read["disabled_reason"]) == (False, "the endpoint answered 410 Gone")
    notes = client.get("/v1/notifications", headers=owner.headers).json()["items"]
    assert [n["kind"] for n in notes] == ["webhook_endpoint.disabled"]
    read_note = client.post(f"/v1/notifications/{notes[0]['id']}/read", headers=owner.headers)
    assert read_note.json()["read_at"] is not None
    assert client.get("/v1/notifications?unread=true", headers=owner.headers).json()["items"] == []


def test_an_endpoint_failing_for_five_days_is_disabled(
    client: TestClient, container: Container, receiver: Sink
) -> None:
    clock = FakeClock()
    container.clock = clock  # type: ignore[misc]
    owner = sign_up(client)
    endpoint = _endpoint(client, owner, receiver.url, ["contact.created"])
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        row = session.get_one(WebhookEndpoint, uuid.UUID(endpoint["id"]))
        row.failing_since = clock.at - timedelta(days=5, minutes=1)
    receiver.script = [Answer(500, b"still down")]
    state = _fail_once(container, _test_delivery(client, container, owner, endpoint["id"]))
    assert state.status == "failed"
    read = client.get(f"/v1/webhooks/endpoints/{endpoint['id']}", headers=owner.headers).json()
    assert (read["enabled"], read["disabled_reason"]) == (False, "every delivery failed for 5 days")
    # enabling it again clears the failure state
    enabled = client.patch(f"/v1/webhooks/endpoints/{endpoint['id']}", headers=owner.headers, json={"enabled": True})
    assert (enabled.json()["enabled"], enabled.json()["failing_since"]) == (True, None)


def test_endpoint_urls_are_checked_when_saved(client: TestClient, container: Container) -> None:
    container.settings = container.settings.model_copy(update={"webhooks_allow_private": False})  # type: ignore[misc]
    owner = sign_up(client)
    for url, why in (
        ("http://127.0.0.1:9/hook", "loopback"),
        ("https://169.254.169.254/", "metadata"),
        ("https://user:pw@example.com/", "user name"),
    ):
        refused = client.post(
            "/v1/webhooks/endpoints", headers=owner.headers, json={"url": url, "event_types": ["contact.created"]}
        )
        assert refused.status_code == 422 and why in refused.json()["errors"][0]["message"], refused.text
    unknown = client.post(
        "/v1/webhooks/endpoints", headers=owner.headers, json={"url": "https://93.184.215.14/", "event_types": ["nope"]}
    )
    assert unknown.status_code == 422
    catalogue = client.get("/v1/webhooks/event-types", headers=owner.headers).json()
    assert {e["type"] for e in catalogue} >= {"message.received", "meeting.scheduled", "lead.stage_changed"}
    assert all(e["schema"]["type"] == "object" for e in catalogue)
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        assert list(session.scalars(select(WebhookEndpoint))) == []


def _dispatch_event(jobs: list[DispatchJob]) -> dict[str, object]:
    return {
        "Records": [
            {"messageId": f"m-{n}", "receiptHandle": f"r-{n}", "body": job.model_dump_json(), "attributes": {},
             "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs", "awsRegion": "local",
             "eventSourceARN": "arn:aws:sqs:local:000000000000:webhook-dispatch"}
            for n, job in enumerate(jobs)
        ]
    }  # fmt: skip


def _job(url: str) -> DispatchJob:
    return DispatchJob(
        company_id=uuid.uuid4(), delivery_id=uuid.uuid4(), attempt=1, url=url, headers={"webhook-id": "m"}, body="{}"
    )


def test_a_slow_endpoint_never_holds_up_another_companys_deliveries(container: Container) -> None:
    """One company's endpoint answers only once the other company's deliveries of the same batch have arrived:
    tried one after the other, they would wait behind it (it would time out); tried at once, all go through."""
    from functions.workers.webhook_dispatcher import handler

    others_arrived = threading.Event()
    with sink() as slow, sink() as fast:
        slow.script.append(Answer(until=others_arrived, delay=10))
        fast.script.extend([Answer(), Answer(arrived=others_arrived)])
        jobs = [_job(slow.url), _job(fast.url), _job(fast.url)]
        answer = handler(_dispatch_event(jobs), FakeContext())
        assert answer == {"batchItemFailures": []}
        outcomes = [
            Outcome.model_validate_json(m.body) for m in container.queue.receive(delivery.QUEUE, max_messages=10)
        ]
    assert {o.delivery_id: o.status_code for o in outcomes} == {j.delivery_id: 200 for j in jobs}


def test_a_batch_without_time_for_an_attempt_goes_back_untried(container: Container) -> None:
    from functions.workers.webhook_dispatcher import handler

    class LateContext(FakeContext):
        def get_remaining_time_in_millis(self) -> int:
            return 3_000  # less than one attempt's timeout

    with sink() as receiver:
        answer = handler(_dispatch_event([_job(receiver.url), _job(receiver.url)]), LateContext())
        assert receiver.received == []
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m-0"}, {"itemIdentifier": "m-1"}]}
    assert container.queue.receive(delivery.QUEUE, max_messages=10) == []
