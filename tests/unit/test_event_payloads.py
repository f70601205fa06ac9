"""Every domain event type has exactly one payload model, and the outbox stores what the model says."""

import uuid

import pytest
from pydantic import ValidationError

from masteria import event_payloads
from masteria.event_payloads import PAYLOADS, MessageStatusPayload
from masteria.events import EventPayload, EventType
from masteria.realtime import frames
from masteria.webhooks import catalogue


def _declared() -> list[type[EventPayload]]:
    """Every model in event_payloads that names its own event type."""
    return [
        value
        for value in vars(event_payloads).values()
        if isinstance(value, type) and issubclass(value, EventPayload) and "event_type" in value.__dict__
    ]


def test_every_event_type_has_exactly_one_payload_model() -> None:
    declared = _declared()
    assert sorted(m.event_type for m in declared) == sorted(EventType)  # one each, none twice
    assert set(PAYLOADS) == set(EventType)
    for event_type, model in PAYLOADS.items():
        assert model.event_type is event_type


def test_the_webhook_catalogue_and_the_frames_use_the_payload_models() -> None:
    for event_type, (model, _) in catalogue.CATALOGUE.items():
        assert model is PAYLOADS[event_type]
    assert issubclass(frames.MessageStatusData, MessageStatusPayload)
    assert issubclass(frames.ConversationUpdatedData, PAYLOADS[EventType.CONVERSATION_UPDATED])


def test_a_payload_refuses_unknown_fields_and_bad_values() -> None:
    ids = {"message_id": uuid.uuid4(), "conversation_id": uuid.uuid4()}
    with pytest.raises(ValidationError):
        MessageStatusPayload.model_validate({**ids, "status": "delivered", "surprise": 1})
    with pytest.raises(ValidationError):
        MessageStatusPayload.model_validate({**ids, "status": "teleported"})
    stored = MessageStatusPayload(**ids, status="read").model_dump(mode="json")
    assert stored == {
        "message_id": str(ids["message_id"]),
        "conversation_id": str(ids["conversation_id"]),
        "status": "read",
        "error_code": None,
    }


def test_the_catalogue_schemas_let_receivers_ignore_new_fields() -> None:
    for entry in catalogue.schemas():
        assert entry["schema"]["additionalProperties"] is True
        model, _ = catalogue.CATALOGUE[EventType(entry["type"])]
        model.model_validate(catalogue.example(entry["type"]))
