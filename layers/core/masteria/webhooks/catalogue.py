"""The events a company can receive on its webhook endpoints, each with the schema of its ``data``.

A delivery's body is ``{"type": ..., "timestamp": ..., "data": {...}}`` (the Standard Webhooks shape);
``data`` is small: ids and what changed. The schemas are published at ``GET /v1/webhooks/event-types``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel

from masteria.event_payloads import PAYLOADS
from masteria.events import EventType

# The event types offered to webhook endpoints, with their descriptions; each ``data`` is the event's payload model.
_OFFERED: dict[EventType, str] = {
    EventType.MESSAGE_RECEIVED: "a customer sent a message",
    EventType.MESSAGE_STATUS: "a message we sent was sent, delivered, read, played or failed",
    EventType.CONVERSATION_CREATED: "a new conversation started",
    EventType.CONVERSATION_ASSIGNED: "a conversation was assigned (or unassigned)",
    EventType.CONVERSATION_CLOSED: "a conversation was closed",
    EventType.CONTACT_CREATED: "a contact was created",
    EventType.CONTACT_UPDATED: "a contact's fields changed",
    EventType.CONTACT_OPTED_OUT: "a contact opted out of a channel",
    EventType.CONTACT_OPTED_IN: "a contact opted in to a channel (again, or for the first time)",
    EventType.CONTACT_TAG_ADDED: "a contact got a tag (by hand, the API or an automation; not by bulk or import)",
    EventType.CONTACT_TAG_REMOVED: "a contact's tag was taken off (by hand, the API or an automation)",
    EventType.CAMPAIGN_STARTED: "a campaign started sending",
    EventType.CAMPAIGN_PAUSED: "a campaign was paused (by a user or by Meta's errors)",
    EventType.CAMPAIGN_COMPLETED: "every recipient of a campaign is final",
    EventType.CAMPAIGN_REPLIED: "a contact replied to a campaign that messaged them (once per recipient)",
    EventType.CAMPAIGN_RECIPIENT_STATUS: (
        "a campaign recipient's message was sent, delivered, read or failed: one event per recipient and status, "
        "recorded only while an endpoint lists this type (a large campaign sends millions)"
    ),
    EventType.LEAD_CREATED: "a lead was created on a pipeline",
    EventType.LEAD_UPDATED: "a lead's fields, owner or tags changed, or its card moved within its stage",
    EventType.LEAD_STAGE_CHANGED: "a lead moved to another pipeline stage (by a user, an automation or the AI)",
    EventType.LEAD_WON: "a lead was closed as won, with its reason and value",
    EventType.LEAD_LOST: "a lead was closed as lost, with its reason",
    EventType.MEETING_SCHEDULED: (
        "a lead moved into a meeting stage with its appointment (once per move), with the lead's details"
    ),
    EventType.APPOINTMENT_UPDATED: "a lead's appointment was rescheduled, cancelled, done, a no-show, or edited",
    EventType.AI_STAGE_PROPOSED: (
        "the AI proposed a stage for a lead, quoting the customer: applied at once (at or above the pipeline's "
        "threshold) or pending as a suggestion for a user"
    ),
    EventType.AI_REPLIED: "the AI answered a customer's messages: the messages it sent, with its persona version",
    EventType.AI_HANDOFF: (
        "the AI handed a conversation to a person (the customer asked, the model called handoff, the knowledge had "
        "no good answer, repeated misunderstanding, a blocked topic), with the reason and the assignee"
    ),
    EventType.TEMPLATE_STATUS_CHANGED: (
        "Meta changed a WhatsApp template's status (approved, rejected, paused, disabled…), with its reason"
    ),
    EventType.CADENCE_ENROLLED: "a contact entered a cadence (by hand, in bulk, from a segment, an automation…)",
    EventType.CADENCE_STEP_SENT: "a cadence's send step went out to a contact (the provider took the message)",
    EventType.AUTOMATION_RAN: (
        "an automation rule ran for an event (its conditions held): the rule, the run and how many actions did or "
        "failed"
    ),
    EventType.CUSTOM_EVENT: (
        "a named event an automation rule's action or a cadence's step emitted, with its fixed data, the contact and "
        "the lead"
    ),
    EventType.CADENCE_EXITED: (
        "an enrollment ended before its last step: the contact replied or opted out, its lead changed stage or "
        "closed, it got the goal tag, by hand, by an automation, or the cadence was archived"
    ),
}
CATALOGUE: dict[EventType, tuple[type[BaseModel], str]] = {
    event: (PAYLOADS[event], description) for event, description in _OFFERED.items()
}
EVENT_TYPES: tuple[str, ...] = tuple(t.value for t in CATALOGUE)

_EXAMPLE_IDS = uuid.UUID("3fa85f64-5717-4562-b3fc-2c963f66afa6")


def schemas() -> list[dict[str, Any]]:
    """Each event type with its description and the JSON schema of its ``data``."""
    return [
        {"type": event.value, "description": description, "schema": model.model_json_schema()}
        for event, (model, description) in CATALOGUE.items()
    ]


def example(event_type: str) -> dict[str, Any]:
    """A valid ``data`` of ``event_type`` for a test delivery (ids are a fixed example id)."""
    model, _ = CATALOGUE[EventType(event_type)]
    values: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        annotation = str(field.annotation)
        if not field.is_required():
            continue
        if "UUID" in annotation:
            values[name] = _EXAMPLE_IDS
        elif "datetime" in annotation:
            values[name] = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
        elif annotation == str(int):
            values[name] = 1
        elif annotation == str(float):
            values[name] = 0.5
        elif "list" in annotation:
            values[name] = ["name"]
        elif name == "channel":
            values[name] = "whatsapp"
        elif name == "status" and "delivered" in (get_args(field.annotation) or ("delivered",)):
            values[name] = "delivered"
        elif get_origin(field.annotation) is Literal:
            values[name] = get_args(field.annotation)[0]
        else:
            values[name] = "text"
    return model.model_validate(values).model_dump(mode="json", exclude_none=True)
