"""The Meta webhook function: the verification handshake, the signature over the raw bytes, the body on
the queue byte for byte — and never a database engine."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from masteria import bootstrap
from masteria.bootstrap import Container
from masteria.channels.inbound_job import QUEUE, InboundJob, loaded
from masteria.conversations import inbound
from masteria.ports import MAX_MESSAGE_BYTES
from masteria.settings import Settings
from tests.api import make_connection, sign_up
from tests.functions.events import FakeContext
from tests.meta import FakeMeta
from tests.meta_webhooks import WEBHOOK_BODIES, sign, webhook_event

APP_SECRET = "app-secret-0123456789abcdef"


@pytest.fixture
def connection(client: TestClient, meta: FakeMeta) -> dict[str, str]:
    owner = sign_up(client)
    created = make_connection(client, owner, meta, app_secret=APP_SECRET, verify_token="my-verify-token")
    return {**created, "key": created["webhook_url"].rsplit("/", 1)[1]}


@pytest.fixture
def webhook_only(settings: Settings, container: Container) -> Container:
    """A process that is only the webhook function: a container nothing else has used."""
    fresh = Container(settings, queue_configs=container.queue_configs)
    fresh.queue = container.queue  # type: ignore[misc]
    bootstrap.install(fresh)
    from functions.webhooks import meta

    meta._cache.clear()
    return fresh


def _call(event: dict[str, object]) -> dict[str, object]:
    from functions.webhooks.meta import handler

    result: dict[str, object] = handler(event, FakeContext())
    return result


def test_handshake(connection: dict[str, str], webhook_only: Container) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": "my-verify-token", "hub.challenge": "1158201444"}
    ok = _call(webhook_event("GET", connection["key"], query=query))
    assert (ok["statusCode"], ok["body"]) == (200, "1158201444")
    wrong = _call(webhook_event("GET", connection["key"], query={**query, "hub.verify_token": "guess"}))
    assert wrong["statusCode"] == 403
    unknown = _call(webhook_event("GET", "x" * 32, query=query))
    assert unknown["statusCode"] == 404
    assert "database" not in webhook_only.__dict__ and "database_urls" not in webhook_only.__dict__


@pytest.mark.parametrize("path", WEBHOOK_BODIES, ids=lambda p: p.name)
def test_every_signed_example_is_queued_byte_for_byte(
    path: object, connection: dict[str, str], webhook_only: Container
) -> None:
    raw = path.read_bytes()  # type: ignore[attr-defined]
    answer = _call(
        webhook_event("POST", connection["key"], raw=raw, headers={"x-hub-signature-256": sign(raw, APP_SECRET)})
    )
    assert answer["statusCode"] == 200
    (message,) = webhook_only.queue.receive(QUEUE)
    webhook_only.queue.delete(QUEUE, [message.receipt])
    job = InboundJob.model_validate_json(message.body)
    assert job.body == raw and str(job.connection_id) == connection["id"]
    assert "database" not in webhook_only.__dict__ and "database_urls" not in webhook_only.__dict__


def test_signature_edge_cases(connection: dict[str, str], webhook_only: Container) -> None:
    escaped = b'{"object":"whatsapp_business_account","entry":[],"note":"Jos\\u00e9 \\ud83d\\ude00"}'
    good = sign(escaped, APP_SECRET)
    key = connection["key"]
    # escaped non-ASCII, signed over the raw bytes: accepted, plain text body or base64 alike
    assert _call(webhook_event("POST", key, raw=escaped, headers={"x-hub-signature-256": good}))["statusCode"] == 200
    plain = webhook_event("POST", key, raw=escaped, headers={"x-hub-signature-256": good}, base64_body=False)
    assert _call(plain)["statusCode"] == 200
    # the same JSON re-serialized (what a framework parsing the body would do) no longer matches
    reserialized = json.dumps(json.loads(escaped), ensure_ascii=False).encode()
    assert (
        _call(webhook_event("POST", key, raw=reserialized, headers={"x-hub-signature-256": good}))["statusCode"] == 401
    )
    for headers in ({}, {"x-hub-signature-256": "sha256=" + "0" * 64}, {"x-hub-signature-256": good[7:]}):
        assert _call(webhook_event("POST", key, raw=escaped, headers=headers))["statusCode"] == 401
    other_secret = sign(escaped, "another-app-secret")
    assert (
        _call(webhook_event("POST", key, raw=escaped, headers={"x-hub-signature-256": other_secret}))["statusCode"]
        == 401
    )
    queued = webhook_only.queue.receive(QUEUE)
    assert len(queued) == 2  # only the two good ones
    assert "database" not in webhook_only.__dict__


def test_a_body_too_large_for_the_queue_travels_by_claim_check(
    connection: dict[str, str], webhook_only: Container, container: Container
) -> None:
    # GIVEN a body of 800 statuses as Meta writes them (about 300 KB: more than an SQS message holds)
    pricing = {"billable": True, "pricing_model": "PMP", "category": "marketing", "type": "regular"}
    conversation = {"id": "a" * 32, "expiration_timestamp": "1749502783", "origin": {"type": "marketing"}}
    statuses = [
        {"id": f"wamid.{n:040d}", "status": "delivered", "timestamp": "1749416383", "recipient_id": "5511987650001",
         "conversation": conversation, "pricing": pricing}
        for n in range(800)
    ]  # fmt: skip
    value = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": connection["phone_number_id"]}}
    body = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages",
            "value": {**value, "statuses": statuses}}]}]}  # fmt: skip
    raw = json.dumps(body).encode()
    assert len(raw) > MAX_MESSAGE_BYTES
    # WHEN Meta posts it
    answer = _call(
        webhook_event("POST", connection["key"], raw=raw, headers={"x-hub-signature-256": sign(raw, APP_SECRET)})
    )
    # THEN Meta gets its 200, the queue a small message naming where the body is, and the processor reads it back
    assert answer["statusCode"] == 200
    (message,) = webhook_only.queue.receive(QUEUE)
    webhook_only.queue.delete(QUEUE, [message.receipt])
    assert len(message.body) < 2_000
    job = InboundJob.model_validate_json(message.body)
    assert job.body_key is not None and job.body_b64 == ""
    assert loaded(job, container.object_store).body == raw
    result = inbound.process(
        db=container.database,
        keys=container.company_keys,
        providers=container.providers,
        job=loaded(job, container.object_store),
    )
    assert not result.dead_lettered, result.errors


def test_the_local_queue_refuses_what_sqs_refuses(container: Container) -> None:
    with pytest.raises(ValueError, match="at most 262144 bytes"):
        container.queue.send(QUEUE, "x" * (MAX_MESSAGE_BYTES + 1))
    with pytest.raises(ValueError, match="at most 262144 bytes"):
        container.queue.send_batch(QUEUE, ["x" * (MAX_MESSAGE_BYTES // 2)] * 3)


def test_a_body_that_is_not_base64_is_a_400(connection: dict[str, str], webhook_only: Container) -> None:
    for body in ("not base64!", "YWJ", "éé"):
        event = {**webhook_event("POST", connection["key"], raw=b"{}"), "body": body}
        answer = _call(event)
        assert (answer["statusCode"], answer["body"]) == (400, "the body is not base64")
    assert webhook_only.queue.receive(QUEUE) == []
