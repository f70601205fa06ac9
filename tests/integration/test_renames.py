"""Renaming something to a name already in use is a 409 naming the clash, never a 500, and changes nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api import sign_up

SEGMENT_FILTER = {"tags_any": []}


@pytest.mark.parametrize(
    ("path", "extra"),
    [
        ("/v1/tags", {}),
        ("/v1/lists", {}),
        ("/v1/segments", {"filter": SEGMENT_FILTER}),
        ("/v1/templates", {"body": "Oi"}),
    ],
)
def test_a_rename_to_a_name_in_use_is_a_409(client: TestClient, path: str, extra: dict[str, object]) -> None:
    owner = sign_up(client)
    first = client.post(path, headers=owner.headers, json={"name": "Clientes", **extra})
    second = client.post(path, headers=owner.headers, json={"name": "Outros", **extra})
    assert (first.status_code, second.status_code) == (201, 201), (first.text, second.text)
    renamed = client.patch(f"{path}/{second.json()['id']}", headers=owner.headers, json={"name": "Clientes"})
    assert renamed.status_code == 409, renamed.text
    assert (renamed.json()["code"], renamed.json()["params"]) == ("name_taken", {"name": "Clientes"})
    names = sorted(item["name"] for item in client.get(path, headers=owner.headers).json()["items"])
    assert names == ["Clientes", "Outros"]
