"""The AI responder's events as live frames: ``ai.replied`` and ``ai.handoff`` go to the conversation's topic and
the inbox, for the users who may see that conversation, and are offered to webhooks with their schemas."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from masteria.events import EventType
from masteria.ports import PublishedEvent
from masteria.realtime import frames
from masteria.realtime.routing import PUSHED_EVENT_TYPES, frames_for
from masteria.webhooks import catalogue

CONVERSATION, PERSONA, USER = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def _event(event_type: EventType, data: dict[str, object]) -> PublishedEvent:
    return PublishedEvent(
        event_id=uuid.uuid4(), company_id=uuid.uuid4(), type=event_type.value, data=data,
        occurred_at=datetime(2026, 12, 2, 12, tzinfo=UTC), sequence=9,
    )  # fmt: skip


def test_a_reply_and_a_handoff_become_frames_on_the_inbox_and_the_conversation() -> None:
    replied = {
        "conversation_id": str(CONVERSATION), "persona_id": str(PERSONA), "persona_version": 3,
        "message_ids": [str(uuid.uuid4()), str(uuid.uuid4())], "decision_id": 12,
    }  # fmt: skip
    handoff = {
        "conversation_id": str(CONVERSATION), "persona_id": str(PERSONA), "persona_version": 3, "trigger": "tool",
        "reason": "customer asked for a person", "assignee_id": str(USER), "decision_id": 13,
    }  # fmt: skip
    for event_type, data in ((EventType.AI_REPLIED, replied), (EventType.AI_HANDOFF, handoff)):
        [out] = frames_for(_event(event_type, data))
        assert out.topics == {"inbox", f"conversation:{CONVERSATION}"}
        assert out.conversation_id == CONVERSATION  # only for users whose inbox shows it
        body = json.loads(frames.dump(out.frame))
        assert body["type"] == event_type.value and body["cursor"] == "9" and body["data"] == data
        assert frames.event_frame.validate_python(body) == out.frame
        assert event_type.value in PUSHED_EVENT_TYPES


def test_both_are_in_the_webhook_catalogue_with_a_valid_example() -> None:
    offered = {entry["type"]: entry for entry in catalogue.schemas()}
    for event_type in ("ai.replied", "ai.handoff"):
        assert event_type in offered and offered[event_type]["description"]
        assert catalogue.example(event_type)["conversation_id"]
    assert "trigger" in offered["ai.handoff"]["schema"]["required"]
