"""Consent history: every path that changes a contact's consent appends one event in the same transaction
(the consent endpoint, the contact's own stop and opt-in keywords), listed newest first, paginated and
filtered by channel; another company's contact is a 404 and its rows are hidden by RLS; the history is
append-only for the application and goes with its contact."""

from __future__ import annotations

import uuid
from typing import Any, get_args

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from masteria.bootstrap import Container
from masteria.contacts.models import CONSENT_SOURCES, ConsentEvent, Contact
from masteria.contacts.schemas import ConsentSource
from tests.api import Account, customer_writes, invite, make_connection, make_contact, sign_up
from tests.meta import FakeMeta


def _events(client: TestClient, account: Account, contact_id: str, **query: Any) -> dict[str, Any]:
    response = client.get(f"/v1/contacts/{contact_id}/consent-events", headers=account.headers, params=query)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def _consent(client: TestClient, account: Account, contact_id: str, channel: str, **body: Any) -> dict[str, Any]:
    response = client.put(f"/v1/contacts/{contact_id}/consent/{channel}", headers=account.headers, json=body)
    assert response.status_code == 200, response.text
    contact: dict[str, Any] = response.json()
    return contact


def _name(client: TestClient, account: Account) -> str:
    name: str = client.get("/v1/me", headers=account.headers).json()["user"]["name"]
    return name


def test_the_sources_are_one_fact() -> None:
    assert get_args(ConsentSource) == CONSENT_SOURCES


