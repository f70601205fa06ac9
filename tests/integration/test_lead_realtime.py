"""Live board updates on a real PostgreSQL: lead events → the local event router → the push consumer → frames on
``pipeline:{id}`` and ``lead:{id}``, with the in-process registry and a recording poster (the network edge). Two
users on one board see each other's moves; an agent hears only of the leads they see; catching up over REST."""

from __future__ import annotations

from fastapi.testclient import TestClient

from masteria.bootstrap import Container
from tests.api import invite, sign_up
from tests.integration.test_realtime import _listen, _poster, _route_events
from tests.pipelines_api import make_lead, move, pipeline_of, stage_named


def test_two_users_on_one_board_see_each_others_moves(client: TestClient, container: Container) -> None:
    poster = _poster(container)
    owner = sign_up(client)
    admin = invite(client, owner, role="admin")
    pipeline = pipeline_of(client, owner)
    board = f"pipeline:{pipeline['id']}"
    mine, theirs = _listen(owner, board), _listen(admin, board)
    # WHEN one creates a lead and the other moves it
    lead = make_lead(client, owner, pipeline)
    qualified = stage_named(pipeline, "Qualificado")
    moved = move(client, admin, lead, qualified).json()
    _route_events(container)
    # THEN both boards hear of both, in order, with what a card needs to be redrawn
    for socket in (mine, theirs):
        frames = poster.frames(socket)
        assert [f["type"] for f in frames] == ["lead.created", "lead.stage_changed"]
        created, changed = (f["data"] for f in frames)
        assert created["lead_id"] == lead["id"] and created["stage_id"] == stage_named(pipeline, "Novo")
        assert changed == {
            "lead_id": lead["id"], "pipeline_id": pipeline["id"], "stage_id": qualified, "owner_id": None,
            "version": 2, "from_stage_id": lead["stage_id"], "to_stage_id": qualified, "rank": moved["rank"],
            "actor_kind": "user", "actor_id": admin.user_id, "reason": None,
        }  # fmt: skip
    # a reorder within the column and a close are heard too
    other = make_lead(client, owner, pipeline)
    move(client, owner, make_lead(client, owner, pipeline), stage_named(pipeline, "Novo"), after_id=other["id"])
    client.post(
        f"/v1/leads/{lead['id']}/close",
        headers=owner.headers,
        json={"outcome": "lost", "reason": "no budget", "version": 2},
    )
    _route_events(container)
    types = [f["type"] for f in poster.frames(theirs)]
    assert types[2:] == ["lead.created", "lead.created", "lead.updated", "lead.stage_changed", "lead.lost"]


def test_an_agent_hears_only_of_the_leads_they_see(client: TestClient, container: Container) -> None:
    poster = _poster(container)
    owner = sign_up(client)
    agent, colleague = invite(client, owner), invite(client, owner)
    pipeline = pipeline_of(client, owner)
    theirs = make_lead(client, owner, pipeline, owner_id=colleague.user_id)
    _route_events(container)
    socket = _listen(agent, f"pipeline:{pipeline['id']}", f"lead:{theirs['id']}")
    owner_socket = _listen(owner, f"pipeline:{pipeline['id']}")
    # WHEN a colleague's lead moves, an unassigned one is created, and the colleague's lead is given to the agent
    theirs = move(client, owner, theirs, stage_named(pipeline, "Qualificado")).json()
    open_lead = make_lead(client, owner, pipeline)
    client.patch(f"/v1/leads/{theirs['id']}", headers=owner.headers, json={"owner_id": agent.user_id})
    _route_events(container)
    # THEN the agent hears of the unassigned lead and of the one given to them, not of the colleague's move
    heard = [(f["type"], f["data"]["lead_id"]) for f in poster.frames(socket)]
    assert heard == [("lead.created", open_lead["id"]), ("lead.updated", theirs["id"])]
    assert len(poster.frames(owner_socket)) == 3
    # and taken from them, they hear it once more (their board drops the card), then no more
    client.patch(f"/v1/leads/{theirs['id']}", headers=owner.headers, json={"owner_id": colleague.user_id})
    current = client.get(f"/v1/leads/{theirs['id']}", headers=owner.headers).json()
    move(client, owner, current, stage_named(pipeline, "Novo"))
    _route_events(container)
    heard = [(f["type"], f["data"].get("previous_owner_id")) for f in poster.frames(socket)]
    assert heard[2:] == [("lead.updated", agent.user_id)]
    # catching up over REST follows the same rule
    caught = client.get("/v1/realtime/events", headers=agent.headers, params={"after": "0"}).json()
    lead_frames = [f for f in caught["frames"] if f["type"].startswith("lead.")]
    assert [(f["type"], f["data"]["lead_id"]) for f in lead_frames] == [
        ("lead.created", open_lead["id"]),
        ("lead.updated", theirs["id"]),
        ("lead.updated", theirs["id"]),
    ]
    owner_caught = client.get("/v1/realtime/events", headers=owner.headers, params={"after": "0"}).json()
    assert len([f for f in owner_caught["frames"] if f["type"].startswith("lead.")]) == 6
