"""Realtime frames and topics: what clients may send, what they get back, what each event becomes."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest

from masteria.adapters.local.realtime import InProcessConnectionRegistry
from masteria.events import EventType
from masteria.ports import LiveConnection, PublishedEvent
from masteria.realtime import frames
from masteria.realtime.routing import PUSHED_EVENT_TYPES, frames_for
from masteria.realtime.service import handle_frame

ID = uuid.UUID("3fa85f64-5717-4562-b3fc-2c963f66afa6")
AT = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "topic"),
    [
        ("inbox", "inbox"),
        ("notifications", "notifications"),
        (f"conversation:{ID}", f"conversation:{ID}"),
        (f"campaign:{str(ID).upper()}", f"campaign:{ID}"),
        (f"import:{ID.hex}", f"import:{ID}"),
        (f"pipeline:{ID}", f"pipeline:{ID}"),
        (f"lead:{ID.hex}", f"lead:{ID}"),
    ],
)
def test_topics_are_parsed_to_their_canonical_form(raw: str, topic: str) -> None:
    assert frames.parse_topic(raw) == topic


@pytest.mark.parametrize(
    "raw", ["", "Inbox", "conversation", "conversation:", "conversation:42", "deal:" + str(ID), "lead:7"]
)
def test_unknown_or_malformed_topics_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match=r"topic|UUID"):
        frames.parse_topic(raw)


def test_client_frames_parse_into_their_models() -> None:
    frame = frames.parse_client_frame(json.dumps({"action": "subscribe", "topics": ["inbox"], "id": "1"}))
    assert isinstance(frame, frames.Subscribe) and frame.topics == ["inbox"] and frame.id == "1"
    assert isinstance(frames.parse_client_frame(b'{"action": "ping"}'), frames.Ping)
    assert isinstance(frames.parse_client_frame('{"action": "unsubscribe", "topics": ["inbox"]}'), frames.Unsubscribe)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (None, "invalid_frame"),
        ("", "invalid_frame"),
        ("not json", "invalid_json"),
        (b"\xff\xfe", "invalid_json"),
        ("[1, 2]", "invalid_frame"),
        ('"ping"', "invalid_frame"),
        ('{"action": "dance"}', "invalid_frame"),
        ('{"topics": ["inbox"]}', "invalid_frame"),
        ('{"action": "subscribe", "topics": []}', "invalid_frame"),
        ('{"action": "subscribe", "topics": "inbox"}', "invalid_frame"),
        ('{"action": "subscribe", "topics": ["conversation:nope"]}', "invalid_frame"),
        ('{"action": "ping", "extra": 1}', "invalid_frame"),
        ('{"action": "subscribe", "topics": ["inbox"], "id": 5}', "invalid_frame"),
        ('{"action": "ping", "pad": "' + "x" * frames.MAX_FRAME_BYTES + '"}', "frame_too_large"),
    ],
)
def test_malformed_frames_get_an_error_frame_and_the_connection_stays(raw: str | bytes | None, code: str) -> None:
    registry = InProcessConnectionRegistry()
    registry.put(_connection("c1"))
    # WHEN a client sends a malformed frame
    reply = handle_frame(registry=registry, connection_id="c1", raw=raw)
    # THEN it gets an error frame saying what is wrong, and its connection and subscriptions stay
    assert isinstance(reply, frames.ErrorFrame)
    assert (reply.v, reply.code) == (1, code) and reply.detail
    assert registry.get("c1") == _connection("c1")
    assert json.loads(frames.dump(reply))["type"] == "error"


def test_an_error_frame_echoes_the_id_of_the_frame_it_answers() -> None:
    registry = InProcessConnectionRegistry()
    registry.put(_connection("c1"))
    reply = handle_frame(
        registry=registry, connection_id="c1", raw='{"action": "subscribe", "id": "r7", "topics": [1]}'
    )
    assert isinstance(reply, frames.ErrorFrame) and reply.id == "r7"


def test_subscribe_unsubscribe_and_ping() -> None:
    registry = InProcessConnectionRegistry()
    registry.put(_connection("c1"))
    raw = json.dumps({"action": "subscribe", "topics": ["inbox", f"conversation:{ID}", "inbox"], "id": "a"})
    assert handle_frame(registry=registry, connection_id="c1", raw=raw) == frames.Subscribed(
        id="a", topics=sorted(["inbox", f"conversation:{ID}"])
    )
    raw = json.dumps({"action": "unsubscribe", "topics": ["inbox", "notifications"]})
    assert handle_frame(registry=registry, connection_id="c1", raw=raw) == frames.Subscribed(
        topics=[f"conversation:{ID}"]
    )
    assert handle_frame(registry=registry, connection_id="c1", raw='{"action": "ping", "id": "p"}') == frames.Pong(
        id="p"
    )


def test_a_frame_on_an_unregistered_connection_is_an_error_frame() -> None:
    reply = handle_frame(
        registry=InProcessConnectionRegistry(), connection_id="gone", raw='{"action": "subscribe", "topics": ["inbox"]}'
    )
    assert isinstance(reply, frames.ErrorFrame) and reply.code == "not_connected"


def test_topics_per_connection_are_bounded() -> None:
    registry = InProcessConnectionRegistry()
    registry.put(_connection("c1"))
    many = [f"campaign:{uuid.uuid4()}" for _ in range(frames.MAX_TOPICS)]
    assert isinstance(
        handle_frame(registry=registry, connection_id="c1", raw=json.dumps({"action": "subscribe", "topics": many})),
        frames.Subscribed,
    )
    reply = handle_frame(registry=registry, connection_id="c1", raw='{"action": "subscribe", "topics": ["inbox"]}')
    assert isinstance(reply, frames.ErrorFrame) and reply.code == "too_many_topics"


def test_expired_connections_are_forgotten_by_the_registry() -> None:
    now = [1000.0]
    registry = InProcessConnectionRegistry(clock=lambda: now[0])
    registry.put(_connection("c1", expires_at=1500))
    assert registry.by_company(_connection("c1").company_id)
    now[0] = 1500
    assert registry.get("c1") is None and registry.by_company(_connection("c1").company_id) == []


def _connection(connection_id: str, *, expires_at: int = 2**40) -> LiveConnection:
    return LiveConnection(connection_id=connection_id, company_id=ID, user_id=ID, role="agent", expires_at=expires_at)


def _event(type_: EventType | str, data: dict[str, object], sequence: int | None = 42) -> PublishedEvent:
    return PublishedEvent(
        event_id=uuid.uuid4(), company_id=ID, type=str(type_), data=data, occurred_at=AT, sequence=sequence
    )


def test_every_pushed_event_type_is_a_domain_event_type() -> None:
    assert set(PUSHED_EVENT_TYPES) <= {t.value for t in EventType}
    assert "campaign.progress" in PUSHED_EVENT_TYPES


def test_an_inbound_message_becomes_a_small_message_created_frame_on_the_inbox_and_its_conversation() -> None:
    conversation = uuid.uuid4()
    event = _event(
        EventType.MESSAGE_RECEIVED,
        {
            "message_id": str(ID), "conversation_id": str(conversation), "contact_id": str(ID),
            "channel": "whatsapp", "type": "text", "text": "Oi, meu CPF é 123",
        },
    )  # fmt: skip
    [out] = frames_for(event)
    assert out.topics == {"inbox", f"conversation:{conversation}"}
    assert out.conversation_id == conversation
    body = json.loads(frames.dump(out.frame))
    assert body == {
        "v": 1,
        "type": "message.created",
        "cursor": "42",
        "at": "2026-11-25T12:00:00Z",
        "data": {"message_id": str(ID), "conversation_id": str(conversation), "direction": "in", "type": "text"},
    }  # ids and what changed: never the message text
    assert frames.event_frame.validate_python(body) == out.frame


def test_each_event_type_maps_to_its_frame_and_topic() -> None:
    cases: list[tuple[EventType, dict[str, object], str, set[str]]] = [
        (
            EventType.MESSAGE_CREATED,
            {"message_id": str(ID), "conversation_id": str(ID), "direction": "out", "type": "text"},
            "message.created", {"inbox", f"conversation:{ID}"},
        ),
        (
            EventType.MESSAGE_STATUS,
            {"message_id": str(ID), "conversation_id": str(ID), "status": "read", "error_code": None},
            "message.status", {f"conversation:{ID}"},
        ),
        (
            EventType.MESSAGE_UPDATED,
            {"message_id": str(ID), "conversation_id": str(ID), "changed": ["text", "edited_at"]},
            "message.updated", {f"conversation:{ID}"},
        ),
        (
            EventType.CONVERSATION_UPDATED,
            {"conversation_id": str(ID), "changed": ["unread_count"], "unread_count": 0},
            "conversation.updated", {"inbox", f"conversation:{ID}"},
        ),
        (
            EventType.CONVERSATION_ASSIGNED,
            {"conversation_id": str(ID), "assignee_id": None, "previous_assignee_id": str(ID)},
            "conversation.assigned", {"inbox", f"conversation:{ID}"},
        ),
        (
            EventType.CAMPAIGN_PROGRESS,
            {"campaign_id": str(ID), "sent": 10, "delivered": 7, "failed": 1},
            "campaign.progress", {f"campaign:{ID}"},
        ),
        (
            EventType.NOTIFICATION_CREATED,
            {"notification_id": str(ID), "kind": "webhooks.endpoint_disabled"},
            "notification.created", {"notifications"},
        ),
        (
            EventType.CONTACTS_IMPORT_PROGRESS,
            {"id": str(ID), "status": "running", "total": 10, "processed": 5, "inserted": 4, "updated": 1,
             "rejected": 0},
            "contacts.import.progress", {f"import:{ID}"},
        ),
    ]  # fmt: skip
    for event_type, data, frame_type, topics in cases:
        [out] = frames_for(_event(event_type, data))
        assert (out.frame.type, set(out.topics)) == (frame_type, topics), event_type
    [progress] = frames_for(_event(EventType.CAMPAIGN_PROGRESS, cases[5][1]))
    assert json.loads(frames.dump(progress.frame))["data"] == {
        "campaign_id": str(ID), "sent": 10, "delivered": 7, "failed": 1
    }  # fmt: skip
    [assigned] = frames_for(_event(EventType.CONVERSATION_ASSIGNED, cases[4][1]))
    assert assigned.also_for == {ID}  # the agent it was taken from hears of it


def test_events_nobody_listens_to_or_cannot_read_become_no_frame() -> None:
    assert frames_for(_event(EventType.CONTACT_CREATED, {"contact_id": str(ID)})) == []
    assert frames_for(_event("something.else", {})) == []
    assert frames_for(_event(EventType.MESSAGE_STATUS, {"message_id": "not-a-uuid"})) == []
