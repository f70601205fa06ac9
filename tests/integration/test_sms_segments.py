"""SMS segments before sending: the counting of providers.sms.segments, answered for a text as one types."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api import make_connection, sign_up
from tests.meta import FakeMeta


def test_a_text_is_counted_in_gsm7_or_ucs2_segments(client: TestClient) -> None:
    # GIVEN a signed-in user
    owner = sign_up(client)

    # WHEN they ask for texts as they would write them
    def ask(text: str) -> dict[str, object]:
        response = client.post("/v1/sms/segments", headers=owner.headers, json={"text": text})
        assert response.status_code == 200, response.text
        body: dict[str, object] = response.json()
        return body

    # THEN a text in the GSM alphabet is GSM-7, up to 160 in one segment, then 153 a part
    short = ask("Oi! Seu pedido saiu para entrega à tarde.")
    assert short == {
        "encoding": "gsm7", "characters": 41, "units": 41, "segments": 1, "per_segment": 160, "non_gsm": [],
        "cost": None,
    }  # fmt: skip
    assert ask("a" * 160)["segments"] == 1
    assert ask("a" * 161) | {"cost": None} == {
        "encoding": "gsm7", "characters": 161, "units": 161, "segments": 2, "per_segment": 153, "non_gsm": [],
        "cost": None,
    }  # fmt: skip
    # an extension character takes two septets
    assert ask("€" * 80)["units"] == 160
    # an emoji or a character outside the alphabet forces UCS-2 (70, then 67 a part) and is named
    emoji = ask("Olá 🚚 ação")
    assert emoji["encoding"] == "ucs2"
    assert emoji["non_gsm"] == ["á", "🚚", "ç", "ã"]
    assert (emoji["characters"], emoji["units"], emoji["segments"], emoji["per_segment"]) == (10, 11, 1, 70)
    assert ask("ç" * 71)["segments"] == 2
    assert ask("")["segments"] == 0
    # spaces are part of the text (never stripped)
    assert ask("  ")["characters"] == 2


def test_bad_input_and_connections(client: TestClient, meta: FakeMeta) -> None:
    owner = sign_up(client)
    too_long = client.post("/v1/sms/segments", headers=owner.headers, json={"text": "a" * 4097})
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "text"
    assert client.post("/v1/sms/segments", json={"text": "x"}).status_code == 401
    # a WhatsApp connection has no price per segment: 422 on the field
    whatsapp = make_connection(client, owner, meta)
    refused = client.post(
        "/v1/sms/segments", headers=owner.headers, json={"text": "x", "connection_id": whatsapp["id"]}
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0] == {
        "field": "connection_id", "message": "not an SMS connection", "code": "sms_connection_required"
    }  # fmt: skip
    # another company's connection is not found
    other = sign_up(client)
    theirs = client.post("/v1/sms/segments", headers=other.headers, json={"text": "x", "connection_id": whatsapp["id"]})
    assert theirs.status_code == 404


def test_with_an_sms_connection_the_cost_is_at_its_price(client: TestClient) -> None:
    # GIVEN an SMS connection at R$ 0,07 a segment
    owner = sign_up(client)
    created = client.post(
        "/v1/connections",
        headers=owner.headers,
        json={"provider": "sms_aws", "name": "SMS", "origination": "+5531991235001", "cost_per_segment": "0.07"},
    )
    assert created.status_code == 201, created.text
    sms = created.json()["id"]

    # WHEN a text of two segments is counted for it THEN its cost is twice the price, in its currency
    answer = client.post("/v1/sms/segments", headers=owner.headers, json={"text": "a" * 200, "connection_id": sms})
    assert answer.status_code == 200, answer.text
    assert answer.json()["segments"] == 2
    assert answer.json()["cost"] == {"per_segment": "0.07", "total": "0.14", "currency": "BRL"}
    # an emoji makes about the same length three UCS-2 segments (67 each), and the cost follows
    body = {"text": "a" * 199 + "🚚", "connection_id": sms}
    emoji = client.post("/v1/sms/segments", headers=owner.headers, json=body)
    assert (emoji.json()["encoding"], emoji.json()["segments"], emoji.json()["cost"]["total"]) == ("ucs2", 3, "0.21")
