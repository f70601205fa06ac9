"""The SMS sandbox is AWS End User Messaging SMS's twin: our provider, through the real boto3 client, sends to it
(requests checked against the service model), gets message ids and AWS's refusals, and receives delivery events and
customers' messages as SNS notifications that the SNS check verifies with the sandbox's certificate (trusted by
settings, as the local runtime does)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request, Response

from functions.local.sandbox.sms import SmsSandbox, router
from masteria.adapters.aws.sms_voice import SmsVoiceGateway
from masteria.channels.providers.port import InboundEvent, InboundMessage, OutboundMessage, Outcome, StatusUpdate
from masteria.channels.providers.sms_aws.config import SmsConfig
from masteria.channels.providers.sms_aws.gateway import Refusal, SmsRefused, TextMessage
from masteria.channels.providers.sms_aws.provider import SmsAwsProvider
from masteria.channels.providers.sms_aws.sns import SnsVerifier
from tests.e2e.waits import eventually

ORIGINATION = "+5511400000000"
TOPIC = "arn:aws:sns:us-east-1:123456789012:masteria-sms"
CONFIG = SmsConfig(origination=ORIGINATION, inbound_topic_arn=TOPIC, opt_out_list="Default")


@dataclass
class Hook:
    """Our webhook's part: verify, confirm, parse (what functions/webhooks/sms.py and the processor do)."""

    provider: SmsAwsProvider | None = None
    events: list[InboundEvent] = field(default_factory=list)
    refused: int = 0
    confirmed: bool = False


@dataclass
class Twin:
    base: str
    sandbox: SmsSandbox
    provider: SmsAwsProvider
    hook: Hook


@pytest.fixture
def twin() -> Iterator[Twin]:
    sandbox, hook = SmsSandbox(), Hook()
    app = FastAPI()
    app.include_router(router(sandbox))

    @app.post("/hook")
    async def receive(request: Request) -> Response:
        raw = await request.body()
        assert hook.provider is not None
        try:
            message = await asyncio.to_thread(hook.provider.verified, raw, dict(request.headers), CONFIG.topics())
        except Exception:
            hook.refused += 1
            return Response(status_code=403)
        if message.type == "SubscriptionConfirmation":
            hook.confirmed = await asyncio.to_thread(hook.provider.verifier.confirm, message)
        else:
            hook.events += hook.provider.parse(raw)
        return Response(status_code=200)

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    base = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    gateway = SmsVoiceGateway.from_region("us-east-1", endpoint_url=f"{base}/sandbox/sms")
    hook.provider = SmsAwsProvider(gateway, SnsVerifier(trusted_base=f"{base}/sandbox/sms/"))
    try:
        registered = httpx.put(f"{base}/sandbox/sms/numbers/{ORIGINATION}", json={"webhook_url": f"{base}/hook"})
        assert registered.status_code == 200 and registered.json()["webhook_status"] == 200
        yield Twin(base, sandbox, hook.provider, hook)
    finally:
        server.should_exit = True
        thread.join(5)


def test_a_subscription_is_confirmed_first(twin: Twin) -> None:
    assert twin.hook.confirmed
    assert twin.sandbox.confirmed == {ORIGINATION}


def test_a_send_is_answered_with_an_id_then_its_delivery_events(twin: Twin) -> None:
    message = OutboundMessage(to="5531991230001", kind="text", text="Olá, seu pedido saiu!", opaque="ref-1")
    outcome = twin.provider.send(message, CONFIG)
    assert outcome.category is Outcome.SENT and outcome.message_id and outcome.segments == 1
    [request] = twin.sandbox.numbers[ORIGINATION].outbox
    assert request["DestinationPhoneNumber"] == "+5531991230001" and request["Context"] == {"reference": "ref-1"}
    statuses = eventually(lambda: [e for e in twin.hook.events if isinstance(e, StatusUpdate)] if len(
        twin.hook.events) >= 2 else None, 10)  # fmt: skip
    assert [(s.status, s.message_id, s.opaque) for s in statuses] == [
        ("sent", outcome.message_id, "ref-1"),
        ("delivered", outcome.message_id, "ref-1"),
    ]
    assert twin.hook.refused == 0


