"""Channel connections: verified with Meta before they are kept, secrets sealed at rest and never shown
again, a test that follows Meta's answer, admins only; SMS senders checked against their country's rules."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, text

from functions.webhooks import meta as meta_webhook
from masteria.bootstrap import Container
from masteria.channels import connections
from masteria.channels.models import ChannelConnection
from masteria.crypto import SecretUnreadable
from masteria.ports import InboundSecret
from tests.api import Account, invite, make_connection, run_queue, sign_up
from tests.functions.events import FakeContext
from tests.meta import FakeMeta
from tests.meta_webhooks import sign, webhook_event


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
    stored = bytes(row["config"])
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
                "UPDATE channel_connections SET config ="
                " (SELECT config FROM channel_connections WHERE id = :first) WHERE id = :second"
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


# ---- SMS connections ----------------------------------------------------------------------------------------

TOPIC = "arn:aws:sns:sa-east-1:123456789012:masteria-sms-inbound"


def _sms(client: TestClient, account: Account, **fields: Any) -> Response:
    body = {"provider": "sms_aws", "name": "SMS Vendas", "origination": "+55 31 99123-4001", "country": "BR", **fields}
    return client.post("/v1/connections", headers=account.headers, json=body)


def test_an_sms_connection_shows_its_settings_and_publishes_what_its_webhook_needs(
    client: TestClient, container: Container, owner_engine: Engine
) -> None:
    owner = sign_up(client)
    created = _sms(client, owner, messages_per_second=20, cost_per_segment="0.045", inbound_topic_arn=TOPIC)
    assert created.status_code == 201, created.text
    connection = created.json()
    assert (connection["provider"], connection["channel"], connection["status"]) == ("sms_aws", "sms", "active")
    assert connection["sms"] == {
        "origination": "+5531991234001", "origination_kind": "number", "country": "BR", "messages_per_second": 20.0,
        "cost_per_segment": "0.045", "currency": "BRL", "configuration_set": None, "inbound_topic_arn": TOPIC,
        "events_topic_arn": None, "opt_out_list": None, "message_type": "TRANSACTIONAL",
    }  # fmt: skip
    assert (connection["phone_number_id"], connection["waba_id"], connection["verify_token"]) == (None, None, None)
    assert connection["display_phone_number"] == "+5531991234001"
    assert connection["webhook_url"].startswith("http://testserver/webhooks/sms/")
    # sealed at rest like a Meta one: the topic is nowhere in clear
    with owner_engine.begin() as db:
        db.execute(text("SELECT set_config('app.company_id', :c, true)"), {"c": owner.company_id})
        stored = db.execute(text("SELECT config FROM channel_connections")).scalar_one()
    assert TOPIC.encode() not in bytes(stored) and b"0.045" not in bytes(stored)
    # what the SMS webhook function reads; Meta's webhook function does not accept its key
    run_queue(container, "connection_secrets")
    key = connection["webhook_url"].rsplit("/", 1)[1]
    assert container.inbound_secrets.get(key) == InboundSecret(
        company_id=uuid.UUID(owner.company_id), connection_id=uuid.UUID(connection["id"]), provider="sms_aws",
        topic_arns=(TOPIC,),
    )  # fmt: skip
    meta_webhook._cache.clear()
    raw = b'{"object":"whatsapp_business_account","entry":[]}'
    signed = webhook_event("POST", key, raw=raw, headers={"x-hub-signature-256": sign(raw, "")})
    assert meta_webhook.handler(signed, FakeContext())["statusCode"] == 404
    # the list tells the channels apart
    sms_only = client.get("/v1/connections?channel=sms", headers=owner.headers).json()["items"]
    assert [c["id"] for c in sms_only] == [connection["id"]]
    assert client.get("/v1/connections?channel=whatsapp", headers=owner.headers).json()["items"] == []
    assert [c["id"] for c in client.get("/v1/connections?q=99123", headers=owner.headers).json()["items"]] == [
        connection["id"]
    ]


def test_a_sender_id_connects_where_the_country_allows_one(client: TestClient) -> None:
    owner = sign_up(client)
    created = _sms(client, owner, origination="Loja  Ana", country="PT", currency="EUR")
    assert created.status_code == 201, created.text
    assert created.json()["sms"]["origination"] == "Loja Ana"
    assert created.json()["sms"]["origination_kind"] == "sender_id"


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"origination": "MASTERIA"}, "origination", "sender_id_not_allowed"),  # BR: numbers only
        ({"origination": "MASTERIA", "country": "US"}, "origination", "sender_id_not_allowed"),
        ({"origination": "+1 202 555 0143"}, "origination", "origination_not_local"),  # a US number for BR
        ({"origination": "+55 31 1234"}, "origination", "invalid_phone"),
        ({"origination": "AB", "country": "PT"}, "origination", "string_too_short"),
        ({"origination": "Loja-da-Ana", "country": "PT"}, "origination", "invalid_sender_id"),
        ({"origination": "Loja da Ana 1", "country": "PT"}, "origination", "invalid_sender_id"),  # 13 characters
        ({"country": "XX"}, "country", "unknown_country"),
        ({"country": "br"}, "country", "string_pattern_mismatch"),
        ({"messages_per_second": 0}, "messages_per_second", "greater_than"),
        ({"cost_per_segment": "-1"}, "cost_per_segment", "greater_than_equal"),
        ({"currency": "real"}, "currency", "string_pattern_mismatch"),
        ({"inbound_topic_arn": "arn:aws:sqs:sa-east-1:123456789012:q"}, "inbound_topic_arn", "string_pattern_mismatch"),
        ({"app_secret": "s" * 20}, "app_secret", "extra_forbidden"),  # a Meta field on an SMS body
        ({"provider": "twilio"}, "body", "literal_error"),
    ],
)
def test_an_sms_sender_carriers_would_refuse_is_a_422_on_its_field(
    fields: dict[str, Any], field: str, code: str, client: TestClient
) -> None:
    owner = sign_up(client)
    refused = _sms(client, owner, **fields)
    assert refused.status_code == 422, refused.text
    assert [(e["field"], e["code"]) for e in refused.json()["errors"]] == [(field, code)]
    assert client.get("/v1/connections", headers=owner.headers).json()["items"] == []


def test_a_body_without_provider_is_meta_and_its_errors_name_its_fields(client: TestClient) -> None:
    owner = sign_up(client)
    refused = client.post("/v1/connections", headers=owner.headers, json={"name": "Vendas", "waba_id": "x"})
    assert refused.status_code == 422
    fields = {e["field"] for e in refused.json()["errors"]}
    assert fields == {"phone_number_id", "waba_id", "access_token", "app_secret"}


def test_each_provider_changes_only_its_own_settings(client: TestClient, meta: FakeMeta) -> None:
    owner = sign_up(client)
    sms = _sms(client, owner).json()
    whatsapp = make_connection(client, owner, meta)
    faster = client.patch(
        f"/v1/connections/{sms['id']}", headers=owner.headers, json={"messages_per_second": 50, "name": "SMS 2"}
    )
    assert faster.status_code == 200, faster.text
    assert (faster.json()["sms"]["messages_per_second"], faster.json()["name"]) == (50.0, "SMS 2")
    assert faster.json()["sms"]["origination"] == "+5531991234001"
    for connection, change, field in [
        (sms, {"access_token": "EAAG-" + "x" * 10}, "access_token"),
        (whatsapp, {"messages_per_second": 5}, "messages_per_second"),
    ]:
        refused = client.patch(f"/v1/connections/{connection['id']}", headers=owner.headers, json=change)
        assert refused.status_code == 422, refused.text
        assert [(e["field"], e["code"]) for e in refused.json()["errors"]] == [(field, "not_for_provider")]
    tested = client.post(f"/v1/connections/{sms['id']}/test", headers=owner.headers)
    assert tested.status_code == 422
    assert tested.json()["errors"][0]["code"] == "whatsapp_connection_required"
    assert client.get(f"/v1/connections/{whatsapp['id']}", headers=owner.headers).json()["sms"] is None
