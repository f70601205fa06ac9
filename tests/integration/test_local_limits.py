"""The local runtime refuses a body larger than its route takes with a 413, as API Gateway does, before reading it
all; malformed JSON is a 400 saying where it breaks; NUL characters are a 422 on their field or query."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from functions.local.http import local_app
from functions.local.limits import API_GATEWAY_MAX_BYTES, body_limit
from masteria.contacts.imports import MAX_BYTES as IMPORT_MAX_BYTES
from tests.api import sign_up


@pytest.fixture
def runtime(client: TestClient, tmp_path: Path) -> Iterator[TestClient]:
    del client  # the database and settings the API's client fixture prepares
    with TestClient(local_app(web_dist=tmp_path / "no-dashboard")) as local:
        yield local


def test_a_body_over_the_route_limit_is_413_before_it_is_read(runtime: TestClient) -> None:
    owner = sign_up(runtime)
    # a chunked body (no Content-Length) of 40 MB, sent to the ASGI app a megabyte at a time
    chunks_read, sent = 0, []

    async def receive() -> dict[str, object]:
        nonlocal chunks_read
        chunks_read += 1
        return {"type": "http.request", "body": b"x" * (1024 * 1024), "more_body": chunks_read < 40}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    headers = [(b"authorization", owner.headers["Authorization"].encode()), (b"content-type", b"application/json")]
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/v1/contacts", "raw_path": b"/v1/contacts", "query_string": b"", "root_path": "",
        "headers": headers, "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 8000),
    }  # fmt: skip
    asyncio.run(runtime.app(scope, receive, send))  # type: ignore[arg-type]
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = json.loads(b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body"))  # type: ignore[misc]
    assert (start["status"], body["code"]) == (413, "too_large")
    assert body["correlation_id"] is not None
    assert chunks_read <= 11  # refused once past 10 MB, not after reading all 40
    # a declared Content-Length over the limit is refused without reading the body
    declared = runtime.post(
        "/v1/contacts",
        headers={**owner.headers, "Content-Type": "application/json", "Content-Length": str(API_GATEWAY_MAX_BYTES + 1)},
        content=b"{}",
    )
    assert declared.status_code == 413
    assert declared.headers["content-type"].startswith("application/problem+json")
    # a body within the limit goes through to the route
    assert runtime.post("/v1/contacts", headers=owner.headers, json={"phone": "+5511987650001"}).status_code == 201


def test_each_route_has_its_limit() -> None:
    assert body_limit("POST", "/v1/contacts") == API_GATEWAY_MAX_BYTES
    assert body_limit("PUT", "/v1/contacts/imports/abc/file") > IMPORT_MAX_BYTES  # the import says "too large" itself
    assert body_limit("POST", "/v1/contacts/imports/abc/file") == API_GATEWAY_MAX_BYTES
    assert body_limit("POST", "/sandbox/numbers/1/inbound") > API_GATEWAY_MAX_BYTES


def test_malformed_json_is_a_400_with_its_line_and_column(runtime: TestClient) -> None:
    owner = sign_up(runtime)
    broken = runtime.post(
        "/v1/tags", headers={**owner.headers, "Content-Type": "application/json"}, content=b'{\n  "name": "VIP",,\n}'
    )
    assert broken.status_code == 400, broken.text
    assert (broken.json()["code"], broken.json()["params"]) == ("malformed_json", {"line": 2, "column": 17})
    assert "line 2, column 17" in broken.json()["detail"]


def test_a_nul_character_is_a_422_on_its_field_never_a_500(runtime: TestClient) -> None:
    owner = sign_up(runtime)
    for path, body, field in (
        ("/v1/tags", {"name": "V\u0000IP"}, "name"),
        ("/v1/contacts", {"phone": "+5511987650002", "name": "A\u0000"}, "name"),
        ("/v1/contacts", {"phone": "+5511987650003", "custom_fields": {"k": "v\u0000"}}, "custom_fields"),
        ("/v1/templates", {"name": "T", "body": "Oi\u0000"}, "body"),
    ):
        answer = runtime.post(path, headers=owner.headers, json=body)
        assert answer.status_code == 422, (path, answer.text)
        assert {(e["field"], e["code"]) for e in answer.json()["errors"]} == {(field, "nul_character")}
    query = runtime.get("/v1/contacts", headers=owner.headers, params={"q": "a\u0000b"})
    assert query.status_code == 422, query.text
    assert query.json()["code"] == "nul_in_query"