def test_a_request_the_model_refuses_is_a_validation_exception(twin: Twin) -> None:
    client = twin.provider.gateway._client  # type: ignore[attr-defined]
    client.meta.events.register(  # a request botocore's own checks let through, which the service refuses
        "before-parameter-build.pinpoint-sms-voice-v2.SendTextMessage",
        lambda params, **_: params.update(MessageBody="x" * 1601),
    )
    with pytest.raises(SmsRefused) as refused:
        twin.provider.gateway.send_text(TextMessage(destination="+5531991230001", origination=ORIGINATION, body="x"))
    assert refused.value.refusal is Refusal.CONTENT
    assert "MessageBody: 1601, valid max length: 1600" in refused.value.message


def test_an_unknown_origination_and_injected_errors_are_awss(twin: Twin) -> None:
    unknown = twin.provider.send(
        OutboundMessage(to="5531991230001", kind="text", text="Oi"), CONFIG.model_copy(update={"origination": "+1555"})
    )
    assert unknown.category is Outcome.CAMPAIGN_STOPPING  # ResourceNotFoundException: the sender is wrong
    httpx.put(
        f"{twin.base}/sandbox/sms/settings",
        json={"inject": [{"error": "ThrottlingException"}, {"event": "TEXT_BLOCKED"}]},
    ).raise_for_status()
    text = OutboundMessage(to="5531991230002", kind="text", text="Oi")
    throttled = twin.provider.send(text, CONFIG)
    assert throttled.category is Outcome.RETRY_AFTER and throttled.slow_down
    blocked = twin.provider.send(text, CONFIG)
    assert blocked.category is Outcome.SENT
    failed = eventually(lambda: [e for e in twin.hook.events if isinstance(e, StatusUpdate) and e.status == "failed"])
    assert failed[0].message_id == blocked.message_id and failed[0].error_title is not None


def test_the_opt_out_list_is_the_services_and_stop_puts_a_customer_on_it(twin: Twin) -> None:
    gateway = twin.provider.gateway
    gateway.opt_out("Default", "+5531991230003")  # our consent said so (SAIR, PARAR…)
    assert list(gateway.opted_out("Default")) == ["+5531991230003"]
    refused = twin.provider.send(OutboundMessage(to="5531991230003", kind="text", text="Oi"), CONFIG)
    assert refused.category is Outcome.RECIPIENT_FINAL and "OPTED_OUT" in (refused.reason or "")
    gateway.opt_in("Default", "+5531991230003")
    assert list(gateway.opted_out("Default")) == []
    # AWS honours its own keywords: STOP from a customer puts them on the list, and the message still reaches us
    written = httpx.post(f"{twin.base}/sandbox/sms/numbers/{ORIGINATION}/inbound", json={"from": "5531991230004",
                                                                                       "text": "STOP"})  # fmt: skip
    assert written.json()["webhook_status"] == 200
    assert list(gateway.opted_out("Default")) == ["+5531991230004"]
    [inbound] = [e for e in twin.hook.events if isinstance(e, InboundMessage)]
    assert (inbound.sender, inbound.text, inbound.kind, inbound.number_id) == ("5531991230004", "STOP", "text",
                                                                               "5511400000000")  # fmt: skip
    with pytest.raises(SmsRefused) as unknown:
        gateway.opt_out("Nope", "+5531991230003")
    assert unknown.value.refusal is Refusal.SENDER


def test_what_is_not_the_sandboxs_certificate_is_refused(twin: Twin) -> None:
    other = SnsVerifier()  # AWS's rules only: the sandbox's certificate URL is not SNS's
    raw = twin.sandbox.signer.message(twin.base, TOPIC, {"inboundMessageId": "x"})
    with pytest.raises(Exception, match="not SNS's"):
        other.verify(raw, CONFIG.topics())
