"""A campaign over SMS: its channel is its connection's, its content a local text template rendered for each
contact, sent through the SMS provider (sms_aws, AWS End User Messaging SMS faked at its client, the vendor's
edge) on the same outbound path as WhatsApp: the number's pacer at its MPS, each recipient once, segments
counted; a WhatsApp template on an SMS connection (and a text template on WhatsApp) is a 422."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient

from functions import manifest
from functions.local.pump import QueuePump
from masteria.bootstrap import Container
from masteria.channels.providers.sms_aws.gateway import TextMessage
from tests.api import Account, approved_template, make_connection, make_contact, make_tag, sign_up
from tests.meta import FakeMeta


@dataclass
class FakeSmsService:
    """AWS End User Messaging SMS at its client: what SendTextMessage received, and when."""

    sent: list[TextMessage] = field(default_factory=list)
    at: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send_text(self, message: TextMessage) -> str:
        with self.lock:
            self.sent.append(message)
            self.at.append(time.monotonic())
            return f"sms-{len(self.sent):06d}"

    def opt_out(self, opt_out_list: str, number: str) -> None:
        pass

    def opt_in(self, opt_out_list: str, number: str) -> None:
        pass

    def opted_out(self, opt_out_list: str) -> Iterator[str]:
        return iter(())


@pytest.fixture
def sms(container: Container) -> FakeSmsService:
    fake = FakeSmsService()
    container.sms_gateway = fake
    container.__dict__.pop("providers", None)  # the registry is built again around it
    return fake


def _sms_connection(client: TestClient, owner: Account, *, mps: float) -> dict[str, Any]:
    response = client.post(
        "/v1/connections",
        headers=owner.headers,
        json={"provider": "sms_aws", "name": "SMS Vendas", "origination": "+5511999990000", "messages_per_second": mps},
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def _audience(client: TestClient, owner: Account, contacts: int) -> dict[str, Any]:
    tag = make_tag(client, owner)
    for _ in range(contacts):
        contact = make_contact(client, owner)
        assert client.put(f"/v1/contacts/{contact['id']}/tags/{tag['id']}", headers=owner.headers).status_code == 200
    return {"tag_ids": [tag["id"]]}


def _pump(container: Container) -> None:
    pump = QueuePump(container.queue, manifest.FUNCTIONS, stop=threading.Event())
    specs = [manifest.by_name(n) for n in ("campaign_starter", "campaign_sender")]
    for _ in range(50):
        if not sum(pump.run_once(spec) for spec in specs):
            return


def test_an_sms_campaign_sends_its_text_to_each_contact_once_at_the_numbers_rate(
    client: TestClient, container: Container, meta: FakeMeta, sms: FakeSmsService
) -> None:
    owner = sign_up(client)
    connection = _sms_connection(client, owner, mps=10)
    local = client.post(
        "/v1/templates",
        headers=owner.headers,
        json={"name": "Oferta", "body": "Oi {{first_name}}, sua oferta chegou!", "defaults": {"first_name": "cliente"}},
    )
    assert local.status_code == 201, local.text
    audience = _audience(client, owner, 25)
    body = {"name": "SMS de dezembro", "connection_id": connection["id"], "audience": audience, "rate_per_second": 10}
    created = client.post(
        "/v1/campaigns", headers=owner.headers, json={**body, "local_template_id": local.json()["id"]}
    )
    assert created.status_code == 201, created.text
    campaign = created.json()
    assert (campaign["channel"], campaign["segments_per_message"]) == ("sms", 1)
    scheduled = client.post(f"/v1/campaigns/{campaign['id']}/schedule", headers=owner.headers, json={})
    assert scheduled.status_code == 200, scheduled.text
    _pump(container)
    progress = client.get(f"/v1/campaigns/{campaign['id']}/progress", headers=owner.headers).json()
    assert (progress["status"], progress["sent"], progress["segments"]) == ("completed", 25, 25)
    assert len({m.destination for m in sms.sent}) == len(sms.sent) == 25  # each contact once
    assert all(m.origination == "+5511999990000" for m in sms.sent)
    assert all(m.body.startswith("Oi ") and m.body.endswith(", sua oferta chegou!") for m in sms.sent)
    assert all(m.context.get("reference", "").startswith("campaign-recipient:") for m in sms.sent)
    times = sorted(sms.at)
    busiest = max(sum(1 for t in times if start <= t < start + 1.0) for start in times)
    assert busiest <= 10  # the origination number's MPS
    recipients = client.get(f"/v1/campaigns/{campaign['id']}/recipients", headers=owner.headers).json()["items"]
    assert {r["status"] for r in recipients} == {"sent"} and all(r["wamid"].startswith("sms-") for r in recipients)


def test_a_campaigns_template_is_its_connections_channels(
    client: TestClient, container: Container, meta: FakeMeta, sms: FakeSmsService
) -> None:
    owner = sign_up(client)
    sms_connection = _sms_connection(client, owner, mps=5)
    whatsapp = make_connection(client, owner, meta)
    template = approved_template(client, owner, meta, whatsapp)
    local = client.post("/v1/templates", headers=owner.headers, json={"name": "Aviso", "body": "Seu pedido saiu."})
    audience = _audience(client, owner, 1)
    cases = [
        (sms_connection["id"], {"whatsapp_template_id": template["id"]}, "whatsapp_template_id"),
        (whatsapp["id"], {"local_template_id": local.json()["id"]}, "local_template_id"),
    ]
    for connection_id, content, field_name in cases:
        body = {"name": "Mistura", "connection_id": connection_id, "audience": audience, **content}
        refused = client.post("/v1/campaigns", headers=owner.headers, json=body)
        assert refused.status_code == 422, refused.text
        errors = {(e["field"], e["code"]) for e in refused.json()["errors"]}
        assert (field_name, "template_channel") in errors
    assert sms.sent == [] and meta.sent == []


def test_an_sms_campaigns_audience_is_who_may_get_sms(
    client: TestClient, container: Container, meta: FakeMeta, sms: FakeSmsService
) -> None:
    """Consent is per channel: an SMS campaign leaves out those opted out of SMS, not those opted out of WhatsApp
    only, in its live count and in the ledger it plans."""
    owner = sign_up(client)
    connection = _sms_connection(client, owner, mps=10)
    local = client.post("/v1/templates", headers=owner.headers, json={"name": "Aviso", "body": "Seu pedido saiu."})
    tag = make_tag(client, owner)
    people = [make_contact(client, owner) for _ in range(4)]
    for person in people:
        assert client.put(f"/v1/contacts/{person['id']}/tags/{tag['id']}", headers=owner.headers).status_code == 200
    for person, channel in ((people[0], "sms"), (people[1], "whatsapp"), (people[2], "whatsapp")):
        out = client.put(
            f"/v1/contacts/{person['id']}/consent/{channel}", headers=owner.headers, json={"status": "opted_out"}
        )
        assert out.status_code == 200, out.text
    body = {
        "name": "Avisos",
        "connection_id": connection["id"],
        "audience": {"tag_ids": [tag["id"]]},
        "rate_per_second": 10,
    }
    content = {"local_template_id": local.json()["id"]}
    created = client.post("/v1/campaigns", headers=owner.headers, json={**body, **content})
    assert created.status_code == 201, created.text
    campaign = created.json()
    count = client.get(f"/v1/campaigns/{campaign['id']}/audience", headers=owner.headers)
    assert count.status_code == 200 and count.json()["count"] == 3
    assert client.post(f"/v1/campaigns/{campaign['id']}/schedule", headers=owner.headers, json={}).status_code == 200
    _pump(container)
    assert sorted(m.destination for m in sms.sent) == sorted(p["phone"] for p in people[1:])


def test_a_long_sms_takes_a_slot_per_segment_so_the_numbers_mps_holds(
    client: TestClient, container: Container, meta: FakeMeta, sms: FakeSmsService
) -> None:
    """AWS's MPS counts message parts: 12 messages of two segments at 10 MPS go out over more than two seconds,
    never more than 10 parts in any one second."""
    owner = sign_up(client)
    connection = _sms_connection(client, owner, mps=10)
    local = client.post("/v1/templates", headers=owner.headers, json={"name": "Longo", "body": "Aviso: " + "x" * 154})
    assert local.status_code == 201, local.text
    body = {
        "name": "Longa",
        "connection_id": connection["id"],
        "audience": _audience(client, owner, 12),
        "rate_per_second": 10,
    }
    created = client.post(
        "/v1/campaigns", headers=owner.headers, json={**body, "local_template_id": local.json()["id"]}
    )
    assert created.status_code == 201, created.text
    campaign = created.json()
    assert campaign["segments_per_message"] == 2
    assert client.post(f"/v1/campaigns/{campaign['id']}/schedule", headers=owner.headers, json={}).status_code == 200
    _pump(container)
    progress = client.get(f"/v1/campaigns/{campaign['id']}/progress", headers=owner.headers).json()
    assert (progress["status"], progress["sent"], progress["segments"]) == ("completed", 12, 24)
    times = sorted(sms.at)
    busiest = max(sum(2 for t in times if start <= t < start + 1.0) for start in times)
    assert busiest <= 10  # parts a second: the origination number's MPS
