"""A campaign that opens a lead when a contact replies (its ``reply_lead`` setting), on a real database: the
setting's validation, one lead per reply attributed (never a second on a redelivery or a second reply), none
for a contact with an open lead there, none for a campaign without the setting."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from functions import manifest
from functions.local.pump import QueuePump
from masteria.bootstrap import Container
from masteria.events import OutboxEvent
from masteria.pipelines.models import Lead, StageChange
from tests.api import Account, customer_writes, invite, make_campaign, meta_posts, sign_up
from tests.meta import FakeMeta
from tests.pipelines_api import make_lead, pipeline_of, stage_named


def _send(client: TestClient, owner: Account, campaign: dict[str, Any], container: Container) -> list[dict[str, Any]]:
    """Start the campaign now, run its starter and sender until their queues are empty; its recipients."""
    response = client.post(f"/v1/campaigns/{campaign['id']}/schedule", headers=owner.headers, json={})
    assert response.status_code == 200, response.text
    pump = QueuePump(container.queue, manifest.FUNCTIONS, stop=threading.Event())
    specs = [manifest.by_name("campaign_starter"), manifest.by_name("campaign_sender")]
    for _ in range(50):
        if not sum(pump.run_once(spec) for spec in specs):
            break
    recipients = client.get(f"/v1/campaigns/{campaign['id']}/recipients", headers=owner.headers).json()["items"]
    assert {r["status"] for r in recipients} == {"sent"}
    return list(recipients)


def _leads(container: Container, owner: Account) -> list[Lead]:
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        rows = list(session.scalars(select(Lead).order_by(Lead.created_at)))
        session.expunge_all()
        return rows


def _reply(container: Container, owner: Account, connection: dict[str, Any], wa_id: str, wamid: str) -> None:
    """The same message (by its id) each time: a redelivery by Meta."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": connection["phone_number_id"]},
        "contacts": [{"profile": {"name": "Carla"}, "wa_id": wa_id}],
        "messages": [
            {"from": wa_id, "id": wamid, "timestamp": str(int(time.time())), "type": "text", "text": {"body": "Sim!"}}
        ],
    }
    meta_posts(container, owner, connection["id"], value)


def test_a_reply_opens_one_lead_in_the_chosen_stage(client: TestClient, meta: FakeMeta, container: Container) -> None:
    # GIVEN a campaign that opens leads in "Qualificado" for an agent, sent to two contacts
    owner = sign_up(client)
    agent = invite(client, owner, role="agent")
    pipeline = pipeline_of(client, owner)
    qualified = stage_named(pipeline, "Qualificado")
    setting = {"pipeline_id": pipeline["id"], "stage_id": qualified, "owner_id": agent.user_id}
    campaign = make_campaign(client, owner, meta, contacts=2, reply_lead=setting)
    assert campaign["reply_lead"] == setting
    recipients = _send(client, owner, campaign, container)
    connection = client.get(f"/v1/connections/{campaign['connection_id']}", headers=owner.headers).json()
    replying = recipients[0]
    wa_id, wamid = replying["phone"].lstrip("+"), f"wamid.in{uuid.uuid4().hex}"
    # WHEN one replies, and Meta delivers the reply twice
    _reply(container, owner, connection, wa_id, wamid)
    _reply(container, owner, connection, wa_id, wamid)
    # THEN one lead: the campaign's, for that contact, in that stage, that owner, linked to the conversation
    (lead,) = _leads(container, owner)
    conversation = client.get("/v1/conversations", headers=owner.headers).json()["items"][0]
    assert (lead.contact_id, lead.pipeline_id, lead.stage_id) == (
        uuid.UUID(replying["contact_id"]), uuid.UUID(pipeline["id"]), uuid.UUID(qualified)
    )  # fmt: skip
    assert (lead.source, lead.campaign_id, lead.title, lead.status) == (
        "campaign", uuid.UUID(campaign["id"]), campaign["name"], "open"
    )  # fmt: skip
    assert lead.owner_id == uuid.UUID(agent.user_id) and lead.conversation_id == uuid.UUID(conversation["id"])
    assert lead.created_by is None
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        history = session.execute(select(StageChange.actor_kind, StageChange.actor_id, StageChange.to_stage_id)).all()
        created = [e.data for e in session.scalars(select(OutboxEvent).where(OutboxEvent.type == "lead.created"))]
    assert history == [("automation", uuid.UUID(campaign["id"]), uuid.UUID(qualified))]
    assert [(e["lead_id"], e["source"]) for e in created] == [(str(lead.id), "campaign")]
    # the lead reads through the API like any other
    read = client.get(f"/v1/leads/{lead.id}", headers=owner.headers)
    assert read.status_code == 200 and read.json()["source"] == "campaign"
    # WHEN the same contact writes again (the reply is attributed already): still that one lead
    customer_writes(container, owner, connection, "Quando?", wa_id=wa_id)
    assert [row.id for row in _leads(container, owner)] == [lead.id]
    assert client.get(f"/v1/campaigns/{campaign['id']}/progress", headers=owner.headers).json()["replied"] == 1


