"""Every kind of Meta webhook the inbox shows: edits, deletions and reactions change the message they are
about (never a new message, never an unread), a type we do not handle is kept for what it is, Meta's
errors are kept, statuses never move back and wait for a message we do not know yet, a phone-number change
moves the contact, calls are call events, and media is copied with no transaction open."""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, select, text

from masteria.bootstrap import Container
from masteria.channels.inbound_job import InboundJob
from masteria.channels.models import ChannelConnection
from masteria.channels.providers.port import StatusUpdate
from masteria.contacts.models import Contact
from masteria.conversations import inbound
from masteria.conversations import inbound_statuses as statuses_
from masteria.conversations.inbound_common import Result
from masteria.conversations.inbound_pending import apply_pending
from masteria.conversations.models import Conversation, Message, PendingMessageUpdate
from masteria.events import OutboxEvent
from masteria.notifications.models import Notification
from masteria.ports import ObjectStore
from tests.api import Account, make_connection, sign_up
from tests.e2e.waits import eventually
from tests.meta import FakeMeta
from tests.meta_webhooks import (
    EXAMPLES,
    FIXTURES,
    call,
    calls_value,
    change_body,
    edit,
    message,
    messages_value,
    reaction,
    revoke,
)

NUMBER = "106540352242922"
ANA = "5531990001001"
T0 = int(time.time()) - 3600  # an hour ago: inside the 24-hour window


def _post(container: Container, owner: Account, connection: dict[str, Any], raw: bytes, **kw: Any) -> inbound.Result:
    job = InboundJob(
        company_id=uuid.UUID(owner.company_id), connection_id=uuid.UUID(connection["id"]),
        received_at=datetime.now(UTC), body_b64=base64.b64encode(raw).decode(),
    )  # fmt: skip
    result = inbound.process(
        db=container.database, keys=container.company_keys, providers=container.providers, job=job, **kw
    )
    assert not result.dead_lettered, result.errors
    return result


def _setup(client: TestClient, meta: FakeMeta) -> tuple[Account, dict[str, Any]]:
    owner = sign_up(client)
    return owner, make_connection(client, owner, meta, phone_number_id=NUMBER)


def _thread(client: TestClient, owner: Account) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    (conversation,) = client.get("/v1/conversations", headers=owner.headers).json()["items"]
    url = f"/v1/conversations/{conversation['id']}/messages"
    return conversation, client.get(url, headers=owner.headers).json()["items"]


def _send(container: Container, owner: Account, connection: dict[str, Any], value: dict[str, Any]) -> inbound.Result:
    return _post(container, owner, connection, change_body("messages", value, phone_number_id=NUMBER))


