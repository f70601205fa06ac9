"""Contacts, custom fields, tags, consent and the audience builder, through the API on a real database."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlalchemy import text

from masteria.bootstrap import Container
from masteria.contacts.audience import sendable_audience
from tests.api import invite, make_contact, make_custom_field, make_tag, sign_up


def test_create_normalizes_the_phone_and_refuses_duplicates(client: TestClient) -> None:
    owner = sign_up(client)
    created = client.post("/v1/contacts", headers=owner.headers, json={"phone": "(11) 91234-5678", "name": "Maria"})
    assert created.status_code == 201, created.text
    contact = created.json()
    assert contact["phone"] == "+5511912345678"  # the company's default region is BR
    # the same number written differently is the same contact: 409 naming it
    duplicate = client.post("/v1/contacts", headers=owner.headers, json={"phone": "+55 11 9 1234 5678"})
    assert duplicate.status_code == 409
    assert contact["id"] in duplicate.json()["detail"]
    # another company may have the same number
    other = sign_up(client)
    assert client.post("/v1/contacts", headers=other.headers, json={"phone": "11912345678"}).status_code == 201


def test_invalid_phone_is_422_saying_why(client: TestClient) -> None:
    owner = sign_up(client)
    response = client.post("/v1/contacts", headers=owner.headers, json={"phone": "123"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "phone"
    assert "invalid phone number for region BR" in response.json()["errors"][0]["message"]


def test_custom_fields_are_validated_on_write(client: TestClient) -> None:
    owner = sign_up(client)
    make_custom_field(client, owner, key="plan", label="Plan", type="select", options=["basic", "pro"])
    make_custom_field(client, owner, key="seats", label="Seats", type="number")
    make_custom_field(client, owner, key="renewal", label="Renewal", type="date")
    make_custom_field(client, owner, key="active", label="Active", type="boolean")
    bad = client.post(
        "/v1/contacts",
        headers=owner.headers,
        json={
            "phone": "11912345678",
            "custom_fields": {"plan": "gold", "seats": "3", "renewal": "31/12/2026", "active": "yes", "nope": 1},
        },
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {
        "custom_fields.plan",
        "custom_fields.seats",
        "custom_fields.renewal",
        "custom_fields.active",
        "custom_fields.nope",
    }
    good = make_contact(
        client, owner, custom_fields={"plan": "pro", "seats": 3, "renewal": "2026-12-31", "active": True}
    )
    assert good["custom_fields"] == {"plan": "pro", "seats": 3, "renewal": "2026-12-31", "active": True}
    # updates merge, and null removes a field
    patched = client.patch(
        f"/v1/contacts/{good['id']}", headers=owner.headers, json={"custom_fields": {"seats": None, "plan": "basic"}}
    ).json()
    assert patched["custom_fields"] == {"plan": "basic", "renewal": "2026-12-31", "active": True}
    # select fields need options; keys are unique
    no_options = client.post(
        "/v1/custom-fields", headers=owner.headers, json={"key": "x", "label": "X", "type": "select"}
    )
    assert no_options.status_code == 422
    again = client.post("/v1/custom-fields", headers=owner.headers, json={"key": "plan", "label": "P", "type": "text"})
    assert again.status_code == 409


def test_search_filters_and_pagination(client: TestClient) -> None:
    owner = sign_up(client)
    vip = make_tag(client, owner, "VIP")
    make_custom_field(client, owner, key="city", label="City", type="text")
    ana = make_contact(client, owner, name="Ana Souza", email="ana@acme.example.com", custom_fields={"city": "Recife"})
    bruno = make_contact(client, owner, name="Bruno Lima", phone="+55 21 99876-5432")
    carla = make_contact(client, owner, name="Carla 100%_off")
    client.put(f"/v1/contacts/{bruno['id']}/tags/{vip['id']}", headers=owner.headers)

    def ids(query: str) -> list[str]:
        response = client.get(f"/v1/contacts?{query}", headers=owner.headers)
        assert response.status_code == 200, response.text
        return [c["id"] for c in response.json()["items"]]

    assert ids("q=souza") == [ana["id"]]
    assert ids("q=acme.example") == [ana["id"]]
    assert ids("q=98765") == [bruno["id"]]
    assert ids("q=100%25_") == [carla["id"]]  # a word of the name
    assert ids("q=%25_") == [carla["id"]]  # punctuation alone: % and _ are literal, not wildcards
    assert ids("q=(21) 99876") == [bruno["id"]]  # a phone fragment as typed, with its punctuation
    assert ids("q=%2B55 21 99876-5432") == [bruno["id"]]
    assert ids("q=bruno") == [bruno["id"]]
    assert ids(f"tag_id={vip['id']}") == [bruno["id"]]
    assert ids("custom_field=city&custom_value=Recife") == [ana["id"]]
    assert ids("custom_field=city") == [ana["id"]]
    assert ids("order=oldest") == [ana["id"], bruno["id"], carla["id"]]
    first = client.get("/v1/contacts?limit=2", headers=owner.headers).json()
    assert [c["id"] for c in first["items"]] == [carla["id"], bruno["id"]]
    rest = client.get(f"/v1/contacts?limit=2&cursor={first['next_cursor']}", headers=owner.headers).json()
    assert [c["id"] for c in rest["items"]] == [ana["id"]] and rest["next_cursor"] is None
    listed_bruno = next(c for c in first["items"] if c["id"] == bruno["id"])
    assert [t["name"] for t in listed_bruno["tags"]] == ["VIP"]


def test_search_an_email_finds_that_contact_and_digits_only_phones(client: TestClient) -> None:
    owner = sign_up(client)
    # the email's digits are in another contact's phone: the email finds its own contact only
    wanted = make_contact(client, owner, name="Dora", phone="+5511912340001", email="Dora.388@Acme.example.com")
    elias = make_contact(client, owner, name="Elias", phone="+5511938800002", email="elias@acme.example.com")
    shop = make_contact(client, owner, name="Loja 388", phone="+5511912340003")

    def ids(q: str) -> list[str]:
        response = client.get("/v1/contacts", headers=owner.headers, params={"q": q})
        assert response.status_code == 200, response.text
        return [c["id"] for c in response.json()["items"]]

    assert ids("dora.388@acme.example.com") == [wanted["id"]]  # any case
    assert ids(" DORA.388@ACME.EXAMPLE.COM ") == [wanted["id"]]
    assert ids("nobody.388@acme.example.com") == []
    assert ids("388") == [elias["id"]]  # a phone fragment: Elias's phone, not Dora's email nor the shop's name
    assert ids("loja 388") == [shop["id"]]  # letters with the digits: a part of the name


def test_tags_are_unique_ignoring_case_and_deleting_one_untags(client: TestClient) -> None:
    owner = sign_up(client)
    tag = make_tag(client, owner, "Lead")
    assert client.post("/v1/tags", headers=owner.headers, json={"name": "lead"}).status_code == 409
    assert client.post("/v1/tags", headers=owner.headers, json={"name": "x", "color": "red"}).status_code == 422
    contact = make_contact(client, owner)
    tagged = client.put(f"/v1/contacts/{contact['id']}/tags/{tag['id']}", headers=owner.headers).json()
    assert [t["id"] for t in tagged["tags"]] == [tag["id"]]
    again = client.put(f"/v1/contacts/{contact['id']}/tags/{tag['id']}", headers=owner.headers).json()
    assert len(again["tags"]) == 1
    assert client.delete(f"/v1/tags/{tag['id']}", headers=owner.headers).status_code == 204
    assert client.get(f"/v1/contacts/{contact['id']}", headers=owner.headers).json()["tags"] == []


def test_agents_work_contacts_but_cannot_delete_or_define_fields(client: TestClient) -> None:
    owner = sign_up(client)
    agent = invite(client, owner, role="agent")
    contact = make_contact(client, agent)
    assert client.patch(f"/v1/contacts/{contact['id']}", headers=agent.headers, json={"name": "N"}).status_code == 200
    assert client.delete(f"/v1/contacts/{contact['id']}", headers=agent.headers).status_code == 403
    field = {"key": "k", "label": "K", "type": "text"}
    assert client.post("/v1/custom-fields", headers=agent.headers, json=field).status_code == 403
    assert client.delete(f"/v1/contacts/{contact['id']}", headers=owner.headers).status_code == 204
    assert client.get(f"/v1/contacts/{contact['id']}", headers=owner.headers).status_code == 404


def test_opt_out_is_recorded_once_with_an_event_and_leaves_the_audience(
    client: TestClient, container: Container
) -> None:
    owner = sign_up(client)
    keep, leave, invalid = (make_contact(client, owner) for _ in range(3))
    opt_in = client.put(
        f"/v1/contacts/{keep['id']}/consent/whatsapp",
        headers=owner.headers,
        json={"status": "opted_in", "source": "signup form", "proof": "checkbox"},
    ).json()
    assert opt_in["consents"][0]["status"] == "opted_in"
    assert opt_in["consents"][0]["opt_in_source"] == "signup form"
    for _ in range(2):  # idempotent
        out = client.put(
            f"/v1/contacts/{leave['id']}/consent/whatsapp",
            headers=owner.headers,
            json={"status": "opted_out", "reason": "asked"},
        )
        assert out.json()["consents"][0]["status"] == "opted_out"
    company = uuid.UUID(owner.company_id)
    with container.database.tenant(company) as session:
        session.execute(text("UPDATE contacts SET is_valid = false WHERE id = :i"), {"i": invalid["id"]})
        events = session.execute(text("SELECT type, data FROM outbox_events ORDER BY id")).all()
        whatsapp = set(session.scalars(sendable_audience(channel="whatsapp")))
        sms = set(session.scalars(sendable_audience(channel="sms")))
        only_tagged = list(session.scalars(sendable_audience(channel="whatsapp", tag_ids=[uuid.uuid4()])))
    assert [e.type for e in events].count("contact.opted_out") == 1
    assert [e.type for e in events].count("contact.created") == 3
    assert whatsapp == {uuid.UUID(keep["id"])}
    assert sms == {uuid.UUID(keep["id"]), uuid.UUID(leave["id"])}  # opted out of WhatsApp only
    assert only_tagged == []


def test_companies_set_their_own_keywords(client: TestClient, container: Container) -> None:
    from masteria.contacts.consent import classify_inbound

    owner = sign_up(client)
    agent = invite(client, owner, role="agent")
    defaults = client.get("/v1/contacts/settings", headers=agent.headers).json()
    assert "DESCADASTRAR" in defaults["stop_keywords"]
    company = uuid.UUID(owner.company_id)
    with container.database.tenant(company) as session:
        assert classify_inbound(session, company_id=company, text="Sáir!") == "stop"
        assert classify_inbound(session, company_id=company, text="basta") is None
    assert (
        client.put("/v1/contacts/settings", headers=agent.headers, json={"stop_keywords": ["BASTA"]}).status_code == 403
    )
    clash = client.put(
        "/v1/contacts/settings", headers=owner.headers, json={"stop_keywords": ["Basta"], "opt_in_keywords": ["básta"]}
    )
    assert clash.status_code == 422
    changed = client.put("/v1/contacts/settings", headers=owner.headers, json={"stop_keywords": ["BASTA", "STOP"]})
    assert changed.json()["stop_keywords"] == ["BASTA", "STOP"]
    with container.database.tenant(company) as session:
        assert classify_inbound(session, company_id=company, text="  basta ") == "stop"
        assert classify_inbound(session, company_id=company, text="sair") is None  # no longer a keyword here
        assert classify_inbound(session, company_id=company, text="Start") == "opt_in"  # the opt-in ones kept
    other = sign_up(client)  # another company keeps the defaults
    assert "SAIR" in client.get("/v1/contacts/settings", headers=other.headers).json()["stop_keywords"]
