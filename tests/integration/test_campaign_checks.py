"""A campaign's checks that depend on its connection's provider: the rate is at most the number's (Meta's throughput
level, an SMS number's MPS), and the text is one the provider would send, refused with a 422 before anything is
queued."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from masteria.bootstrap import Container
from tests.api import Account, make_contact, sign_up
from tests.meta import FakeMeta


def _sms_connection(client: TestClient, owner: Account, *, mps: float) -> dict[str, Any]:
    response = client.post(
        "/v1/connections",
        headers=owner.headers,
        json={"provider": "sms_aws", "name": "SMS", "origination": "+5511999990001", "messages_per_second": mps},
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def _draft(client: TestClient, owner: Account, connection: dict[str, Any], body: str, **extra: Any) -> Any:
    local = client.post(
        "/v1/templates", headers=owner.headers, json={"name": f"Texto {uuid.uuid4().hex[:8]}", "body": body}
    )
    assert local.status_code == 201, local.text
    contact = make_contact(client, owner)
    return client.post(
        "/v1/campaigns",
        headers=owner.headers,
        json={
            "name": "SMS", "connection_id": connection["id"], "local_template_id": local.json()["id"],
            "audience": {"contact_ids": [contact["id"]]}, **extra,
        },
    )  # fmt: skip


def test_an_sms_campaigns_rate_is_at_most_its_numbers_mps(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    connection = _sms_connection(client, owner, mps=5)
    refused = _draft(client, owner, connection, "Oi!", rate_per_second=20)
    assert refused.status_code == 422, refused.text
    assert [(e["field"], e["code"], e["params"]) for e in refused.json()["errors"]] == [
        ("rate_per_second", "throughput_cap", {"max": 5.0})
    ]
    assert _draft(client, owner, connection, "Oi!", rate_per_second=5).status_code == 201


def test_an_sms_campaigns_text_the_provider_refuses_is_a_422_before_anything_is_queued(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    connection = _sms_connection(client, owner, mps=5)
    refused = _draft(client, owner, connection, "a" * 2000, rate_per_second=1)
    assert refused.status_code == 422, refused.text
    assert [(e["field"], e["code"]) for e in refused.json()["errors"]] == [("local_template_id", "text_too_long")]
    with_variables = _draft(client, owner, connection, "Oi {{first_name}} " + "a" * 2000, rate_per_second=1)
    assert with_variables.status_code == 422, with_variables.text
    assert "variables" in with_variables.json()["detail"]
    assert client.get("/v1/campaigns", headers=owner.headers).json()["items"] == []  # nothing saved