def test_an_edit_changes_the_original_text_and_adds_no_message_nor_unread(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner, connection = _setup(client, meta)
    _send(
        container,
        owner,
        connection,
        messages_value(ANA, message(ANA, "wamid.A1", T0, "text", {"body": "Oi, 2 pizzas"})),
    )
    # WHEN the contact edits it, then an older edit comes late, then the newest edit again (a redelivery)
    newest = edit(ANA, "wamid.E2", T0 + 60, "wamid.A1", kind="text", body={"body": "Oi, 3 pizzas"})
    _send(container, owner, connection, messages_value(ANA, newest))
    late = edit(ANA, "wamid.E1", T0 + 30, "wamid.A1", kind="text", body={"body": "Oi, 1 pizza"})
    _send(container, owner, connection, messages_value(ANA, late, newest))
    # THEN the original shows the newest text with the edit time; no new message, one unread still
    conversation, items = _thread(client, owner)
    (only,) = items
    assert (only["wamid"], only["type"], only["text"]) == ("wamid.A1", "text", "Oi, 3 pizzas")
    assert only["edited_at"] == datetime.fromtimestamp(T0 + 60, UTC).isoformat().replace("+00:00", "Z")
    assert [p["text"] for p in only["content"]["previous"]] == ["Oi, 2 pizzas"]
    assert conversation["unread_count"] == 1
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        updated = session.scalars(select(OutboxEvent).where(OutboxEvent.type == "message.updated")).all()
        assert [e.data["message_id"] for e in updated] == [only["id"]]  # once: the late and repeated ones did nothing
    # an edit that does not name its type (the new text beside the original's id) keeps the message's
    typeless = message(ANA, "wamid.E3", T0 + 90, "edit", {"original_message_id": "wamid.A1", "text": {"body": "4!"}})
    _send(container, owner, connection, messages_value(ANA, typeless))
    (only,) = _thread(client, owner)[1]
    assert (only["type"], only["text"]) == ("text", "4!")


def test_a_media_edit_changes_the_caption_or_copies_the_new_file(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner, connection = _setup(client, meta)
    meta.media["m1"], meta.media["m2"] = b"first jpeg", b"second jpeg"
    media = inbound.Media(providers=container.providers, store=container.object_store, keys=container.company_keys)
    image = {"id": "m1", "mime_type": "image/jpeg", "sha256": "x", "caption": "cardápio"}
    _send(container, owner, connection, messages_value(ANA, message(ANA, "wamid.I1", T0, "image", image)))
    body = change_body("messages", messages_value(ANA, message(ANA, "wamid.I1", T0, "image", image)))
    _post(container, owner, connection, body, media=media)  # a redelivery copies the file the first did not
    caption = edit(ANA, "wamid.E1", T0 + 10, "wamid.I1", kind="image", body={**image, "caption": "cardápio novo"})
    _post(container, owner, connection, change_body("messages", messages_value(ANA, caption)), media=media)
    (shown,) = _thread(client, owner)[1]
    assert shown["text"] == "cardápio novo" and shown["content"]["stored"]["size"] == len(b"first jpeg")
    other = edit(ANA, "wamid.E2", T0 + 20, "wamid.I1", kind="image", body={**image, "id": "m2", "caption": "outro"})
    _post(container, owner, connection, change_body("messages", messages_value(ANA, other)), media=media)
    (shown,) = _thread(client, owner)[1]
    assert shown["text"] == "outro" and shown["content"]["stored"]["size"] == len(b"second jpeg")
    assert shown["content"]["stored"]["key"].endswith(f"{shown['id']}-2")  # beside the first file, not over it
    assert client.get(shown["media_url"].removeprefix("http://testserver")).content == b"second jpeg"


def test_a_deletion_marks_the_original_and_only_its_sender_may(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner, connection = _setup(client, meta)
    other = "5531990001002"
    _send(container, owner, connection, messages_value(ANA, message(ANA, "wamid.A1", T0, "text", {"body": "oops"})))
    _send(container, owner, connection, messages_value(other, revoke(other, "wamid.X", T0 + 5, "wamid.A1")))
    assert _thread(client, owner)[1][0]["deleted_at"] is None  # someone else cannot delete Ana's message
    _send(container, owner, connection, messages_value(ANA, revoke(ANA, "wamid.R1", T0 + 9, "wamid.A1")))
    conversation, (only,) = _thread(client, owner)
    assert only["deleted_at"] == datetime.fromtimestamp(T0 + 9, UTC).isoformat().replace("+00:00", "Z")
    assert conversation["unread_count"] == 1


def test_a_reaction_attaches_to_its_target_and_an_empty_one_removes_it(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner, connection = _setup(client, meta)
    # the spec's reaction example, to a message of ours that comes after it (kept, then applied)
    raw = json.loads((EXAMPLES / "reaction_message.json").read_bytes())
    value = raw["entry"][0]["changes"][0]["value"]
    (spec,) = value["messages"]
    target, sender = spec["reaction"]["message_id"], spec["from"]
    assert _send(container, owner, connection, value).pending == 1
    _send(
        container,
        owner,
        connection,
        messages_value(sender, message(sender, target, int(spec["timestamp"]) - 9, "text", {"body": "Oi"})),
    )
    conversation, (only,) = _thread(client, owner)
    assert [(r["by"], r["emoji"]) for r in only["reactions"]] == [(sender, "👍")]
    assert conversation["unread_count"] == 1  # the message, not the reaction
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        assert session.scalars(select(PendingMessageUpdate)).all() == []
    # WHEN the reaction is taken back, then a late older reaction comes
    at = int(spec["timestamp"])
    _send(container, owner, connection, messages_value(sender, reaction(sender, "wamid.U1", at + 5, target, None)))
    _send(container, owner, connection, messages_value(sender, reaction(sender, "wamid.U0", at + 1, target, "❤️")))
    assert _thread(client, owner)[1][0]["reactions"] == []
    _send(container, owner, connection, messages_value(sender, reaction(sender, "wamid.U2", at + 9, target, "🎉")))
    conversation, (only,) = _thread(client, owner)
    assert [r["emoji"] for r in only["reactions"]] == ["🎉"] and conversation["unread_count"] == 1


def test_a_type_we_do_not_handle_is_kept_for_what_it_is_with_meta_errors(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner, connection = _setup(client, meta)
    unsupported = json.loads(
        (FIXTURES / "payloads" / "whatsapp-business-java-api" / "deserialization" / "messageDeleted.json").read_bytes()
    )
    value = {k: v for k, v in unsupported["entry"][0]["changes"][0]["value"].items() if k != "metadata"}
    sender = value["messages"][0]["from"]
    _send(container, owner, connection, value)
    poll = {"from": sender, "id": "wamid.P1", "timestamp": str(T0), "type": "poll", "poll": {"question": "?"}}
    _send(container, owner, connection, messages_value(sender, poll))
    _, items = _thread(client, owner)
    shown = {m["type"]: m for m in items}
    assert set(shown) == {"unsupported", "poll"} and shown["poll"]["text"] is None
    assert shown["poll"]["content"]["poll"] == {"question": "?"}  # kept whole
    assert shown["unsupported"]["errors"][0]["code"] == 131051 and shown["unsupported"]["text"] is None


def test_meta_errors_about_the_account_are_kept_as_a_notification(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner, connection = _setup(client, meta)
    raw = (FIXTURES / "payloads" / "meta-docs-examples" / "value_errors_130429.json").read_bytes()
    _post(container, owner, connection, raw)
    assert _post(container, owner, connection, raw).duplicates == 1  # a redelivery (or our retry) tells no one
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        (kept,) = session.scalars(select(Notification).where(Notification.kind == "whatsapp.error")).all()
        assert kept.data["code"] == 130429 and "too many messages" in kept.body
    other = json.loads(raw)
    other["entry"][0]["changes"][0]["value"]["errors"][0] |= {"code": 131000, "title": "Something went wrong"}
    _post(container, owner, connection, json.dumps(other).encode())  # another error is told
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        codes = session.scalars(select(Notification.data["code"].as_integer()).order_by(Notification.created_at))
        assert sorted(codes) == [130429, 131000]


def _reply(client: TestClient, owner: Account, container: Container, connection: dict[str, Any]) -> dict[str, Any]:
    _send(container, owner, connection, messages_value(ANA, message(ANA, "wamid.A1", T0, "text", {"body": "Oi"})))
    conversation, _ = _thread(client, owner)
    sent = client.post(f"/v1/conversations/{conversation['id']}/messages", headers=owner.headers, json={"text": "Olá!"})
    assert sent.status_code == 201, sent.text
    reply: dict[str, Any] = sent.json()
    return reply


def _status(wamid: str, status: str, at: int) -> dict[str, Any]:
    return {"statuses": [{"id": wamid, "status": status, "timestamp": str(at), "recipient_id": ANA}]}


def test_a_status_never_moves_back_nor_back_in_time(client: TestClient, container: Container, meta: FakeMeta) -> None:
    owner, connection = _setup(client, meta)
    wamid = _reply(client, owner, container, connection)["wamid"]
    _send(container, owner, connection, _status(wamid, "read", T0 + 200))
    _send(container, owner, connection, _status(wamid, "delivered", T0 + 100))  # late
    _send(container, owner, connection, _status(wamid, "failed", T0 + 50))  # final, but not earlier than read
    out = next(m for m in _thread(client, owner)[1] if m["direction"] == "out")
    assert out["status"] == "failed"
    assert out["status_at"] == datetime.fromtimestamp(T0 + 200, UTC).isoformat().replace("+00:00", "Z")


def test_a_status_for_a_message_we_do_not_know_yet_is_applied_when_it_appears(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner, connection = _setup(client, meta)
    meta._ids = itertools.count(777)  # so the reply's wamid is known before it is sent: its status comes first
    wamid = "wamid.fake777"
    assert _send(container, owner, connection, _status(wamid, "delivered", T0 + 5)).pending == 1
    reply = _reply(client, owner, container, connection)
    assert reply["wamid"] == wamid
    out = next(m for m in _thread(client, owner)[1] if m["direction"] == "out")
    assert out["status"] == "delivered"
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        assert session.scalars(select(PendingMessageUpdate)).all() == []


def _waiting(container: Container, worker: threading.Thread) -> bool:
    """Whether ``worker`` is done or waits for a wamid's lock (held by the caller's open transaction)."""
    with container.database.engine.connect() as connection:
        query = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        return not worker.is_alive() or bool(connection.execute(text(query)).scalar_one())


def _raced(ours: Message, wamid: str) -> Message:
    """A message we sent, as a send inserts it (its status may already be on its way)."""
    return Message(
        company_id=ours.company_id, connection_id=ours.connection_id, conversation_id=ours.conversation_id,
        contact_id=ours.contact_id, direction="out", wamid=wamid, type="text", text="raced", status="accepted",
        sent_at=datetime.now(UTC),
    )  # fmt: skip


def test_a_status_racing_the_send_of_its_message_is_applied_whichever_commits_first(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner, connection = _setup(client, meta)
    company = uuid.UUID(owner.company_id)
    out_id = uuid.UUID(_reply(client, owner, container, connection)["id"])
    with container.database.tenant(company) as session:
        ours = session.get_one(Message, out_id)
    # the send is committing (its message in, the updates kept for it looked for) as its status comes
    with container.database.tenant(company) as session:
        sent = _raced(ours, "wamid.sent-first")
        session.add(sent)
        session.flush()
        apply_pending(session, sent)
        worker = threading.Thread(
            target=_send, args=(container, owner, connection, _status("wamid.sent-first", "read", T0 + 9))
        )
        worker.start()
        eventually(lambda: _waiting(container, worker))
    worker.join(30)
    # the status is being kept (its body not committed yet) as the send looks for what waits for its message
    with container.database.tenant(company) as session:
        row = session.get_one(ChannelConnection, ours.connection_id)
        kept = StatusUpdate(message_id="wamid.kept-first", status="delivered", at=datetime.fromtimestamp(T0 + 9, UTC))
        statuses_.apply(session, row, kept, Result())

        def send() -> None:
            with container.database.tenant(company) as other:
                sending = _raced(ours, "wamid.kept-first")
                other.add(sending)
                other.flush()
                apply_pending(other, sending)

        worker = threading.Thread(target=send)
        worker.start()
        eventually(lambda: _waiting(container, worker))
    worker.join(30)
    with container.database.tenant(company) as session:
        found = dict(session.execute(select(Message.wamid, Message.status).where(Message.text == "raced")).all())
        assert found == {"wamid.sent-first": "read", "wamid.kept-first": "delivered"}
        assert session.scalars(select(PendingMessageUpdate)).all() == []


def test_a_body_that_keeps_nothing_reads_no_kept_update(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner, connection = _setup(client, meta)
    wamid = _reply(client, owner, container, connection)["wamid"]
    _send(container, owner, connection, _status("wamid.sent-elsewhere", "read", T0 + 1))  # never ours: kept
    seen: list[str] = []

    def watch(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(container.database.engine, "before_cursor_execute", watch)
    try:
        _send(container, owner, connection, _status(wamid, "delivered", T0 + 2))
    finally:
        event.remove(container.database.engine, "before_cursor_execute", watch)
    assert any("UPDATE messages" in s for s in seen)  # the status was applied
    assert not [s for s in seen if "pending_message_updates" in s]


def test_a_phone_number_change_moves_the_contact(client: TestClient, container: Container, meta: FakeMeta) -> None:
    owner, connection = _setup(client, meta)
    raw = json.loads((EXAMPLES / "system_message.json").read_bytes())
    value = raw["entry"][0]["changes"][0]["value"]
    (system,) = value["messages"]
    old, new = system["from"], system["system"]["wa_id"]
    _send(container, owner, connection, messages_value(old, message(old, "wamid.O1", T0, "text", {"body": "oi"})))
    _send(container, owner, connection, value)
    _send(
        container,
        owner,
        connection,
        messages_value(new, message(new, "wamid.N1", T0 + 99, "text", {"body": "é o novo"})),
    )
    assert _send(container, owner, connection, value).duplicates == 1  # Meta's retry, after the move
    conversation, items = _thread(client, owner)  # one contact, one conversation: the number moved
    assert conversation["contact"]["phone"] == f"+{new}"
    assert sorted(m["type"] for m in items) == ["system", "text", "text"]
    assert conversation["unread_count"] == 2  # Meta's notice is no unread
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        assert session.scalars(select(Contact.phone)).all() == [f"+{new}"]  # none again on the old number
        assert len(session.scalars(select(Conversation.id)).all()) == 1


def test_a_number_change_from_a_contact_we_never_had_creates_none_on_the_old_number(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner, connection = _setup(client, meta)
    value = json.loads((EXAMPLES / "system_message.json").read_bytes())["entry"][0]["changes"][0]["value"]
    new = value["messages"][0]["system"]["wa_id"]
    _send(container, owner, connection, value)
    _send(container, owner, connection, value)
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        assert session.scalars(select(Contact.phone)).all() == [f"+{new}"]
        assert session.scalars(select(Message.type)).all() == ["system"]


def test_calls_appear_as_call_events(client: TestClient, container: Container, meta: FakeMeta) -> None:
    owner, connection = _setup(client, meta)
    answered = [
        call(ANA, "wacid.A", T0, "connect", session={"sdp_type": "offer", "sdp": "v=0"}),
        call(
            ANA,
            "wacid.A",
            T0 + 75,
            "terminate",
            status="COMPLETED",
            start_time=str(T0 + 5),
            end_time=str(T0 + 75),
            duration=70,
        ),
    ]
    _post(container, owner, connection, change_body("calls", calls_value(ANA, *answered)))
    missed = call(ANA, "wacid.B", T0 + 300, "terminate", status="FAILED")
    connect_late = call(ANA, "wacid.B", T0 + 290, "connect")
    _post(container, owner, connection, change_body("calls", calls_value(ANA, missed, connect_late)))
    _post(container, owner, connection, change_body("calls", calls_value(ANA, *answered)))  # a redelivery
    conversation, items = _thread(client, owner)
    calls = {m["wamid"]: m["content"]["call"] for m in items}
    assert [m["type"] for m in items] == ["call", "call"]
    assert (calls["wacid.A"]["status"], calls["wacid.A"]["duration"]) == ("answered", 70)
    assert calls["wacid.B"]["status"] == "missed" and calls["wacid.B"]["direction"] == "user_initiated"
    assert conversation["unread_count"] == 2


class _Watching:
    """The real object store, noting the transactions open in the database while a file is written."""

    def __init__(self, store: ObjectStore, container: Container) -> None:
        self.store, self.container = store, container
        self.seen: list[int] = []

    def put(self, key: str, data: Any) -> int:
        with self.container.database.engine.connect() as connection:
            self.seen.append(
                connection.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
                    )
                ).scalar_one()
            )
        return self.store.put(key, data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def test_media_is_copied_with_no_transaction_open(client: TestClient, container: Container, meta: FakeMeta) -> None:
    owner, connection = _setup(client, meta)
    meta.media["m9"] = b"a voice note"
    store = _Watching(container.object_store, container)
    media = inbound.Media(providers=container.providers, store=store, keys=container.company_keys)
    audio = {"id": "m9", "mime_type": "audio/ogg", "sha256": "x", "voice": True}
    _post(
        container,
        owner,
        connection,
        change_body("messages", messages_value(ANA, message(ANA, "wamid.V", T0, "audio", audio))),
        media=media,
    )
    assert store.seen == [0]
    (shown,) = _thread(client, owner)[1]
    assert shown["content"]["stored"]["size"] == len(b"a voice note")
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:  # an open thread hears of the file
        (updated,) = session.scalars(select(OutboxEvent).where(OutboxEvent.type == "message.updated")).all()
        assert (updated.data["message_id"], updated.data["changed"]) == (shown["id"], ["content"])
