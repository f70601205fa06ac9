"""Contact search by the start of a word of the name or email, kept in ``contact_terms`` by the contacts' triggers,
and looked up through an index under row-level security (``LIKE`` and trigram matches are not leakproof: RLS kept
them off every index, so each search read the company's contacts one by one)."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.dialects import postgresql

from masteria.bootstrap import Container
from masteria.contacts.schemas import ContactFilter
from masteria.contacts.service import select_contacts
from tests.api import Account, make_contact, sign_up


def _ids(client: TestClient, owner: Account, q: str) -> list[str]:
    response = client.get("/v1/contacts", headers=owner.headers, params={"q": q})
    assert response.status_code == 200, response.text
    return sorted(c["id"] for c in response.json()["items"])


def test_words_are_found_by_their_start_any_case_accents_folded(client: TestClient) -> None:
    owner = sign_up(client)
    joao = make_contact(client, owner, name="João Conceição Oliveira", email="joao.oli@Exemplo.com.br")
    maria = make_contact(client, owner, name="MARIA Oliveira", phone="+5521998765432")
    other = sign_up(client)
    make_contact(client, other, name="Maria Oliveira")  # another company's: never found

    assert _ids(client, owner, "oliv") == sorted([joao["id"], maria["id"]])
    assert _ids(client, owner, "joao") == [joao["id"]]  # typed without the accent
    assert _ids(client, owner, "CONCEIÇÃO") == [joao["id"]]
    assert _ids(client, owner, "maria oli") == [maria["id"]]  # every word must match one of the contact's
    assert _ids(client, owner, "oliveira maria") == [maria["id"]]  # in any order
    assert _ids(client, owner, "exemplo") == [joao["id"]]  # a word of the email
    assert _ids(client, owner, "maria 9876") == []  # a word's digits are in no word of hers (her phone's aside)
    assert _ids(client, owner, "liveira") == []  # a word's start, not any part of it
    assert _ids(client, owner, "maria joao") == []


def test_terms_follow_a_rename_a_new_phone_and_a_deletion(client: TestClient) -> None:
    owner = sign_up(client)
    contact = make_contact(client, owner, name="Paula Ramos", phone="+5511912340001")
    changed = client.patch(
        f"/v1/contacts/{contact['id']}",
        headers=owner.headers,
        json={"name": "Paula Teixeira", "phone": "+5511955550002"},
    )
    assert changed.status_code == 200, changed.text
    assert _ids(client, owner, "ramos") == []
    assert _ids(client, owner, "teixeira") == [contact["id"]]
    assert _ids(client, owner, "91234") == []
    assert _ids(client, owner, "(11) 95555") == [contact["id"]]
    assert client.delete(f"/v1/contacts/{contact['id']}", headers=owner.headers).status_code == 204
    assert _ids(client, owner, "paula") == []


def test_only_the_changed_contacts_terms_are_rewritten(client: TestClient, container: Container) -> None:
    """An update that leaves name and email alone (the time of a contact's last message, say) writes no term."""
    company = uuid.UUID(sign_up(client).company_id)
    with container.database.tenant(company) as session:
        session.execute(
            text(
                "INSERT INTO contacts (id, company_id, phone, name)"
                " VALUES (gen_random_uuid(), :c, '+5511900000001', 'Rui')"
            ),
            {"c": company},
        )
    with container.database.tenant(company) as session:
        before = session.execute(text("SELECT xmin::text, term FROM contact_terms")).all()
    with container.database.tenant(company) as session:
        session.execute(text("UPDATE contacts SET last_inbound_at = now(), name = name"))
    with container.database.tenant(company) as session:
        after = session.execute(text("SELECT xmin::text, term FROM contact_terms")).all()
    assert sorted(after) == sorted(before) and {t for _, t in after} == {"wrui"}


def test_a_search_reads_the_terms_index_under_row_level_security(
    client: TestClient, container: Container, owner_engine: Engine
) -> None:
    """On a company with 30,000 contacts (the planner's choice at that size), as the application's role."""
    company = uuid.UUID(sign_up(client).company_id)
    with container.database.tenant(company) as session:
        session.execute(
            text(
                "INSERT INTO contacts (id, company_id, phone, name, email)"
                " SELECT gen_random_uuid(), :c, '+55119' || lpad(i::text, 8, '0'),"
                " (ARRAY['Ana', 'Bruno', 'Carla', 'Davi'])[mod(i, 4) + 1] || ' Cliente' || i,"
                " 'c' || i || '@example.com'"
                " FROM generate_series(1, 30000) AS i"
            ),
            {"c": company},
        )
    with owner_engine.connect() as connection:
        connection.execute(text("ANALYZE contacts, contact_terms"))
        connection.commit()
    # (a few matches: the contacts read by id; a word as common as "ana" may have them read whole at this size)
    for q, few in (("cliente1234", True), ("ana cliente12", False)):
        with container.database.tenant(company) as session:
            statement = select_contacts(session, ContactFilter(q=q)).limit(51)
            compiled = statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
            plan = "\n".join(session.execute(text(f"EXPLAIN {compiled}")).scalars())
            found = session.execute(statement).scalars().all()
        assert "pk_contact_terms" in plan, plan
        # both ends of the prefix's range bound the index scan (an end only filtering would read to the last term)
        conditions = [line for line in plan.splitlines() if "Index Cond" in line]
        assert any("term >=" in line and "term <" in line for line in conditions), plan
        assert "Seq Scan on contact_terms" not in plan, plan
        assert "Seq Scan on contacts" not in plan or not few, plan
        assert found, q
