"""Pipelines and stages through the API on a real database: the default pipeline, managing stages, settings,
roles and other companies' ids."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api import invite, make_contact, sign_up
from tests.pipelines_api import make_lead, pipeline_of


def test_a_new_company_has_the_default_sales_pipeline_in_its_language(client: TestClient) -> None:
    brazilian = sign_up(client)
    pipeline = pipeline_of(client, brazilian)
    assert pipeline["name"] == "Vendas"
    assert [s["name"] for s in pipeline["stages"]] == [
        "Novo", "Qualificado", "Reunião agendada", "Proposta enviada", "Negociação", "Ganho", "Perdido",
    ]  # fmt: skip
    assert [s["semantic_type"] for s in pipeline["stages"]] == [
        "open", "open", "meeting_scheduled", "open", "open", "won", "lost",
    ]  # fmt: skip
    assert [s["position"] for s in pipeline["stages"]] == list(range(7))
    signed = client.post(
        "/v1/auth/signup",
        json={
            "company_name": "Acme Inc", "name": "Ann", "email": "ann@acme.example.com",
            "password": "correct horse battery staple", "default_region": "US",
        },
    )  # fmt: skip
    assert signed.status_code == 201, signed.text
    headers = {"Authorization": f"Bearer {signed.json()['access_token']}"}
    american = client.get("/v1/pipelines", headers=headers).json()
    assert [p["name"] for p in american] == ["Sales"]
    assert american[0]["stages"][2]["name"] == "Meeting scheduled"


def test_admins_manage_stages(client: TestClient) -> None:
    owner = sign_up(client)
    pipeline = pipeline_of(client, owner)
    pid = pipeline["id"]
    added = client.post(
        f"/v1/pipelines/{pid}/stages",
        headers=owner.headers,
        json={"name": "Demo", "color": "#123456", "wip_limit": 2, "semantic_type": None},
    )
    assert added.status_code == 201, added.text
    stages = added.json()["stages"]
    demo = stages[-1]
    assert (demo["name"], demo["color"], demo["wip_limit"], demo["position"]) == ("Demo", "#123456", 2, 7)
    # rename, recolour, clear the limit
    renamed = client.patch(
        f"/v1/pipelines/{pid}/stages/{demo['id']}", headers=owner.headers, json={"name": "Trial", "wip_limit": None}
    )
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["name"], renamed.json()["wip_limit"], renamed.json()["color"]) == ("Trial", None, "#123456")
    # reorder: the new stage first
    order = [demo["id"]] + [s["id"] for s in stages[:-1]]
    reordered = client.put(f"/v1/pipelines/{pid}/stage-order", headers=owner.headers, json={"stage_ids": order})
    assert reordered.status_code == 200, reordered.text
    assert [s["id"] for s in reordered.json()["stages"]] == order
    partial = client.put(f"/v1/pipelines/{pid}/stage-order", headers=owner.headers, json={"stage_ids": order[:3]})
    assert partial.status_code == 422
    assert partial.json()["errors"][0]["code"] == "stage_order"
    # a stage with a lead cannot be deleted; archived, its lead moves where we say, in its history
    lead = make_lead(client, owner, pipeline, stage_id=demo["id"])
    refused = client.delete(f"/v1/pipelines/{pid}/stages/{demo['id']}", headers=owner.headers)
    assert refused.status_code == 409
    assert refused.json()["code"] == "stage_not_empty"
    target = stages[1]["id"]
    archived = client.post(
        f"/v1/pipelines/{pid}/stages/{demo['id']}/archive", headers=owner.headers, json={"move_to_stage_id": target}
    )
    assert archived.status_code == 200, archived.text
    assert demo["id"] not in [s["id"] for s in archived.json()["stages"]]
    moved = client.get(f"/v1/leads/{lead['id']}", headers=owner.headers).json()
    assert (moved["stage_id"], moved["version"]) == (target, lead["version"] + 1)
    changes = client.get(f"/v1/leads/{lead['id']}/history", headers=owner.headers).json()
    assert [(c["from_stage_id"], c["to_stage_id"], c["reason"]) for c in changes] == [
        (None, demo["id"], None),
        (demo["id"], target, "stage archived"),
    ]
    # an empty stage is deleted, and the positions close up
    empty = stages[3]["id"]
    assert client.delete(f"/v1/pipelines/{pid}/stages/{empty}", headers=owner.headers).status_code == 204
    after = client.get(f"/v1/pipelines/{pid}", headers=owner.headers).json()["stages"]
    assert empty not in [s["id"] for s in after]
    assert [s["position"] for s in after] == sorted(s["position"] for s in after)


def test_pipelines_are_created_and_renamed_by_admins_only(client: TestClient) -> None:
    owner = sign_up(client)
    agent = invite(client, owner, role="agent")
    body = {"name": "Partners", "stages": [{"name": "Talking"}, {"name": "Signed", "semantic_type": "won"}]}
    assert client.post("/v1/pipelines", headers=agent.headers, json=body).status_code == 403
    created = client.post("/v1/pipelines", headers=owner.headers, json=body)
    assert created.status_code == 201, created.text
    assert [s["name"] for s in created.json()["stages"]] == ["Talking", "Signed"]
    assert client.post("/v1/pipelines", headers=owner.headers, json={**body, "name": "partners"}).status_code == 409
    pid = created.json()["id"]
    assert client.patch(f"/v1/pipelines/{pid}", headers=agent.headers, json={"name": "X"}).status_code == 403
    renamed = client.patch(f"/v1/pipelines/{pid}", headers=owner.headers, json={"name": "Resellers"})
    assert renamed.json()["name"] == "Resellers"
    taken = client.patch(f"/v1/pipelines/{pid}", headers=owner.headers, json={"name": "vendas"})
    assert taken.status_code == 409 and taken.json()["code"] == "name_taken"
    stage = created.json()["stages"][0]["id"]
    renaming = client.patch(f"/v1/pipelines/{pid}/stages/{stage}", headers=agent.headers, json={"name": "Y"})
    assert renaming.status_code == 403
    # agents read pipelines
    assert [p["name"] for p in client.get("/v1/pipelines", headers=agent.headers).json()] == ["Vendas", "Resellers"]
    # a pipeline with leads stays; an empty one goes
    make_lead(client, owner, created.json())
    assert client.delete(f"/v1/pipelines/{pid}", headers=owner.headers).status_code == 409
    empty = client.post("/v1/pipelines", headers=owner.headers, json={**body, "name": "Empty"}).json()
    assert client.delete(f"/v1/pipelines/{empty['id']}", headers=owner.headers).status_code == 204


def test_other_companies_pipelines_and_stages_are_not_found(client: TestClient) -> None:
    owner, stranger = sign_up(client), sign_up(client)
    pipeline = pipeline_of(client, owner)
    pid, sid = pipeline["id"], pipeline["stages"][0]["id"]
    headers = stranger.headers
    assert client.get(f"/v1/pipelines/{pid}", headers=headers).status_code == 404
    assert client.get(f"/v1/pipelines/{pid}/board", headers=headers).status_code == 404
    assert client.get(f"/v1/pipelines/{pid}/stages/{sid}/leads", headers=headers).status_code == 404
    assert client.patch(f"/v1/pipelines/{pid}", headers=headers, json={"name": "Mine"}).status_code == 404
    assert client.patch(f"/v1/pipelines/{pid}/stages/{sid}", headers=headers, json={"name": "Mine"}).status_code == 404
    assert client.delete(f"/v1/pipelines/{pid}/stages/{sid}", headers=headers).status_code == 404
    # a stage of the stranger's own pipeline named under the owner's pipeline is not found either
    own = pipeline_of(client, stranger)
    mixed = client.patch(f"/v1/pipelines/{own['id']}/stages/{sid}", headers=headers, json={"name": "Mine"})
    assert mixed.status_code == 404
    lead = make_lead(client, owner, pipeline)
    assert client.get(f"/v1/leads/{lead['id']}", headers=headers).status_code == 404
    assert client.get(f"/v1/leads/{lead['id']}/timeline", headers=headers).status_code == 404
    move = {"to_stage_id": sid, "version": lead["version"]}
    assert client.post(f"/v1/leads/{lead['id']}/move", headers=headers, json=move).status_code == 404
    # nor may the stranger put a lead on the owner's pipeline, or for the owner's contact
    contact = make_contact(client, stranger)
    foreign = {"pipeline_id": pid, "contact_id": contact["id"], "title": "Mine"}
    assert client.post("/v1/leads", headers=headers, json=foreign).status_code == 404
    body = {"pipeline_id": own["id"], "contact_id": lead["contact"]["id"], "title": "Mine"}
    assert client.post("/v1/leads", headers=headers, json=body).status_code == 404


def test_settings_open_every_lead_to_agents(client: TestClient) -> None:
    owner = sign_up(client)
    agent = invite(client, owner, role="agent")
    assert client.get("/v1/pipelines/settings", headers=agent.headers).json() == {"agents_see_all_leads": False}
    opening = client.put("/v1/pipelines/settings", headers=agent.headers, json={"agents_see_all_leads": True})
    assert opening.status_code == 403
    updated = client.put("/v1/pipelines/settings", headers=owner.headers, json={"agents_see_all_leads": True})
    assert updated.json() == {"agents_see_all_leads": True}
    assert client.get("/v1/pipelines/settings", headers=agent.headers).json() == {"agents_see_all_leads": True}
