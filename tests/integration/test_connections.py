"""Channel connections: verified with Meta before they are kept, secrets sealed at rest and never shown
again, a test that follows Meta's answer, admins only."""

from __future__ import annotations

import time
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from masteria.bootstrap import Container
from masteria.channels import connections
from masteria.channels.models import SECRET_COLUMNS, ChannelConnection
from masteria.crypto import SecretUnreadable
from tests.api import invite, make_connection, sign_up
from tests.meta import FakeMeta


def test_create_verifies_with_meta_and_seals_every_secret(
    client: TestClient, meta: FakeMeta, owner_engine: Engine
) -> None:
    owner = sign_up(client)
    meta.add_number("106540352242922", "102290129340398", "EAAG-good-token", verified_name="Loja da Ana")
    body = {
        "name": "Vendas",
        "phone_number_id": "106540352242922",
        "waba_id": "102290129340398",
        "access_token": "EAAG-good-token",
        "app_secret": "app-secret-0123456789abcdef",
    }
    created = client.post("/v1/connections", headers=owner.headers, json=body)
    assert created.status_code == 201, created.text
    connection = created.json()
    assert (connection["verified_name"], connection["quality_rating"], connection["throughput_level"]) == (
        "Loja da Ana", "GREEN", "STANDARD",
    )  # fmt: skip
    assert (connection["messaging_limit"], connection["status"]) == ("TIER_1K", "active")
    assert connection["webhook_url"].startswith("http://testserver/webhooks/meta/")
    verify_token = connection["verify_token"]
    assert len(verify_token) >= 24
    read = client.get(f"/v1/connections/{connection['id']}", headers=owner.headers).json()
    assert "verify_token" not in read and "access_token" not in read and "app_secret" not in read
    assert (read["phone_number_id"], read["waba_id"]) == (body["phone_number_id"], body["waba_id"])
    # at rest: no secret in clear anywhere in the row
    with owner_engine.begin() as db:
        db.execute(text("SELECT set_config('app.company_id', :c, true)"), {"c": owner.company_id})
        row = db.execute(text("SELECT * FROM channel_connections")).mappings().one()
    stored = b"".join(bytes(row[c]) for c in SECRET_COLUMNS)
    for secret in (*body.values(), verify_token):
        assert secret.encode() not in stored
    # a duplicate name is a conflict
    again = client.post("/v1/connections", headers=owner.headers, json={**body, "name": "vendas"})
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("change", "field"),
    [({"access_token": "EAAG-wrong-token"}, "access_token"), ({"waba_id": "999999999"}, "waba_id")],
)
def test_meta_refusing_the_credentials_is_a_422_and_nothing_is_kept(
    change: dict[str, str], field: str, client: TestClient, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    meta.add_number("106540352242922", "102290129340398", "EAAG-good-token")
    meta.add_number("106540352242999", "999999999", "EAAG-other-token")
    body = {
        "name": "Vendas",
        "phone_number_id": "106540352242922",
        "waba_id": "102290129340398",
        "access_token": "EAAG-good-token",
        "app_secret": "app-secret-0123456789abcdef",
        **change,
    }
    if field == "waba_id":
        body["access_token"] = "EAAG-other-token"  # a token that works for that WABA, not for the number
        meta.numbers["106540352242922"].token = "EAAG-other-token"
    refused = client.post("/v1/connections", headers=owner.headers, json=body)
    assert refused.status_code == 422, refused.text
    assert [e["field"] for e in refused.json()["errors"]] == [field]
    assert client.get("/v1/connections", headers=owner.headers).json() == {"items": [], "next_cursor": None}


def test_test_follows_meta_and_a_new_token_restores_the_connection(client: TestClient, meta: FakeMeta) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    number = meta.numbers[connection["phone_number_id"]]
    number.quality_rating, number.throughput = "YELLOW", "HIGH"
    tested = client.post(f"/v1/connections/{connection['id']}/test", headers=owner.headers).json()
    assert (tested["status"], tested["quality_rating"], tested["throughput_level"]) == ("active", "YELLOW", "HIGH")
    number.token = "EAAG-rotated-at-meta"  # the stored token stops working
    failing = client.post(f"/v1/connections/{connection['id']}/test", headers=owner.headers).json()
    assert failing["status"] == "failing" and "190" in failing["last_error"]
    wrong = client.patch(
        f"/v1/connections/{connection['id']}", headers=owner.headers, json={"access_token": "EAAG-nope"}
    )
    assert wrong.status_code == 422
    fixed = client.patch(
        f"/v1/connections/{connection['id']}", headers=owner.headers, json={"access_token": "EAAG-rotated-at-meta"}
    )
    assert fixed.status_code == 200, fixed.text
    assert (fixed.json()["status"], fixed.json()["last_error"]) == ("active", None)


def test_agents_cannot_manage_connections(client: TestClient, meta: FakeMeta) -> None:
    owner = sign_up(client)
    agent = invite(client, owner, role="agent")
    connection = make_connection(client, owner, meta)
    assert client.delete(f"/v1/connections/{connection['id']}", headers=agent.headers).status_code == 403
    body = {"name": "x", "phone_number_id": "12345", "waba_id": "12345", "access_token": "t" * 9, "app_secret": "s" * 9}
    assert client.post("/v1/connections", headers=agent.headers, json=body).status_code == 403
    assert client.get(f"/v1/connections/{connection['id']}", headers=agent.headers).status_code == 200
    assert client.delete(f"/v1/connections/{connection['id']}", headers=owner.headers).status_code == 204
    assert client.get(f"/v1/connections/{connection['id']}", headers=owner.headers).status_code == 404


def test_a_secret_copied_to_another_connection_does_not_open(
    client: TestClient, container: Container, meta: FakeMeta, owner_engine: Engine
) -> None:
    owner = sign_up(client)
    first, second = make_connection(client, owner, meta), make_connection(client, owner, meta)
    with owner_engine.begin() as db:
        db.execute(text("SELECT set_config('app.company_id', :c, true)"), {"c": owner.company_id})
        db.execute(
            text(
                "UPDATE channel_connections SET access_token ="
                " (SELECT access_token FROM channel_connections WHERE id = :first) WHERE id = :second"
            ),
            {"first": first["id"], "second": second["id"]},
        )
    company = uuid.UUID(owner.company_id)
    with container.database.tenant(company) as session:
        row = session.get_one(ChannelConnection, uuid.UUID(second["id"]))
        with pytest.raises(SecretUnreadable):
            connections.credentials(session, container.company_keys, row)
        original = session.get_one(ChannelConnection, uuid.UUID(first["id"]))
        assert connections.credentials(session, container.company_keys, original).access_token.startswith("EAAG-")


def test_the_scheduled_check_warns_before_expiry_and_on_failure(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    from functions.workers.connection_checker import handler
    from tests.functions.events import FakeContext

    expiring_owner, revoked_owner, fine_owner = sign_up(client), sign_up(client), sign_up(client)
    expiring = make_connection(client, expiring_owner, meta)
    revoked = make_connection(client, revoked_owner, meta)
    make_connection(client, fine_owner, meta)
    meta.numbers[expiring["phone_number_id"]].expires_at = int(time.time()) + 3 * 86400
    meta.numbers[revoked["phone_number_id"]].token = "EAAG-revoked-elsewhere"
    assert handler({}, FakeContext()) == {"expiring": 1, "failing": 1, "ok": 1}
    assert handler({}, FakeContext()) == {"expiring": 1, "failing": 1, "ok": 1}  # a second run the same day

    def kinds(account: object) -> list[str]:
        items = client.get("/v1/notifications", headers=account.headers).json()["items"]  # type: ignore[attr-defined]
        return [n["kind"] for n in items]

    assert kinds(expiring_owner) == ["connection.token_expiring"]  # once a day, not on every run
    assert kinds(revoked_owner) == ["connection.token_invalid"]
    assert kinds(fine_owner) == []
    read = client.get(f"/v1/connections/{revoked['id']}", headers=revoked_owner.headers).json()
    assert read["status"] == "failing" and "190" in read["last_error"]
    soon = client.get(f"/v1/connections/{expiring['id']}", headers=expiring_owner.headers).json()
    assert soon["token_expires_at"] is not None and soon["status"] == "active"
