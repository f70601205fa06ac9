"""Live updates against a real PostgreSQL: domain events → the local event router → the push consumer →
frames, with the in-process registry and a recording poster (the network edge). Two companies at once,
agents' visibility, gone connections, and catching up over REST."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from functions import manifest
from functions.local.events import EventRouter
from functions.realtime.connect import handler as connect
from functions.realtime.default import handler as default
from masteria.adapters.memory.realtime import RecordingRealtime
from masteria.bootstrap import Container
from masteria.channels.inbound_job import InboundJob
from masteria.conversations import inbound
from masteria.events import OutboxEvent
from masteria.notifications.service import notify
from tests.api import Account, customer_writes, invite, make_connection, sign_up
from tests.functions.events import FakeContext, websocket_event
from tests.meta import FakeMeta


def _route_events(container: Container) -> None:
    """What `masteria dev`'s event router does, until the events queue is empty."""
    router = EventRouter(container.queue, manifest.FUNCTIONS, stop=threading.Event())
    while router.run_once():
        pass


def _listen(account: Account, *topics: str) -> str:
    connection_id = f"conn-{uuid.uuid4().hex[:12]}"
    assert (
        connect(websocket_event("$connect", connection_id, query={"token": account.access_token}), FakeContext())[
            "statusCode"
        ]
        == 200
    )
    body = json.dumps({"action": "subscribe", "topics": list(topics)})
    reply = default(websocket_event("$default", connection_id, body=body), FakeContext())
    assert json.loads(reply["body"])["type"] == "subscribed", reply
    return connection_id


def _poster(container: Container) -> RecordingRealtime:
    poster = RecordingRealtime()
    container.realtime = poster
    return poster


def _conversation_of(client: TestClient, account: Account) -> str:
    conversation: str = client.get("/v1/conversations", headers=account.headers).json()["items"][0]["id"]
    return conversation


