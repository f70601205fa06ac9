"""The SMS webhook function: SNS notifications signed for the connection's topic are queued byte for byte, a
subscription is confirmed at SNS, anything else is refused (403), logged without the body and counted — and never a
database engine."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest

from masteria import bootstrap
from masteria.bootstrap import Container
from masteria.channels.inbound_job import QUEUE, InboundJob
from masteria.channels.providers.sms_aws.sns import SnsVerifier
from masteria.ports import InboundSecret
from masteria.settings import Settings
from tests.functions.events import FakeContext
from tests.sns_signing import TOPIC, Signer

KEY = "sms-key-0123456789abcdef"
INBOUND = {
    "originationNumber": "+5531991230001",
    "destinationNumber": "+5511400000000",
    "messageBody": "Oi, ainda tem?",
    "inboundMessageId": "cae173d2-66b9-564c-8309-21f858e9fb84",
}


@pytest.fixture
def signer() -> Signer:
    return Signer()


@pytest.fixture
def secret() -> InboundSecret:
    return InboundSecret(company_id=uuid.uuid4(), connection_id=uuid.uuid4(), provider="sms_aws", topic_arns=(TOPIC,))


@pytest.fixture
def webhook_only(settings: Settings, container: Container, signer: Signer, secret: InboundSecret) -> Container:
    """A process that is only the webhook function: a container nothing else has used, SNS at the edge faked."""
    fresh = Container(settings, queue_configs=container.queue_configs)
    fresh.queue = container.queue  # type: ignore[misc]
    fresh.sns_verifier = SnsVerifier(signer.transport())  # type: ignore[misc]
    fresh.inbound_secrets.put(KEY, secret)
    bootstrap.install(fresh)
    from functions.webhooks import sms

    sms._cache.clear()
    return fresh


def _event(method: str, key: str, raw: bytes, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": f"{method} /webhooks/sms/{{key}}",
        "rawPath": f"/webhooks/sms/{key}",
        "headers": {"content-type": "text/plain; charset=UTF-8", **(headers or {})},
        "pathParameters": {"key": key},
        "requestContext": {"http": {"method": method, "path": f"/webhooks/sms/{key}", "sourceIp": "54.240.1.1"}},
        "body": base64.b64encode(raw).decode(),
        "isBase64Encoded": True,
    }


def _call(event: dict[str, Any]) -> dict[str, Any]:
    from functions.webhooks.sms import handler

    result: dict[str, Any] = handler(event, FakeContext())
    return result


def test_a_signed_notification_is_queued_byte_for_byte(
    webhook_only: Container, signer: Signer, secret: InboundSecret
) -> None:
    raw = signer.notification(INBOUND)
    answer = _call(_event("POST", KEY, raw, {"x-amz-sns-message-type": "Notification", "x-amz-sns-topic-arn": TOPIC}))
    assert answer["statusCode"] == 200
    (message,) = webhook_only.queue.receive(QUEUE)
    webhook_only.queue.delete(QUEUE, [message.receipt])
    job = InboundJob.model_validate_json(message.body)
    assert job.body == raw and job.connection_id == secret.connection_id
    assert "database" not in webhook_only.__dict__ and "database_urls" not in webhook_only.__dict__


def test_a_failed_check_is_refused_logged_without_the_body_and_counted(
    webhook_only: Container, signer: Signer, capsys: pytest.CaptureFixture[str]
) -> None:
    forged = signer.notification(INBOUND).replace(b"ainda", b"AINDA")
    other_topic = signer.notification(INBOUND, topic="arn:aws:sns:us-east-1:123456789012:other")
    for raw in (forged, other_topic, b"not json at all"):
        assert _call(_event("POST", KEY, raw))["statusCode"] == 403
    assert webhook_only.queue.receive(QUEUE) == []
    out = capsys.readouterr().out
    metrics = [json.loads(line) for line in out.splitlines() if '"_aws"' in line]
    assert sum(m["SmsWebhookUnverified"][0] for m in metrics) == 3
    assert {m["provider"] for m in metrics} == {"sms_aws"}
    assert "5531991230001" not in out and "ainda" not in out.lower()


def test_a_subscription_is_confirmed_at_sns(webhook_only: Container, signer: Signer) -> None:
    raw = signer.notification("You have chosen to subscribe", kind="SubscriptionConfirmation")
    answer = _call(_event("POST", KEY, raw, {"x-amz-sns-message-type": "SubscriptionConfirmation"}))
    assert (answer["statusCode"], answer["body"]) == (200, "confirmed")
    assert any("Action=ConfirmSubscription" in url for url in signer.fetched)
    assert webhook_only.queue.receive(QUEUE) == []


def test_unknown_keys_and_meta_connections_are_not_found(webhook_only: Container, signer: Signer) -> None:
    meta_key = "meta-key-0123456789abcdef"
    meta = InboundSecret(company_id=uuid.uuid4(), connection_id=uuid.uuid4(), app_secret="s", verify_token="t")
    webhook_only.inbound_secrets.put(meta_key, meta)
    raw = signer.notification(INBOUND)
    assert _call(_event("POST", "x" * 32, raw))["statusCode"] == 404
    assert _call(_event("POST", meta_key, raw))["statusCode"] == 404
    assert _call(_event("GET", KEY, b""))["statusCode"] == 405


def test_a_body_that_is_not_base64_is_a_400(webhook_only: Container, secret: InboundSecret) -> None:
    for body in ("not base64!", "YWJ", "éé"):
        answer = _call({**_event("POST", KEY, b"{}"), "body": body})
        assert (answer["statusCode"], answer["body"]) == (400, "the body is not base64")
    assert webhook_only.queue.receive(QUEUE) == []
