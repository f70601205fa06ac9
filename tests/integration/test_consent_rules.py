"""The consent rules (masteria.contacts.consent) as the inbound pipeline and campaigns see them: the contact's
own stop keyword takes them out of the audience and is no reply to the campaign that messaged them; their
opt-in keyword (the default ones and the company's own) brings them back after their own stop."""

from __future__ import annotations

import threading
import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from functions import manifest
from functions.local.pump import QueuePump
from masteria.bootstrap import Container
from masteria.campaigns.models import CampaignRecipient
from masteria.contacts.audience import sendable_audience
from tests.api import Account, customer_writes, make_campaign, make_connection, sign_up
from tests.meta import FakeMeta


def _send(client: TestClient, owner: Account, campaign: dict[str, Any], container: Container) -> None:
    """Start the campaign now and run its starter and sender until their queues are empty."""
    response = client.post(f"/v1/campaigns/{campaign['id']}/schedule", headers=owner.headers, json={})
    assert response.status_code == 200, response.text
    pump = QueuePump(container.queue, manifest.FUNCTIONS, stop=threading.Event())
    specs = [manifest.by_name("campaign_starter"), manifest.by_name("campaign_sender")]
    for _ in range(50):
        if not sum(pump.run_once(spec) for spec in specs):
            break
    assert _progress(client, owner, campaign)["status"] == "completed"


def _progress(client: TestClient, owner: Account, campaign: dict[str, Any]) -> dict[str, Any]:
    response = client.get(f"/v1/campaigns/{campaign['id']}/progress", headers=owner.headers)
    assert response.status_code == 200, response.text
    progress: dict[str, Any] = response.json()
    return progress


def _replied(client: TestClient, owner: Account, campaign: dict[str, Any]) -> list[str]:
    response = client.get(
        f"/v1/campaigns/{campaign['id']}/recipients", headers=owner.headers, params={"replied": True, "limit": 200}
    )
    assert response.status_code == 200, response.text
    return [r["phone"] for r in response.json()["items"]]


def _consent(client: TestClient, owner: Account, phone: str) -> str | None:
    (contact,) = client.get("/v1/contacts", headers=owner.headers, params={"q": phone}).json()["items"]
    states = {c["channel"]: c["status"] for c in contact["consents"]}
    return states.get("whatsapp")


def _audience(container: Container, owner: Account) -> set[uuid.UUID]:
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        return set(session.scalars(sendable_audience(channel="whatsapp")))


def test_an_opt_out_message_is_no_campaign_reply_and_a_reply_is(
    client: TestClient, meta: FakeMeta, container: Container
) -> None:
    # GIVEN a campaign sent to four contacts
    owner = sign_up(client)
    campaign = make_campaign(client, owner, meta, contacts=4)
    _send(client, owner, campaign, container)
    connection = client.get(f"/v1/connections/{campaign['connection_id']}", headers=owner.headers).json()
    response = client.get(f"/v1/campaigns/{campaign['id']}/recipients", headers=owner.headers)
    phones = sorted(r["phone"] for r in response.json()["items"] if r["status"] == "sent")
    assert len(phones) == 4
    *leaving, staying = phones
    # WHEN three write a stop keyword (as people write them) within the reply window
    for phone, stop in zip(leaving, ("STOP", " Sáir! ", "parar"), strict=True):
        customer_writes(container, owner, connection, stop, wa_id=phone.lstrip("+"))
    # THEN they are opted out, and none of them counts as a reply: no replied_at, the count does not move
    assert [_consent(client, owner, phone) for phone in leaving] == ["opted_out"] * 3
    assert _progress(client, owner, campaign)["replied"] == 0
    assert _replied(client, owner, campaign) == []
    # WHEN the fourth answers the campaign
    customer_writes(container, owner, connection, "Quero saber mais", wa_id=staying.lstrip("+"))
    # THEN that is the campaign's one reply
    assert _progress(client, owner, campaign)["replied"] == 1
    assert _replied(client, owner, campaign) == [staying]
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        stamped = session.execute(select(CampaignRecipient.phone, CampaignRecipient.replied_at)).all()
    assert {phone for phone, at in stamped if at is not None} == {staying}
    assert _consent(client, owner, staying) is None  # never asked: a reply changes no consent


def test_an_opt_in_keyword_brings_back_into_the_audience_only_who_stopped_themselves(
    client: TestClient, meta: FakeMeta, container: Container
) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    wa_id = "5511987650123"
    # GIVEN a contact who wrote to the company: never asked, so in the audience
    customer_writes(container, owner, connection, "oi", wa_id=wa_id)
    (contact,) = client.get("/v1/contacts", headers=owner.headers).json()["items"]
    assert _audience(container, owner) == {uuid.UUID(contact["id"])}
    # WHEN they stop, THEN they are out of it
    customer_writes(container, owner, connection, "SAIR", wa_id=wa_id)
    assert _audience(container, owner) == set()
    # WHEN they write a default opt-in keyword, THEN they are back, the keyword as the opt-in's proof
    customer_writes(container, owner, connection, "Voltar a receber", wa_id=wa_id)
    assert _audience(container, owner) == {uuid.UUID(contact["id"])}
    assert _consent(client, owner, "+" + wa_id) == "opted_in"
    # and the company's own keywords do the same, once it sets them
    response = client.put(
        "/v1/contacts/settings",
        headers=owner.headers,
        json={"stop_keywords": ["CHEGA"], "opt_in_keywords": ["QUERO VOLTAR"]},
    )
    assert response.status_code == 200, response.text
    customer_writes(container, owner, connection, "STOP", wa_id=wa_id)  # no longer a keyword of this company
    assert _audience(container, owner) == {uuid.UUID(contact["id"])}
    customer_writes(container, owner, connection, "Chega!", wa_id=wa_id)
    assert _audience(container, owner) == set()
    customer_writes(container, owner, connection, "quero voltar", wa_id=wa_id)
    assert _audience(container, owner) == {uuid.UUID(contact["id"])}
    events = client.get(f"/v1/contacts/{contact['id']}/consent-events", headers=owner.headers).json()["items"]
    assert [(e["status"], e["source"], e["reason"] or e["proof"]) for e in events] == [
        ("opted_in", "inbound_keyword", "quero voltar"),
        ("opted_out", "inbound_keyword", "Chega!"),
        ("opted_in", "inbound_keyword", "Voltar a receber"),
        ("opted_out", "inbound_keyword", "SAIR"),
    ]