def test_each_change_through_the_api_is_one_event_with_who_made_it(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    agent = invite(client, owner, role="agent")
    contact = make_contact(client, owner)
    # GIVEN an opt-in by the owner, an opt-out by an agent (twice: the second changes nothing), an opt-in again
    _consent(client, owner, contact["id"], "whatsapp", status="opted_in", source="signup form", proof="checkbox")
    for _ in range(2):
        _consent(client, agent, contact["id"], "whatsapp", status="opted_out", reason="asked by phone")
    current = _consent(client, agent, contact["id"], "whatsapp", status="opted_in", source="call", proof="recorded")
    # WHEN the history is read
    items = _events(client, owner, contact["id"])["items"]
    # THEN it holds the three changes, newest first, each with its details and its user
    assert [(e["status"], e["source"]) for e in items] == [
        ("opted_in", "user"),
        ("opted_out", "user"),
        ("opted_in", "user"),
    ]
    newest, out, first = items
    assert (first["opt_in_source"], first["proof"], first["reason"]) == ("signup form", "checkbox", None)
    assert first["actor"] == {"id": owner.user_id, "name": _name(client, owner)}
    assert (out["reason"], out["opt_in_source"], out["proof"]) == ("asked by phone", None, None)
    assert out["actor"] == {"id": agent.user_id, "name": _name(client, agent)}
    assert (newest["opt_in_source"], newest["proof"]) == ("call", "recorded")
    assert {e["channel"] for e in items} == {"whatsapp"} and {e["contact_id"] for e in items} == {contact["id"]}
    assert newest["created_at"] > out["created_at"] > first["created_at"]
    # the current state the send path reads is unchanged in shape: the last opt-in, the last opt-out
    (state,) = current["consents"]
    assert (state["status"], state["opt_in_source"], state["opt_out_reason"]) == ("opted_in", "call", "asked by phone")


def test_the_contacts_keywords_write_events_of_their_own(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    # WHEN the customer writes a stop keyword, chats, then an opt-in keyword twice
    for message in ("Sair!", "oi, tudo bem?", "Start", "start"):
        customer_writes(container, owner, connection, message)
    (contact,) = client.get("/v1/contacts", headers=owner.headers).json()["items"]
    # THEN one opt-out and one opt-in, both from the inbound keyword, quoting it, by no user
    items = _events(client, owner, contact["id"])["items"]
    assert [(e["status"], e["source"], e["actor"]) for e in items] == [
        ("opted_in", "inbound_keyword", None),
        ("opted_out", "inbound_keyword", None),
    ]
    assert items[1]["reason"] == "Sair!"  # what they wrote, as written
    assert items[0]["proof"] == "Start"
    assert client.get(f"/v1/contacts/{contact['id']}", headers=owner.headers).json()["consents"][0]["status"] == (
        "opted_in"
    )
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        outbox = session.scalars(text("SELECT type FROM outbox_events")).all()
    assert outbox.count("contact.opted_out") == 1


def test_an_opt_in_keyword_only_takes_back_the_contacts_own_stop(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    """A word in a chat is no consent: an opt-in keyword from someone never asked records nothing, and one
    after an opt-out a user recorded (asked on the phone) does not undo it; "sim" is no keyword at all."""
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    customer_writes(container, owner, connection, "START")  # never asked: nothing recorded
    (contact,) = client.get("/v1/contacts", headers=owner.headers).json()["items"]
    assert _events(client, owner, contact["id"])["items"] == []
    _consent(client, owner, contact["id"], "whatsapp", status="opted_out", reason="asked on the phone")
    for message in ("Start", "sim", "Sim, pode mandar"):
        customer_writes(container, owner, connection, message)
    items = _events(client, owner, contact["id"])["items"]
    assert [(e["status"], e["source"]) for e in items] == [("opted_out", "user")]
    assert client.get(f"/v1/contacts/{contact['id']}", headers=owner.headers).json()["consents"][0]["status"] == (
        "opted_out"
    )


def test_the_history_pages_newest_first_and_filters_by_channel(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    contact = make_contact(client, owner)
    changes = [("whatsapp", "opted_out"), ("sms", "opted_out"), ("whatsapp", "opted_in"), ("sms", "opted_in")]
    changes += [("whatsapp", "opted_out")]
    for channel, status in changes:
        _consent(client, owner, contact["id"], channel, status=status)
    seen: list[tuple[str, str]] = []
    cursor = None
    while True:
        page = _events(client, owner, contact["id"], limit=2, **({"cursor": cursor} if cursor else {}))
        assert len(page["items"]) <= 2
        seen += [(e["channel"], e["status"]) for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == changes[::-1]
    sms = _events(client, owner, contact["id"], channel="sms")
    assert [(e["channel"], e["status"]) for e in sms["items"]] == [("sms", "opted_in"), ("sms", "opted_out")]
    assert sms["next_cursor"] is None
    bad = client.get(f"/v1/contacts/{contact['id']}/consent-events?channel=fax", headers=owner.headers)
    assert bad.status_code == 422
    empty = _events(client, owner, make_contact(client, owner)["id"])
    assert empty == {"items": [], "next_cursor": None}


def test_another_companys_history_is_a_404_and_hidden_by_rls(client: TestClient, container: Container) -> None:
    mine, theirs = sign_up(client), sign_up(client)
    contact = make_contact(client, theirs)
    _consent(client, theirs, contact["id"], "whatsapp", status="opted_out", reason="asked")
    response = client.get(f"/v1/contacts/{contact['id']}/consent-events", headers=mine.headers)
    assert response.status_code == 404
    with container.database.tenant(uuid.UUID(mine.company_id)) as session:
        assert session.scalar(select(func.count()).select_from(ConsentEvent)) == 0
        # nor can this company write into the other's history
        with pytest.raises(DBAPIError, match="row-level security"), session.begin_nested():
            session.add(
                ConsentEvent(
                    company_id=uuid.UUID(theirs.company_id),
                    contact_id=uuid.UUID(contact["id"]),
                    channel="whatsapp",
                    status="opted_in",
                    source="user",
                )
            )
            session.flush()
    with container.database.tenant(uuid.UUID(theirs.company_id)) as session:
        assert session.scalar(select(func.count()).select_from(ConsentEvent)) == 1


def test_the_history_is_append_only_and_goes_with_its_contact(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    kept, deleted = make_contact(client, owner), make_contact(client, owner)
    for contact in (kept, deleted):
        _consent(client, owner, contact["id"], "whatsapp", status="opted_out", reason="asked")
    company = uuid.UUID(owner.company_id)
    for statement in ("UPDATE consent_events SET reason = 'changed'", "DELETE FROM consent_events"):
        with pytest.raises(DBAPIError, match="permission denied"), container.database.tenant(company) as session:
            session.execute(text(statement))
    # GDPR / LGPD: deleting a contact deletes its personal data, its consent history with it
    assert client.delete(f"/v1/contacts/{deleted['id']}", headers=owner.headers).status_code == 204
    with container.database.tenant(company) as session:
        left = session.execute(select(ConsentEvent.contact_id, ConsentEvent.reason)).all()
        assert session.get(Contact, uuid.UUID(kept["id"])) is not None
    assert [(str(c), r) for c, r in left] == [(kept["id"], "asked")]