def test_no_lead_for_a_contact_with_an_open_one_nor_from_a_campaign_without_the_setting(
    client: TestClient, meta: FakeMeta, container: Container
) -> None:
    owner = sign_up(client)
    pipeline = pipeline_of(client, owner)
    # GIVEN a campaign that opens leads (in the first open stage), sent to two contacts, one with an open lead
    opening = make_campaign(client, owner, meta, contacts=2, reply_lead={"pipeline_id": pipeline["id"]})
    assert opening["reply_lead"] == {"pipeline_id": pipeline["id"], "stage_id": None, "owner_id": None}
    first, second = _send(client, owner, opening, container)
    existing = make_lead(client, owner, pipeline, contact_id=first["contact_id"], title="Already here")
    connection = client.get(f"/v1/connections/{opening['connection_id']}", headers=owner.headers).json()
    # WHEN both reply
    customer_writes(container, owner, connection, "Oi", wa_id=first["phone"].lstrip("+"))
    customer_writes(container, owner, connection, "Oi", wa_id=second["phone"].lstrip("+"))
    # THEN the one with an open lead keeps it alone; the other gets one in "Novo"
    leads = {row.contact_id: row for row in _leads(container, owner)}
    assert leads[uuid.UUID(first["contact_id"])].id == uuid.UUID(existing["id"])
    new = leads[uuid.UUID(second["contact_id"])]
    assert (new.source, new.stage_id, new.owner_id) == ("campaign", uuid.UUID(stage_named(pipeline, "Novo")), None)
    assert len(leads) == 2
    # GIVEN a campaign without the setting: a reply opens nothing
    plain = make_campaign(client, owner, meta, contacts=1)
    assert plain["reply_lead"] is None
    (recipient,) = _send(client, owner, plain, container)
    plain_connection = client.get(f"/v1/connections/{plain['connection_id']}", headers=owner.headers).json()
    customer_writes(container, owner, plain_connection, "Oi", wa_id=recipient["phone"].lstrip("+"))
    assert client.get(f"/v1/campaigns/{plain['id']}/progress", headers=owner.headers).json()["replied"] == 1
    assert len(_leads(container, owner)) == 2


def test_the_setting_is_checked_set_and_cleared(client: TestClient, meta: FakeMeta) -> None:
    owner = sign_up(client)
    pipeline = pipeline_of(client, owner)
    other = sign_up(client)
    foreign = pipeline_of(client, other)
    campaign = make_campaign(client, owner, meta, contacts=1)

    def patch(setting: Any) -> Any:
        return client.patch(f"/v1/campaigns/{campaign['id']}", headers=owner.headers, json=setting)

    def field_codes(response: Any) -> dict[str, str]:
        assert response.status_code == 422, response.text
        return {e["field"]: e["code"] for e in response.json()["errors"]}

    # another company's pipeline, stage or user is unknown here
    unknown = {"reply_lead.pipeline_id": "unknown_id"}
    assert field_codes(patch({"reply_lead": {"pipeline_id": foreign["id"]}})) == unknown
    assert field_codes(
        patch({"reply_lead": {"pipeline_id": pipeline["id"], "stage_id": stage_named(foreign, "Novo")}})
    ) == {"reply_lead.stage_id": "stage_not_in_pipeline"}
    assert field_codes(patch({"reply_lead": {"pipeline_id": pipeline["id"], "owner_id": other.user_id}})) == {
        "reply_lead.owner_id": "unknown_id"
    }
    # a stage of another pipeline of the company; a closing stage
    upsell = client.post(
        "/v1/pipelines", headers=owner.headers, json={"name": "Upsell", "stages": [{"name": "Open"}]}
    ).json()
    assert field_codes(
        patch({"reply_lead": {"pipeline_id": pipeline["id"], "stage_id": upsell["stages"][0]["id"]}})
    ) == {"reply_lead.stage_id": "stage_not_in_pipeline"}
    assert field_codes(
        patch({"reply_lead": {"pipeline_id": pipeline["id"], "stage_id": stage_named(pipeline, "Ganho")}})
    ) == {"reply_lead.stage_id": "stage_closed"}
    # on create too
    response = client.post(
        "/v1/campaigns",
        headers=owner.headers,
        json={**{k: campaign[k] for k in ("connection_id", "whatsapp_template_id", "parameters", "audience")},
              "name": "Again", "reply_lead": {"pipeline_id": foreign["id"]}},
    )  # fmt: skip
    assert field_codes(response) == {"reply_lead.pipeline_id": "unknown_id"}
    # nothing was kept; a good setting is, and an unrelated change keeps it; clear_reply_lead removes it
    assert client.get(f"/v1/campaigns/{campaign['id']}", headers=owner.headers).json()["reply_lead"] is None
    good = {"pipeline_id": upsell["id"], "stage_id": upsell["stages"][0]["id"], "owner_id": owner.user_id}
    assert patch({"reply_lead": good}).json()["reply_lead"] == good
    assert patch({"name": "Renamed"}).json()["reply_lead"] == good
    assert patch({"clear_reply_lead": True}).json()["reply_lead"] is None
