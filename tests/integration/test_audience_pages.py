"""Tags, lists, segments and custom fields are pages in name order, searched on the server, per company."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api import Account, make_custom_field, make_tag, sign_up

NAMES = ["delta", "alpha", "echo", "charlie", "bravo"]


def _make(client: TestClient, account: Account, path: str, name: str) -> dict[str, Any]:
    if path == "/v1/tags":
        return make_tag(client, account, name)
    if path == "/v1/custom-fields":
        return make_custom_field(client, account, key="k_" + re.sub(r"[^a-z0-9_]", "_", name.lower()), label=name)
    body: dict[str, Any] = {"name": name} if path == "/v1/lists" else {"name": name, "filter": {}}
    response = client.post(path, headers=account.headers, json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def _name(path: str) -> Callable[[dict[str, Any]], str]:
    return (lambda row: row["label"]) if path == "/v1/custom-fields" else (lambda row: row["name"])


def _walk(client: TestClient, account: Account, path: str, **params: Any) -> list[list[dict[str, Any]]]:
    pages, cursor = [], None
    while True:
        response = client.get(
            path, headers=account.headers, params={**params, **({"cursor": cursor} if cursor else {})}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


PATHS = ["/v1/tags", "/v1/lists", "/v1/segments", "/v1/custom-fields"]


@pytest.mark.parametrize("path", PATHS)
def test_pages_of_two_walk_every_row_once_in_name_order(client: TestClient, path: str) -> None:
    # GIVEN five rows in one company and a row in another
    owner, other = sign_up(client), sign_up(client)
    made = {_make(client, owner, path, name)["id"] for name in NAMES}
    _make(client, other, path, "alpha")
    name = _name(path)

    # WHEN they are read two at a time
    pages = _walk(client, owner, path, limit=2)

    # THEN every one comes once, alphabetically, and none of the other company's
    assert [len(p) for p in pages] == [2, 2, 1]
    rows = [row for page in pages for row in page]
    assert [name(r) for r in rows] == sorted(NAMES)
    assert {r["id"] for r in rows} == made


@pytest.mark.parametrize("path", PATHS)
def test_q_searches_ignoring_case_with_wildcards_taken_literally(client: TestClient, path: str) -> None:
    owner, other = sign_up(client), sign_up(client)
    for n in ("Promo 50%", "promo 500", "a_b", "axb", "Other"):
        _make(client, owner, path, n)
    _make(client, other, path, "promo elsewhere")
    name = _name(path)

    def found(q: str) -> list[str]:
        return [name(r) for page in _walk(client, owner, path, q=q, limit=1) for r in page]

    assert sorted(found("PROMO")) == ["Promo 50%", "promo 500"]
    assert found("0%") == ["Promo 50%"]
    assert found("a_") == ["a_b"]
    assert found("nothing like it") == []
    # every row when q is empty
    assert len(found("")) == 5


def test_custom_fields_are_searched_on_the_key_too(client: TestClient) -> None:
    owner = sign_up(client)
    make_custom_field(client, owner, key="city_name", label="Where they live")
    make_custom_field(client, owner, key="plan", label="Plan")
    found = client.get("/v1/custom-fields", headers=owner.headers, params={"q": "city"}).json()["items"]
    assert [f["key"] for f in found] == ["city_name"]


@pytest.mark.parametrize("path", ["/v1/tags", "/v1/lists", "/v1/segments"])
def test_id_keeps_only_the_chosen_ones_of_the_company(client: TestClient, path: str) -> None:
    owner, other = sign_up(client), sign_up(client)
    a, _, c = (_make(client, owner, path, n) for n in ("one", "two", "three"))
    foreign = _make(client, other, path, "one")
    response = client.get(path, headers=owner.headers, params={"id": [a["id"], c["id"], foreign["id"]]})
    assert response.status_code == 200, response.text
    assert [r["id"] for r in response.json()["items"]] == [a["id"], c["id"]]


def test_counts_stay_on_the_page(client: TestClient) -> None:
    owner = sign_up(client)
    news = _make(client, owner, "/v1/lists", "News")
    segment = _make(client, owner, "/v1/segments", "Everyone")
    assert client.get("/v1/lists", headers=owner.headers).json()["items"] == [news]
    assert news["member_count"] == 0
    assert client.get("/v1/segments", headers=owner.headers).json()["items"][0]["count"] == segment["count"]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    ("params", "field"),
    [({"cursor": "not-a-cursor"}, "cursor"), ({"limit": 0}, "limit"), ({"limit": 201}, "limit")],
)
def test_a_bad_cursor_or_limit_is_a_422_naming_it(
    client: TestClient, path: str, params: dict[str, Any], field: str
) -> None:
    owner = sign_up(client)
    response = client.get(path, headers=owner.headers, params=params)
    assert response.status_code == 422, response.text
    assert field in response.text