def test_two_companies_connected_at_once_never_receive_each_others_frames(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    poster = _poster(container)
    a, b = sign_up(client), sign_up(client)
    a_connection, b_connection = make_connection(client, a, meta), make_connection(client, b, meta)
    a_inbox, b_inbox = _listen(a, "inbox", "notifications"), _listen(b, "inbox", "notifications")
    # WHEN a customer writes to each company, and each gets a notification
    customer_writes(container, a, a_connection, "oi A")
    customer_writes(container, b, b_connection, "oi B")
    for account in (a, b):
        company = uuid.UUID(account.company_id)
        with container.database.tenant(company) as session:
            notify(session, company_id=company, kind="test", title="t", body="b", data={})
    _route_events(container)
    # THEN each company's connection gets its own frames, and none of the other company's
    a_conversation, b_conversation = _conversation_of(client, a), _conversation_of(client, b)
    a_frames, b_frames = poster.frames(a_inbox), poster.frames(b_inbox)
    assert {f["type"] for f in a_frames} == {"message.created", "conversation.updated", "notification.created"}
    assert {f["data"].get("conversation_id") for f in a_frames} == {a_conversation, None}
    assert {f["data"].get("conversation_id") for f in b_frames} == {b_conversation, None}
    assert not set(json.dumps(a_frames).split('"')) & {b_conversation, b.company_id}
    a_ids = {f["data"].get("notification_id") for f in a_frames} - {None}
    b_ids = {f["data"].get("notification_id") for f in b_frames} - {None}
    assert len(a_ids) == len(b_ids) == 1 and a_ids != b_ids


def test_an_agent_receives_only_the_conversations_the_inbox_lets_them_see(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    poster = _poster(container)
    owner = sign_up(client)
    agent, other_agent = invite(client, owner), invite(client, owner)
    connection = make_connection(client, owner, meta)
    customer_writes(container, owner, connection, "oi", wa_id="5511900000001")
    conversation = _conversation_of(client, owner)
    assigned = client.put(
        f"/v1/conversations/{conversation}/assignee", headers=owner.headers, json={"assignee_id": other_agent.user_id}
    )
    assert assigned.status_code == 200
    _route_events(container)
    agent_socket = _listen(agent, "inbox", f"conversation:{conversation}")
    other_socket = _listen(other_agent, "inbox")
    owner_socket = _listen(owner, "inbox")
    # WHEN the customer of a conversation assigned to another agent writes again
    customer_writes(container, owner, connection, "alguém aí?", wa_id="5511900000001")
    # and another customer starts an unassigned conversation
    customer_writes(container, owner, connection, "olá", wa_id="5511900000002")
    _route_events(container)
    unassigned = next(
        c["id"]
        for c in client.get("/v1/conversations", headers=owner.headers).json()["items"]
        if c["id"] != conversation
    )
    # THEN the agent hears only of the unassigned one (even subscribed to the other's topic)
    assert {f["data"]["conversation_id"] for f in poster.frames(agent_socket)} == {unassigned}
    # the assignee and the owner hear of both
    assert {f["data"]["conversation_id"] for f in poster.frames(other_socket)} == {conversation, unassigned}
    assert {f["data"]["conversation_id"] for f in poster.frames(owner_socket)} == {conversation, unassigned}
    # WHEN the conversation is taken from the other agent and given to the agent
    for frames in poster.posted.values():
        frames.clear()
    client.put(f"/v1/conversations/{conversation}/assignee", headers=owner.headers, json={"assignee_id": agent.user_id})
    _route_events(container)
    # THEN both agents get the assignment (the one who lost it drops it from their inbox)
    for socket in (agent_socket, other_socket, owner_socket):
        [frame] = poster.frames(socket)
        assert frame["type"] == "conversation.assigned"
        assert frame["data"] == {"conversation_id": conversation, "assignee_id": agent.user_id}
    # and from now on only the new assignee (and the owner) hear of it
    customer_writes(container, owner, connection, "obrigado", wa_id="5511900000001")
    _route_events(container)
    assert [f["type"] for f in poster.frames(other_socket)] == ["conversation.assigned"]
    assert {f["type"] for f in poster.frames(agent_socket)} == {
        "conversation.assigned", "message.created", "conversation.updated"
    }  # fmt: skip


def test_replies_statuses_reads_and_closing_are_pushed(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    poster = _poster(container)
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    customer_writes(container, owner, connection, "oi")
    conversation = _conversation_of(client, owner)
    _route_events(container)
    socket, inbox = _listen(owner, f"conversation:{conversation}"), _listen(owner, "inbox")
    url = f"/v1/conversations/{conversation}"
    sent = client.post(f"{url}/messages", headers=owner.headers, json={"text": "Olá!"}).json()
    client.post(f"{url}/read", headers=owner.headers)
    client.post(f"{url}/close", headers=owner.headers)
    _status(container, owner, connection, sent["wamid"], "delivered")
    _route_events(container)
    received = [(f["type"], f["data"]) for f in poster.frames(socket)]
    status = {"message_id": sent["id"], "conversation_id": conversation, "status": "delivered", "error_code": None}
    assert ("message.status", status) in received
    assert "message.status" not in {f["type"] for f in poster.frames(inbox)}  # ticks only where the chat is open
    assert (
        "message.created",
        {"message_id": sent["id"], "conversation_id": conversation, "direction": "out", "type": "text"},
    ) in received
    updates = [d for t, d in received if t == "conversation.updated"]
    assert {"conversation_id": conversation, "changed": ["unread_count"], "status": None, "unread_count": 0,
            "last_message_at": None, "ai": None} in updates  # fmt: skip
    assert any(d["changed"] == ["status"] and d["status"] == "closed" for d in updates)


def _status(container: Container, account: Account, connection: dict[str, Any], wamid: str, status: str) -> None:
    """A status webhook for a message we sent, as Meta posts it (through the inbound processor)."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": connection["phone_number_id"]},
        "statuses": [{"id": wamid, "status": status, "timestamp": str(int(time.time())), "recipient_id": "5511"}],
    }
    raw = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [
        {"field": "messages", "value": value}
    ]}]})  # fmt: skip
    job = InboundJob(
        company_id=uuid.UUID(account.company_id), connection_id=uuid.UUID(connection["id"]),
        received_at=datetime.now(UTC), body_b64=base64.b64encode(raw.encode()).decode(),
    )  # fmt: skip
    assert (
        inbound.process(
            db=container.database, keys=container.company_keys, providers=container.providers, job=job
        ).statuses
        == 1
    )


def test_gone_connections_are_removed_and_the_others_still_served(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    poster = _poster(container)
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    gone, alive = _listen(owner, "inbox"), _listen(owner, "inbox")
    poster.gone.add(gone)
    customer_writes(container, owner, connection, "oi")
    _route_events(container)
    assert container.connection_registry.get(gone) is None
    assert container.connection_registry.get(alive) is not None
    assert poster.frames(alive)


def _catch_up(client: TestClient, account: Account, after: str | None = None) -> dict[str, Any]:
    response = client.get("/v1/realtime/events", headers=account.headers, params={"after": after} if after else {})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_a_reconnecting_client_catches_up_on_what_it_may_see_since_its_cursor(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    agent = invite(client, owner)
    other = sign_up(client)
    connection = make_connection(client, owner, meta)
    start = _catch_up(client, agent)
    assert start["frames"] == [] and start["more"] is False
    # WHILE the agent is away: a conversation assigned to the owner, an unassigned one, another company's
    customer_writes(container, owner, connection, "oi", wa_id="5511900000001")
    mine = _conversation_of(client, owner)
    client.put(f"/v1/conversations/{mine}/assignee", headers=owner.headers, json={"assignee_id": owner.user_id})
    customer_writes(container, owner, connection, "ei", wa_id="5511900000002")
    customer_writes(container, other, make_connection(client, other, meta), "outra empresa")
    # WHEN the agent catches up from its cursor
    caught = _catch_up(client, agent, start["cursor"])
    # THEN it gets the frames of the unassigned conversation only, oldest first, with their cursors
    conversations = {f["data"]["conversation_id"] for f in caught["frames"]}
    assert len(conversations) == 1 and mine not in conversations
    assert [f["type"] for f in caught["frames"]] == ["message.created", "conversation.updated"]
    cursors = [int(f["cursor"]) for f in caught["frames"]]
    assert cursors == sorted(cursors) and int(caught["cursor"]) >= cursors[-1]
    # the owner sees everything of their company, in pages
    first = client.get(
        "/v1/realtime/events", headers=owner.headers, params={"after": start["cursor"], "limit": 2}
    ).json()
    assert len(first["frames"]) <= 2 and first["more"] is True
    rest = _catch_up(client, owner, first["cursor"])
    everything = first["frames"] + rest["frames"]
    assert {f["type"] for f in everything} == {"message.created", "conversation.updated", "conversation.assigned"}
    assert {f["data"]["conversation_id"] for f in everything} == {mine} | conversations
    # and nothing new since the last cursor
    assert _catch_up(client, owner, rest["cursor"])["frames"] == []
    bad = client.get("/v1/realtime/events", headers=owner.headers, params={"after": "-1"})
    assert bad.status_code == 422


def test_a_deactivated_or_demoted_user_is_served_as_they_are_now_not_as_they_connected(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    poster = _poster(container)
    owner = sign_up(client)
    admin, leaver = invite(client, owner, role="admin"), invite(client, owner)
    connection = make_connection(client, owner, meta)
    customer_writes(container, owner, connection, "oi")
    conversation = _conversation_of(client, owner)
    client.put(f"/v1/conversations/{conversation}/assignee", headers=owner.headers, json={"assignee_id": owner.user_id})
    _route_events(container)
    admin_socket, leaver_socket = _listen(admin, "inbox", "notifications"), _listen(leaver, "inbox", "notifications")
    # WHEN, while connected, the admin becomes an agent and the other user is deactivated
    assert client.patch(f"/v1/users/{admin.user_id}", headers=owner.headers, json={"role": "agent"}).status_code == 200
    assert (
        client.patch(f"/v1/users/{leaver.user_id}", headers=owner.headers, json={"is_active": False}).status_code == 200
    )
    customer_writes(container, owner, connection, "alô?")
    company = uuid.UUID(owner.company_id)
    with container.database.tenant(company) as session:
        notify(session, company_id=company, kind="test", title="t", body="b", data={})
    _route_events(container)
    # THEN the former admin no longer hears of the owner's conversation, and the deactivated user of nothing
    assert [f["type"] for f in poster.frames(admin_socket)] == ["notification.created"]
    assert poster.frames(leaver_socket) == []


def test_a_cursor_counts_only_its_own_companys_events(client: TestClient, container: Container, meta: FakeMeta) -> None:
    poster = _poster(container)
    quiet, busy = sign_up(client), sign_up(client)
    quiet_connection, busy_connection = make_connection(client, quiet, meta), make_connection(client, busy, meta)
    inbox = _listen(quiet, "inbox")
    start = int(_catch_up(client, quiet)["cursor"])
    # WHEN the quiet company gets one message, another company many, then the quiet one another
    customer_writes(container, quiet, quiet_connection, "primeira", wa_id="5511900000011")
    for n in range(5):
        customer_writes(container, busy, busy_connection, f"muitas {n}", wa_id=f"551190000002{n}")
    customer_writes(container, quiet, quiet_connection, "segunda", wa_id="5511900000011")
    _route_events(container)
    # THEN the quiet company's cursors count its own events only (1, 2, 3… with gaps only for its own events
    # that are not frames), live and on catching up
    live = [int(f["cursor"]) for f in poster.frames(inbox)]
    caught = _catch_up(client, quiet, str(start))
    cursors = [int(f["cursor"]) for f in caught["frames"]]
    assert cursors == live == sorted(set(cursors)) and len(cursors) == 4
    company = uuid.UUID(quiet.company_id)
    with container.database.tenant(company) as session:
        own = session.scalars(select(OutboxEvent.company_sequence).where(OutboxEvent.company_sequence > start)).all()
    assert sorted(own) == list(range(start + 1, start + 1 + len(own))) and cursors[-1] == max(own)
    assert [f["type"] for f in caught["frames"]].count("message.created") == 2
    # and a fresh start begins at the company's own last number
    assert int(_catch_up(client, quiet)["cursor"]) == cursors[-1]


def test_a_cursor_past_the_companys_last_event_starts_again_from_now(client: TestClient, container: Container) -> None:
    account = sign_up(client)
    now = _catch_up(client, account)["cursor"]
    # WHEN a tab kept a cursor of the old global numbering (far past this company's own)
    stale = _catch_up(client, account, str(int(now) + 1_000_000))
    # THEN it is told to start again from the company's last event, so it does not wait for that number for good
    assert stale == {"frames": [], "cursor": now, "more": False}
