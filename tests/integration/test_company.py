"""The company's defaults (name, timezone, default phone region): read in /v1/me, changed by admins and owners."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api import invite, sign_up


def test_admins_change_the_company_defaults_and_agents_cannot(client: TestClient) -> None:
    # GIVEN a company with an admin and an agent
    owner = sign_up(client, company="Acme")
    admin = invite(client, owner, role="admin")
    agent = invite(client, owner, role="agent")
    # WHEN the admin renames it and moves its timezone and region
    body = {"name": "Acme Ltda", "timezone": "America/Manaus", "default_region": "PT"}
    changed = client.patch("/v1/company", headers=admin.headers, json=body)
    # THEN the answer and everyone's /v1/me show the new defaults
    assert changed.status_code == 200, changed.text
    assert {k: changed.json()[k] for k in body} == body
    assert client.get("/v1/me", headers=agent.headers).json()["company"]["timezone"] == "America/Manaus"
    # AND a partial change keeps the rest
    renamed = client.patch("/v1/company", headers=owner.headers, json={"name": "Acme S.A."}).json()
    assert (renamed["name"], renamed["timezone"], renamed["default_region"]) == ("Acme S.A.", "America/Manaus", "PT")
    # AND an agent may not change it
    assert client.patch("/v1/company", headers=agent.headers, json={"name": "Mine"}).status_code == 403


def test_invalid_company_defaults_are_422_on_their_field(client: TestClient) -> None:
    owner = sign_up(client)
    bad = client.patch(
        "/v1/company", headers=owner.headers, json={"timezone": "Mars/Olympus", "default_region": "br", "name": ""}
    )
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json()["errors"]}
    assert {"timezone", "default_region", "name"} <= fields
    assert client.patch("/v1/company", headers=owner.headers, json={"currency": "BRL"}).status_code == 422


def test_one_company_never_changes_another(client: TestClient) -> None:
    first = sign_up(client, company="First")
    second = sign_up(client, company="Second")
    client.patch("/v1/company", headers=first.headers, json={"name": "First renamed"})
    assert client.get("/v1/me", headers=second.headers).json()["company"]["name"] == "Second"
