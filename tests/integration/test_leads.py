"""Leads through the API on a real database: creating them (by hand, from a conversation), one open lead per
contact and pipeline, changing them, moves and their conflicts, closing, the board, history and timeline, roles."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from masteria.bootstrap import Container
from masteria.events import OutboxEvent
from tests.api import customer_writes, invite, make_connection, make_contact, make_tag, sign_up
from tests.meta import FakeMeta
from tests.pipelines_api import column, make_lead, move, pipeline_of, stage_named


def _events(container: Container, company_id: str, kind: str) -> list[dict[str, Any]]:
    with container.database.tenant(uuid.UUID(company_id)) as session:
        rows = session.scalars(select(OutboxEvent).where(OutboxEvent.type == kind).order_by(OutboxEvent.id))
        return [row.data for row in rows]


def test_a_lead_is_created_at_the_top_of_the_first_open_stage(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    pipeline = pipeline_of(client, owner)
    contact = make_contact(client, owner, name="Maria")
    tag = make_tag(client, owner, "hot")
    lead = make_lead(
        client, owner, pipeline, contact_id=contact["id"], title="50 seats", value="1500.5", currency="USD",
        tag_ids=[tag["id"]], custom_fields={"plan": "pro", "seats": 50}, next_step="call back", due_date="2026-12-24",
        note="met at the fair", owner_id=owner.user_id,
    )  # fmt: skip
    new = stage_named(pipeline, "Novo")
    assert lead["stage_id"] == new and lead["status"] == "open" and lead["source"] == "api"
    assert lead["value"] == "1500.50"  # a decimal string, never a float
    assert lead["currency"] == "USD" and lead["owner_id"] == owner.user_id
    assert lead["contact"] == {"id": contact["id"], "name": "Maria", "phone": contact["phone"]}
    assert [t["name"] for t in lead["tags"]] == ["hot"]
    assert lead["custom_fields"] == {"plan": "pro", "seats": 50}
    assert (lead["next_step"], lead["due_date"], lead["version"]) == ("call back", "2026-12-24", 1)
    # newer leads go on top
    second = make_lead(client, owner, pipeline, source="manual")
    assert second["source"] == "manual"
    assert column(client, owner, pipeline, new) == [second["id"], lead["id"]]
    assert second["rank"] < lead["rank"]
    # its creation opens its history, with the note on its timeline
    history = client.get(f"/v1/leads/{lead['id']}/history", headers=owner.headers).json()
    assert [(h["from_stage_id"], h["to_stage_id"], h["actor_kind"], h["actor_id"]) for h in history] == [
        (None, new, "user", owner.user_id)
    ]
    timeline = client.get(f"/v1/leads/{lead['id']}/timeline", headers=owner.headers).json()
    assert [e["kind"] for e in timeline["entries"]] == ["note", "stage_change"]
    assert timeline["entries"][0]["note"]["body"] == "met at the fair"
    # lead.created for each
    created = _events(container, owner.company_id, "lead.created")
    assert [e["lead_id"] for e in created] == [lead["id"], second["id"]]
    assert created[0] == {
        "lead_id": lead["id"], "pipeline_id": pipeline["id"], "stage_id": new, "owner_id": owner.user_id,
        "version": 1, "contact_id": contact["id"], "source": "api",
    }  # fmt: skip


def test_bad_values_are_422_and_unknown_ids_404(client: TestClient) -> None:
    owner = sign_up(client)
    pipeline = pipeline_of(client, owner)
    contact = make_contact(client, owner)
    base = {"pipeline_id": pipeline["id"], "contact_id": contact["id"], "title": "Deal"}
    for bad in ({"value": "-1"}, {"value": "1.234"}, {"value": 1e20}, {"currency": "real"}, {"title": ""}):
        response = client.post("/v1/leads", headers=owner.headers, json={**base, **bad})
        assert response.status_code == 422, (bad, response.text)
    for unknown in ("pipeline_id", "contact_id", "stage_id", "owner_id"):
        response = client.post("/v1/leads", headers=owner.headers, json={**base, unknown: str(uuid.uuid4())})
        assert response.status_code == 404, (unknown, response.text)
    response = client.post("/v1/leads", headers=owner.headers, json={**base, "tag_ids": [str(uuid.uuid4())]})
    assert response.status_code == 404
    won = stage_named(pipeline, "Ganho")
    closed = client.post("/v1/leads", headers=owner.headers, json={**base, "stage_id": won})
    assert closed.status_code == 409 and closed.json()["code"] == "lead_starts_open"


def test_one_open_lead_per_contact_and_pipeline(client: TestClient) -> None:
    owner = sign_up(client)
    sales = pipeline_of(client, owner)
    contact = make_contact(client, owner)
    first = make_lead(client, owner, sales, contact_id=contact["id"])
    again = client.post(
        "/v1/leads", headers=owner.headers, json={"pipeline_id": sales["id"], "contact_id": contact["id"], "title": "2"}
    )
    assert again.status_code == 409
    assert again.json()["code"] == "open_lead_exists"
    assert again.json()["lead"]["id"] == first["id"]  # the open one, to go to
    # another pipeline may have one too
    other = client.post(
        "/v1/pipelines", headers=owner.headers, json={"name": "Upsell", "stages": [{"name": "Open"}]}
    ).json()
    make_lead(client, owner, other, contact_id=contact["id"])
    # once the first is won, a new one may open
    won = client.post(
        f"/v1/leads/{first['id']}/close",
        headers=owner.headers,
        json={"outcome": "won", "reason": "signed", "version": 1},
    )
    assert won.status_code == 200, won.text
    second = make_lead(client, owner, sales, contact_id=contact["id"])
    # and the won lead cannot reopen while the second is open
    reopened = move(client, owner, won.json(), stage_named(sales, "Novo"))
    assert reopened.status_code == 409
    assert reopened.json()["code"] == "open_lead_exists"
    assert reopened.json()["lead"]["status"] == "won"
    assert second["status"] == "open"


def test_a_lead_from_a_conversation(client: TestClient, container: Container, meta: FakeMeta) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    customer_writes(container, owner, connection, "quero um orçamento", wa_id="5511977770001")
    conversation = client.get("/v1/conversations", headers=owner.headers).json()["items"][0]
    created = client.post(f"/v1/conversations/{conversation['id']}/lead", headers=owner.headers, json={})
    assert created.status_code == 201, created.text
    lead = created.json()
    assert lead["source"] == "conversation" and lead["conversation_id"] == conversation["id"]
    assert lead["contact"]["id"] == conversation["contact"]["id"]
    assert lead["title"] == (conversation["contact"]["name"] or conversation["contact"]["phone"])
    assert lead["pipeline_id"] == pipeline_of(client, owner)["id"]
    timeline = client.get(f"/v1/leads/{lead['id']}/timeline", headers=owner.headers).json()
    assert timeline["conversation_id"] == conversation["id"]
    # a second one for the same contact is the 409 naming the first
    again = client.post(f"/v1/conversations/{conversation['id']}/lead", headers=owner.headers, json={"title": "x"})
    assert again.status_code == 409 and again.json()["lead"]["id"] == lead["id"]
    # another company's conversation is not found
    stranger = sign_up(client)
    assert (
        client.post(f"/v1/conversations/{conversation['id']}/lead", headers=stranger.headers, json={}).status_code
        == 404
    )


def test_updates_merge_and_a_stale_version_is_409_with_the_lead(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    pipeline = pipeline_of(client, owner)
    a, b = make_tag(client, owner, "a"), make_tag(client, owner, "b")
    lead = make_lead(client, owner, pipeline, custom_fields={"plan": "pro", "seats": 5}, tag_ids=[a["id"]])
    patched = client.patch(
        f"/v1/leads/{lead['id']}",
        headers=owner.headers,
        json={"custom_fields": {"seats": None, "region": "SP"}, "tag_ids": [b["id"]], "value": "99.90", "version": 1},
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert body["custom_fields"] == {"plan": "pro", "region": "SP"}
    assert [t["name"] for t in body["tags"]] == ["b"] and body["value"] == "99.90" and body["version"] == 2
    stale = client.patch(f"/v1/leads/{lead['id']}", headers=owner.headers, json={"title": "Late", "version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "lead_changed"
    assert stale.json()["lead"]["version"] == 2 and stale.json()["lead"]["title"] == "Deal"
    # nothing changed: no new version, no event
    same = client.patch(f"/v1/leads/{lead['id']}", headers=owner.headers, json={"title": "Deal"})
    assert same.json()["version"] == 2
    updated = _events(container, owner.company_id, "lead.updated")
    assert [e["changed"] for e in updated] == [["custom_fields", "tags", "value"]]


def test_moves_between_and_within_stages(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    pipeline = pipeline_of(client, owner)
    new, qualified = stage_named(pipeline, "Novo"), stage_named(pipeline, "Qualificado")
    leads = [make_lead(client, owner, pipeline) for _ in range(3)]  # top first: leads[2], leads[1], leads[0]
    x, y, z = leads[2], leads[1], leads[0]
    assert column(client, owner, pipeline, new) == [x["id"], y["id"], z["id"]]
    # within the stage: x after z (to the bottom)
    moved = move(client, owner, x, new, after_id=z["id"])
    assert moved.status_code == 200, moved.text
    assert column(client, owner, pipeline, new) == [y["id"], z["id"], x["id"]]
    x = moved.json()
    assert x["version"] == 2
    # into another stage: y to Qualified (empty: top), then z before y there
    y = move(client, owner, y, qualified, reason="answered").json()
    z = move(client, owner, z, qualified, before_id=y["id"]).json()
    assert column(client, owner, pipeline, qualified) == [z["id"], y["id"]]
    assert column(client, owner, pipeline, new) == [x["id"]]
    # then x between them
    x = move(client, owner, x, qualified, after_id=z["id"]).json()
    assert column(client, owner, pipeline, qualified) == [z["id"], x["id"], y["id"]]
    history = client.get(f"/v1/leads/{y['id']}/history", headers=owner.headers).json()
    assert [(h["from_stage_id"], h["to_stage_id"], h["reason"]) for h in history] == [
        (None, new, None),
        (new, qualified, "answered"),
    ]
    assert history[0]["left_at"] == history[1]["moved_at"] and history[0]["seconds_in_stage"] >= 0
    assert history[1]["left_at"] is None and history[1]["seconds_in_stage"] is None
    # a reorder is a lead.updated (rank); a stage change a lead.stage_changed, once per move
    changed = _events(container, owner.company_id, "lead.stage_changed")
    assert [(e["lead_id"], e["from_stage_id"], e["to_stage_id"]) for e in changed] == [
        (y["id"], new, qualified),
        (z["id"], new, qualified),
        (x["id"], new, qualified),
    ]
    assert changed[0]["actor_kind"] == "user" and changed[0]["actor_id"] == owner.user_id
    assert changed[2]["rank"] == x["rank"] and changed[2]["version"] == x["version"]
    assert [e["changed"] for e in _events(container, owner.company_id, "lead.updated")] == [["rank"]]


def test_move_conflicts_answer_409_with_the_current_lead(client: TestClient) -> None:
    owner = sign_up(client)
    pipeline = pipeline_of(client, owner)
    new, qualified = stage_named(pipeline, "Novo"), stage_named(pipeline, "Qualificado")
    a, b = make_lead(client, owner, pipeline), make_lead(client, owner, pipeline)
    assert move(client, owner, a, qualified).status_code == 200
    # the version a client saw is old: 409 with the lead as it is
    stale = move(client, owner, a, new)
    assert stale.status_code == 409
    assert stale.json()["code"] == "lead_changed"
    assert (stale.json()["lead"]["stage_id"], stale.json()["lead"]["version"]) == (qualified, 2)
    # the neighbour named left that stage
    gone = move(client, owner, b, new, after_id=a["id"])
    assert gone.status_code == 409 and gone.json()["code"] == "neighbour_moved"
    assert gone.json()["lead"]["id"] == b["id"]
    # a card is not its own neighbour; after and before together are refused
    assert move(client, owner, b, new, after_id=b["id"]).status_code == 422
    assert move(client, owner, b, new, after_id=a["id"], before_id=a["id"]).status_code == 422
    # a stage of another pipeline is not found
    other = client.post("/v1/pipelines", headers=owner.headers, json={"name": "P2", "stages": [{"name": "S"}]}).json()
    assert move(client, owner, b, other["stages"][0]["id"]).status_code == 404
    # a WIP limit: the stage full is a 409
    limited = client.patch(
        f"/v1/pipelines/{pipeline['id']}/stages/{qualified}", headers=owner.headers, json={"wip_limit": 1}
    )
    assert limited.status_code == 200
    full = move(client, owner, b, qualified)
    assert full.status_code == 409 and full.json()["code"] == "stage_full"


def test_closing_needs_a_reason_and_records_won_and_lost(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    pipeline = pipeline_of(client, owner)
    won, lost, new = stage_named(pipeline, "Ganho"), stage_named(pipeline, "Perdido"), stage_named(pipeline, "Novo")
    a = make_lead(client, owner, pipeline, value="1000.00")
    b = make_lead(client, owner, pipeline)
    no_reason = move(client, owner, a, won)
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["code"] == "close_reason_required"
    assert (
        client.post(
            f"/v1/leads/{a['id']}/close", headers=owner.headers, json={"outcome": "won", "version": 1}
        ).status_code
        == 422
    )
    closed = move(client, owner, a, won, reason="signed the contract").json()
    assert (closed["status"], closed["close_reason"], closed["stage_id"]) == ("won", "signed the contract", won)
    assert closed["closed_at"] is not None
    lost_lead = client.post(
        f"/v1/leads/{b['id']}/close", headers=owner.headers, json={"outcome": "lost", "reason": "price", "version": 1}
    ).json()
    assert (lost_lead["status"], lost_lead["stage_id"]) == ("lost", lost)
    assert [(e["lead_id"], e["reason"], e["value"]) for e in _events(container, owner.company_id, "lead.won")] == [
        (a["id"], "signed the contract", "1000.00")
    ]
    assert [e["lead_id"] for e in _events(container, owner.company_id, "lead.lost")] == [b["id"]]
    # moved back to an open stage, it opens again
    reopened = move(client, owner, closed, new).json()
    assert (reopened["status"], reopened["close_reason"], reopened["closed_at"]) == ("open", None, None)


def test_the_board_pages_filters_and_totals(client: TestClient) -> None:
    owner = sign_up(client)
    agent = invite(client, owner)
    pipeline = pipeline_of(client, owner)
    new, qualified = stage_named(pipeline, "Novo"), stage_named(pipeline, "Qualificado")
    vip = make_tag(client, owner, "vip")
    cheap = [make_lead(client, owner, pipeline, value="10.00") for _ in range(4)]
    dear = make_lead(client, owner, pipeline, value="500.25", tag_ids=[vip["id"]], owner_id=agent.user_id,
                     due_date="2026-12-01")  # fmt: skip
    dollars = make_lead(client, owner, pipeline, value="7.00", currency="USD", source="import")
    unvalued = make_lead(client, owner, pipeline)
    move(client, owner, unvalued, qualified)
    board = client.get(f"/v1/pipelines/{pipeline['id']}/board", headers=owner.headers, params={"limit": 3})
    assert board.status_code == 200, board.text
    columns = {c["stage"]["id"]: c for c in board.json()["columns"]}
    assert [c["stage"]["name"] for c in board.json()["columns"]] == [s["name"] for s in pipeline["stages"]]
    first = columns[new]
    assert first["totals"] == {
        "count": 6,
        "values": [{"currency": "BRL", "value": "540.25"}, {"currency": "USD", "value": "7.00"}],
    }
    assert [c["id"] for c in first["leads"]] == [dollars["id"], dear["id"], cheap[3]["id"]]
    assert first["next_cursor"] is not None
    rest = client.get(
        f"/v1/pipelines/{pipeline['id']}/stages/{new}/leads",
        headers=owner.headers,
        params={"cursor": first["next_cursor"], "limit": 10},
    ).json()
    assert [c["id"] for c in rest["items"]] == [cheap[2]["id"], cheap[1]["id"], cheap[0]["id"]]
    assert rest["next_cursor"] is None
    assert columns[qualified]["totals"] == {"count": 1, "values": []}
    assert columns[stage_named(pipeline, "Ganho")]["totals"] == {"count": 0, "values": []}

    def ids(**params: Any) -> list[str]:
        got = client.get(f"/v1/pipelines/{pipeline['id']}/board", headers=owner.headers, params=params)
        assert got.status_code == 200, got.text
        return sorted(c["id"] for col in got.json()["columns"] for c in col["leads"])

    assert ids(owner_id=agent.user_id) == [dear["id"]]
    assert ids(tag_id=vip["id"]) == [dear["id"]]
    assert ids(value_min="100") == [dear["id"]]
    assert ids(value_max="8", source="import") == [dollars["id"]]
    assert ids(due_from="2026-11-30", due_to="2026-12-01") == [dear["id"]]
    assert len(ids(unassigned=True)) == 6
    assert (
        client.get(
            f"/v1/pipelines/{pipeline['id']}/board", headers=owner.headers, params={"value_min": "-1"}
        ).status_code
        == 422
    )
    assert (
        client.get(
            f"/v1/pipelines/{pipeline['id']}/stages/{new}/leads", headers=owner.headers, params={"cursor": "nope"}
        ).status_code
        == 422
    )


def test_agents_see_and_move_their_leads_and_unassigned_ones(client: TestClient) -> None:
    owner = sign_up(client)
    agent, colleague = invite(client, owner), invite(client, owner)
    pipeline = pipeline_of(client, owner)
    qualified = stage_named(pipeline, "Qualificado")
    mine = make_lead(client, owner, pipeline, owner_id=agent.user_id)
    theirs = make_lead(client, owner, pipeline, owner_id=colleague.user_id)
    nobodys = make_lead(client, owner, pipeline)
    board = client.get(f"/v1/pipelines/{pipeline['id']}/board", headers=agent.headers).json()
    seen = {c["id"] for col in board["columns"] for c in col["leads"]}
    assert seen == {mine["id"], nobodys["id"]}
    assert sum(col["totals"]["count"] for col in board["columns"]) == 2
    assert client.get(f"/v1/leads/{theirs['id']}", headers=agent.headers).status_code == 404
    assert move(client, agent, theirs, qualified).status_code == 404
    assert client.patch(f"/v1/leads/{theirs['id']}", headers=agent.headers, json={"title": "x"}).status_code == 404
    assert move(client, agent, mine, qualified).status_code == 200
    assert move(client, agent, nobodys, qualified).status_code == 200
    # an agent takes an unassigned lead, but gives no lead to someone else
    taken = client.patch(f"/v1/leads/{nobodys['id']}", headers=agent.headers, json={"owner_id": agent.user_id})
    assert taken.status_code == 200 and taken.json()["owner_id"] == agent.user_id
    given = client.patch(f"/v1/leads/{mine['id']}", headers=agent.headers, json={"owner_id": colleague.user_id})
    assert given.status_code == 403 and given.json()["code"] == "lead_owner_forbidden"
    body = {"pipeline_id": pipeline["id"], "contact_id": make_contact(client, owner)["id"], "title": "t",
            "owner_id": colleague.user_id}  # fmt: skip
    assert client.post("/v1/leads", headers=agent.headers, json=body).status_code == 403
    assert client.delete(f"/v1/leads/{mine['id']}", headers=agent.headers).status_code == 403
    # the company opens every lead to agents
    client.put("/v1/pipelines/settings", headers=owner.headers, json={"agents_see_all_leads": True})
    assert client.get(f"/v1/leads/{theirs['id']}", headers=agent.headers).status_code == 200
    assert move(client, agent, theirs, qualified).status_code == 200
    # admins delete leads
    assert client.delete(f"/v1/leads/{mine['id']}", headers=owner.headers).status_code == 204
    assert client.get(f"/v1/leads/{mine['id']}", headers=owner.headers).status_code == 404


def test_the_totals_the_database_keeps_match_counting_the_leads(client: TestClient) -> None:
    owner = sign_up(client)
    pipeline = pipeline_of(client, owner)
    new, qualified, won = (stage_named(pipeline, n) for n in ("Novo", "Qualificado", "Ganho"))
    every_source = {"source": ["campaign", "conversation", "import", "manual", "api"]}  # the same leads, counted

    def same_totals() -> dict[str, Any]:
        kept = client.get(f"/v1/pipelines/{pipeline['id']}/board", headers=owner.headers).json()["columns"]
        counted = client.get(
            f"/v1/pipelines/{pipeline['id']}/board", headers=owner.headers, params=every_source
        ).json()["columns"]
        assert [c["totals"] for c in kept] == [c["totals"] for c in counted]
        return {c["stage"]["id"]: c["totals"] for c in kept}

    a = make_lead(client, owner, pipeline, value="100.00")
    b = make_lead(client, owner, pipeline, value="0.50", currency="USD")
    c = make_lead(client, owner, pipeline)
    assert same_totals()[new] == {
        "count": 3, "values": [{"currency": "BRL", "value": "100.00"}, {"currency": "USD", "value": "0.50"}],
    }  # fmt: skip
    a = move(client, owner, a, qualified).json()
    client.patch(f"/v1/leads/{b['id']}", headers=owner.headers, json={"currency": "BRL", "value": "2.25"})
    client.patch(f"/v1/leads/{c['id']}", headers=owner.headers, json={"value": "1.00"})
    totals = same_totals()
    assert totals[new] == {"count": 2, "values": [{"currency": "BRL", "value": "3.25"}]}
    assert totals[qualified] == {"count": 1, "values": [{"currency": "BRL", "value": "100.00"}]}
    move(client, owner, a, won, reason="signed")
    client.patch(f"/v1/leads/{c['id']}", headers=owner.headers, json={"value": None})
    client.delete(f"/v1/contacts/{b['contact']['id']}", headers=owner.headers)  # its lead goes with it
    totals = same_totals()
    assert totals[new] == {"count": 1, "values": []}
    assert totals[qualified] == {"count": 0, "values": []} and totals[won]["count"] == 1
    archived = client.post(
        f"/v1/pipelines/{pipeline['id']}/stages/{new}/archive", headers=owner.headers,
        json={"move_to_stage_id": qualified},
    )  # fmt: skip
    assert archived.status_code == 200
    assert same_totals()[qualified] == {"count": 1, "values": []}
    client.delete(f"/v1/leads/{c['id']}", headers=owner.headers)
    assert same_totals()[qualified] == {"count": 0, "values": []}
