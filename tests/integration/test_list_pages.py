"""Local templates, WhatsApp templates, connections and conversation notes come in cursor pages: every row
once in the list's order, searched and filtered on the server, another company's rows never seen."""

from __future__ import annotations

import base64
import json
from typing import Any

from fastapi.testclient import TestClient

from masteria.bootstrap import Container
from tests.api import Account, customer_writes, make_connection, sign_up
from tests.meta import FakeMeta


def _walk(client: TestClient, account: Account, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a list, two at a time, following ``next_cursor``."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        query = {**params, "limit": 2, **({"cursor": cursor} if cursor else {})}
        response = client.get(path, headers=account.headers, params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= 2
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def _refuses_bad_pages(client: TestClient, account: Account, path: str) -> None:
    for params in ({"limit": 0}, {"limit": 201}, {"cursor": "not-a-cursor"}, {"cursor": "WyJ4Il0"}):
        refused = client.get(path, headers=account.headers, params=params)
        assert refused.status_code == 422, (params, refused.text)
        assert refused.json()["errors"][0]["field"].split(".")[-1] in {"limit", "cursor"}


def test_local_templates_page_by_name_and_search_name_or_text(client: TestClient) -> None:
    owner = sign_up(client)
    names = ["banana", "Abacaxi", "cereja", "50% off", "50 reais", "damasco"]
    for name in names:
        body = {"name": name, "body": f"Oi {{{{name}}}}, {'fruta da estação' if name == 'cereja' else name}"}
        assert client.post("/v1/templates", headers=owner.headers, json=body).status_code == 201
    other = sign_up(client)
    client.post("/v1/templates", headers=other.headers, json={"name": "abacate", "body": "theirs"})

    walked = _walk(client, owner, "/v1/templates")
    assert [t["name"] for t in walked] == sorted(names, key=str.lower)  # any case, each once
    assert client.get("/v1/templates", headers=owner.headers).json()["next_cursor"] is None  # 50 by default
    assert [t["name"] for t in _walk(client, owner, "/v1/templates", q="ABA")] == ["Abacaxi"]
    assert [t["name"] for t in _walk(client, owner, "/v1/templates", q="estação")] == ["cereja"]  # the text
    assert [t["name"] for t in _walk(client, owner, "/v1/templates", q="50%")] == ["50% off"]  # % is a letter
    assert [t["name"] for t in _walk(client, owner, "/v1/templates", q="_")] == []
    assert "abacate" not in [t["name"] for t in walked]
    _refuses_bad_pages(client, owner, "/v1/templates")


def _meta_template(name: str, language: str, status: str, category: str) -> dict[str, Any]:
    return {
        "id": f"9{abs(hash((name, language))) % 10**14:014d}", "name": name, "language": language, "status": status,
        "category": category, "components": [{"type": "BODY", "text": f"{name} {language}"}],
    }  # fmt: skip


def test_whatsapp_templates_page_by_name_and_language_and_filter_on_the_server(
    client: TestClient, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    meta.templates[connection["waba_id"]] = [
        _meta_template("promo_natal", "pt_BR", "APPROVED", "MARKETING"),
        _meta_template("promo_natal", "en_US", "PENDING", "MARKETING"),
        _meta_template("codigo", "pt_BR", "APPROVED", "AUTHENTICATION"),
        _meta_template("pedido_enviado", "pt_BR", "REJECTED", "UTILITY"),
        _meta_template("pedido_pago", "es", "PAUSED", "UTILITY"),
    ]
    path = f"/v1/connections/{connection['id']}/templates"
    assert client.post(f"{path}/sync", headers=owner.headers).status_code == 200
    # another company's number, with a template of the same name
    other = sign_up(client)
    theirs = make_connection(client, other, meta)
    meta.templates[theirs["waba_id"]] = [_meta_template("promo_natal", "es", "APPROVED", "MARKETING")]
    client.post(f"/v1/connections/{theirs['id']}/templates/sync", headers=other.headers)

    walked = [(t["name"], t["language"]) for t in _walk(client, owner, path)]
    assert walked == [
        ("codigo", "pt_BR"), ("pedido_enviado", "pt_BR"), ("pedido_pago", "es"),
        ("promo_natal", "en_US"), ("promo_natal", "pt_BR"),
    ]  # fmt: skip
    assert [(t["name"], t["language"]) for t in _walk(client, owner, path, q="NATAL", status="approved")] == [
        ("promo_natal", "pt_BR")
    ]
    several = _walk(client, owner, path, status=["REJECTED", "PAUSED"])
    assert [t["name"] for t in several] == ["pedido_enviado", "pedido_pago"]
    assert [t["name"] for t in _walk(client, owner, path, category="utility", language="es")] == ["pedido_pago"]
    assert [t["name"] for t in _walk(client, owner, path, q="%")] == []
    _refuses_bad_pages(client, owner, path)
    # another company's connection id is a 404, as before
    assert client.get(f"/v1/connections/{theirs['id']}/templates", headers=owner.headers).status_code == 404


def test_connections_page_oldest_first_and_search_name_display_name_or_phone(
    client: TestClient, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    made = []
    for i, (name, phone, verified) in enumerate(
        [("Vendas", "+55 11 4000-0001", "Loja Centro"), ("Suporte", "+55 21 5000-0002", "Loja Rio"),
         ("Cobrança", "+55 31 6000-0003", "Financeiro 100%")]
    ):  # fmt: skip
        connection = make_connection(client, owner, meta, phone_number_id=f"20654035{i:07d}", name=name)
        number = meta.numbers[connection["phone_number_id"]]
        number.display_phone_number, number.verified_name = phone, verified
        assert client.post(f"/v1/connections/{connection['id']}/test", headers=owner.headers).status_code == 200
        made.append(connection)
    other = sign_up(client)
    make_connection(client, other, meta, name="Vendas")

    walked = _walk(client, owner, "/v1/connections")
    assert [c["id"] for c in walked] == [c["id"] for c in made]  # oldest first, each once, ours only
    assert [c["name"] for c in _walk(client, owner, "/v1/connections", q="suP")] == ["Suporte"]
    assert [c["name"] for c in _walk(client, owner, "/v1/connections", q="loja rio")] == ["Suporte"]  # Meta's name
    assert [c["name"] for c in _walk(client, owner, "/v1/connections", q="3160000003")] == ["Cobrança"]  # digits
    assert [c["name"] for c in _walk(client, owner, "/v1/connections", q="21 5000")] == ["Suporte"]
    assert [c["name"] for c in _walk(client, owner, "/v1/connections", q="100%")] == ["Cobrança"]
    assert _walk(client, owner, "/v1/connections", q="_") == []  # no wildcard
    assert [c["name"] for c in _walk(client, owner, "/v1/connections", status="active")] == [
        "Vendas", "Suporte", "Cobrança"
    ]  # fmt: skip
    assert _walk(client, owner, "/v1/connections", status="failing") == []
    assert client.get("/v1/connections", headers=owner.headers, params={"status": "x"}).status_code == 422
    _refuses_bad_pages(client, owner, "/v1/connections")


def test_notes_page_newest_first(client: TestClient, container: Container, meta: FakeMeta) -> None:
    count = 5
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    customer_writes(container, owner, connection, "Oi")
    conversation = client.get("/v1/conversations", headers=owner.headers).json()["items"][0]["id"]
    path = f"/v1/conversations/{conversation}/notes"
    for i in range(count):
        assert client.post(path, headers=owner.headers, json={"body": f"nota {i}"}).status_code == 201
    assert [n["body"] for n in _walk(client, owner, path)] == [f"nota {i}" for i in reversed(range(count))]
    _refuses_bad_pages(client, owner, path)
    other = sign_up(client)
    assert client.get(path, headers=other.headers).status_code == 404


def _cursor(*values: str) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


def test_a_cursor_of_another_list_or_a_crafted_one_is_a_422_never_a_500(client: TestClient) -> None:
    owner = sign_up(client)
    for n in range(3):
        assert client.post("/v1/tags", headers=owner.headers, json={"name": f"t{n}"}).status_code == 201
    tags_cursor = client.get("/v1/tags", headers=owner.headers, params={"limit": 1}).json()["next_cursor"]
    assert tags_cursor
    for path, cursor in (
        ("/v1/connections", tags_cursor),  # a name where a time is expected
        ("/v1/users", _cursor("yesterday", "not-a-uuid")),
        ("/v1/tags", _cursor("t1", "not-a-uuid")),
        ("/v1/tags", _cursor("t\u00001", "00000000-0000-0000-0000-000000000000")),
        ("/v1/contacts/imports", _cursor("2026-01-01T00:00:00+00:00", "x" * 40)),
    ):
        answer = client.get(path, headers=owner.headers, params={"cursor": cursor})
        assert answer.status_code == 422, (path, answer.text)
        assert answer.json()["errors"][0]["code"] == "invalid_cursor"
