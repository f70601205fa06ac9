"""Helpers to drive the pipelines API as a client would: the default pipeline, leads, moves."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api import Account, make_contact


def pipeline_of(client: TestClient, account: Account) -> dict[str, Any]:
    """The company's first (default) pipeline, with its stages in order."""
    listed = client.get("/v1/pipelines", headers=account.headers)
    assert listed.status_code == 200, listed.text
    first: dict[str, Any] = listed.json()[0]
    return first


def stage_named(pipeline: dict[str, Any], name: str) -> str:
    stage_id: str = next(s["id"] for s in pipeline["stages"] if s["name"] == name)
    return stage_id


def make_lead(client: TestClient, account: Account, pipeline: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A lead on ``pipeline`` for ``contact_id`` (default: a new contact)."""
    contact_id = fields.pop("contact_id", None) or make_contact(client, account)["id"]
    body = {"pipeline_id": pipeline["id"], "contact_id": contact_id, "title": "Deal", **fields}
    response = client.post("/v1/leads", headers=account.headers, json=body)
    assert response.status_code == 201, response.text
    lead: dict[str, Any] = response.json()
    return lead


def move(client: TestClient, account: Account, lead: dict[str, Any], stage_id: str, **fields: Any) -> Any:
    """POST /v1/leads/{id}/move with the version ``lead`` has (the response, whatever its status)."""
    body = {"to_stage_id": stage_id, "version": lead["version"], **fields}
    return client.post(f"/v1/leads/{lead['id']}/move", headers=account.headers, json=body)


def column(client: TestClient, account: Account, pipeline: dict[str, Any], stage_id: str) -> list[str]:
    """The ids of a column's cards, top first (every page)."""
    ids: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        page = client.get(
            f"/v1/pipelines/{pipeline['id']}/stages/{stage_id}/leads", headers=account.headers, params=params
        )
        assert page.status_code == 200, page.text
        ids += [lead["id"] for lead in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return ids
