"""One conformance suite for every registered provider, run against its twin (Meta's Cloud API with the WhatsApp
sandbox, AWS End User Messaging SMS with the SMS sandbox): limits, content checks, a customer's message in, a send
out, its statuses back, and the webhook check — through the registry the product builds (``Container.providers``),
its clients pointed at the twins as the local runtime points them.

Adding a provider: give it a twin and a ``Twin`` here; ``test_every_registered_provider_has_a_twin`` fails until
then."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request, Response
from pydantic import BaseModel

from functions.local.sandbox import app as whatsapp
from functions.local.sandbox import sms
from masteria.bootstrap import Container
from masteria.channels.providers.meta_cloud.config import MetaCloudConfig
from masteria.channels.providers.port import (
    InboundMessage,
    OutboundMessage,
    Outcome,
    Provider,
    StatusUpdate,
    Unverified,
)
from masteria.channels.providers.sms_aws.config import SmsConfig
from masteria.settings import Settings
from tests.e2e.waits import eventually

CUSTOMER = "5531987650042"


@dataclass
class Received:
    """What reached our webhook URL of one provider: each body with its headers."""

    bodies: list[tuple[bytes, dict[str, str]]] = field(default_factory=list)


@dataclass
class Twin:
    """How the suite drives a provider's twin."""

    config: BaseModel
    register: Callable[[str], None]  # the number, with our webhook URL at the twin
    write: Callable[[str], None]  # a customer writes this text to the number


@dataclass
class World:
    base: str
    container: Container
    received: dict[str, Received]
    twins: dict[str, Twin]


def _meta_twin(base: str, sandbox: whatsapp.Sandbox) -> Twin:
    config = MetaCloudConfig(
        phone_number_id="100000000000042", waba_id="100000000000043", access_token="sandbox-token-42",
        app_secret="app-secret-42", verify_token="verify-42",
    )  # fmt: skip

    def register(url: str) -> None:
        setup = {"waba_id": config.waba_id, "token": config.access_token, "app_secret": config.app_secret,
                 "webhook_url": url}  # fmt: skip
        httpx.put(f"{base}/sandbox/numbers/{config.phone_number_id}", json=setup).raise_for_status()

    def write(text: str) -> None:
        body = {"from": CUSTOMER, "text": text}
        httpx.post(f"{base}/sandbox/numbers/{config.phone_number_id}/inbound", json=body).raise_for_status()

    return Twin(config, register, write)


def _sms_twin(base: str) -> Twin:
    topic = "arn:aws:sns:us-east-1:123456789012:conformance"
    config = SmsConfig(origination="+5511987650043", inbound_topic_arn=topic, messages_per_second=10)

    def register(url: str) -> None:
        httpx.put(f"{base}/sandbox/sms/numbers/{config.origination}", json={"webhook_url": url, "topic_arn": topic},
                  timeout=30).raise_for_status()  # fmt: skip

    def write(text: str) -> None:
        body = {"from": CUSTOMER, "text": text}
        httpx.post(f"{base}/sandbox/sms/numbers/{config.origination}/inbound", json=body).raise_for_status()

    return Twin(config, register, write)


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    meta_sandbox, sms_sandbox = whatsapp.Sandbox(), sms.SmsSandbox()
    received: dict[str, Received] = {}
    app = FastAPI()
    app.include_router(sms.router(sms_sandbox))  # first, as in the local runtime (Graph's paths are broader)
    app.include_router(whatsapp.router(meta_sandbox))

    @app.post("/hook/{provider}")
    async def hook(provider: str, request: Request) -> Response:
        received.setdefault(provider, Received()).bodies.append((await request.body(), dict(request.headers)))
        return Response(status_code=200)

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    base = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    settings = Settings(
        graph_base_url=f"{base}/sandbox",
        sms_endpoint_url=f"{base}/sandbox/sms",
        sns_trusted_cert_base=f"{base}/sandbox/sms/",
        masteria_data_dir=f".data/conformance-{uuid.uuid4().hex[:8]}",
    )
    container = Container(settings)
    twins = {"meta_cloud": _meta_twin(base, meta_sandbox), "sms_aws": _sms_twin(base)}
    for name, twin in twins.items():
        twin.register(f"{base}/hook/{name}")
    try:
        yield World(base, container, received, twins)
    finally:
        container.close()
        server.should_exit = True
        thread.join(5)


PROVIDERS = ["meta_cloud", "sms_aws"]


def _provider(world: World, name: str) -> tuple[Provider, BaseModel]:
    return world.container.providers.get(name), world.twins[name].config


def _events(world: World, name: str, kind: type[Any]) -> list[Any]:
    """Every event of ``kind`` in the bodies our webhook URL received, each body verified first."""
    provider, config = _provider(world, name)
    found = []
    for raw, headers in list(world.received.get(name, Received()).bodies):
        provider.verify(raw, headers, config)
        found += [e for e in provider.parse(raw) if isinstance(e, kind)]
    return found


def test_every_registered_provider_has_a_twin(world: World) -> None:
    assert sorted(world.container.providers.names()) == sorted(PROVIDERS) == sorted(world.twins)


@pytest.mark.parametrize("name", PROVIDERS)
def test_limits(world: World, name: str) -> None:
    provider, config = _provider(world, name)
    limits = provider.limits(config)
    assert limits.messages_per_second > 0 and limits.text_max > 0
    assert "text" in limits.kinds
    assert provider.channel in ("whatsapp", "sms") and isinstance(config, provider.config_model)


@pytest.mark.parametrize("name", PROVIDERS)
def test_content_is_checked_before_anything_is_queued(world: World, name: str) -> None:
    provider, config = _provider(world, name)
    limit = provider.limits(config).text_max
    assert provider.check(OutboundMessage(to=CUSTOMER, kind="text", text="Oi!"), config) == []
    [too_long] = provider.check(OutboundMessage(to=CUSTOMER, kind="text", text="a" * (limit + 1)), config)
    assert too_long.field.endswith("text") and too_long.code == "text_too_long"


@pytest.mark.parametrize("name", PROVIDERS)
def test_inbound_send_and_statuses(world: World, name: str) -> None:
    provider, config = _provider(world, name)
    world.twins[name].write("Oi, tudo bem?")  # the customer first: WhatsApp's window opens
    [inbound] = eventually(lambda: _events(world, name, InboundMessage), 15)
    assert (inbound.kind, inbound.text, inbound.sender) == ("text", "Oi, tudo bem?", CUSTOMER)
    assert inbound.number_id in (None, provider.number_of(config))
    outcome = provider.send(OutboundMessage(to=CUSTOMER, kind="text", text="Tudo! Em que posso ajudar?"), config)
    assert outcome.category is Outcome.SENT and outcome.message_id

    def delivered() -> list[StatusUpdate]:
        mine = [s for s in _events(world, name, StatusUpdate) if s.message_id == outcome.message_id]
        return mine if any(s.status == "delivered" for s in mine) else []

    statuses = eventually(delivered, 15)
    assert statuses[0].status == "sent" and all(s.recipient in (None, CUSTOMER) for s in statuses)


@pytest.mark.parametrize("name", PROVIDERS)
def test_a_changed_body_fails_verification(world: World, name: str) -> None:
    provider, config = _provider(world, name)
    raw, headers = eventually(lambda: world.received.get(name, Received()).bodies, 15)[-1]
    provider.verify(raw, headers, config)
    tampered = raw.replace(b"5531987650042", b"5531987650043")
    assert tampered != raw
    with pytest.raises(Unverified):
        provider.verify(tampered, headers, config)
