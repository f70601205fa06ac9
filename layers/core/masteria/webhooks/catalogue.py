"""The events a company can receive on its webhook endpoints, each with the schema of its ``data``.

A delivery's body is ``{"type": ..., "timestamp": ..., "data": {...}}`` (the Standard Webhooks shape);
``data`` is small: ids and what changed. The schemas are published at ``GET /v1/webhooks/event-types``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from masteria.events import EventType


class _Data(BaseModel):
    model_config = ConfigDict(extra="allow")  # events may grow fields; receivers must ignore unknown ones


class MessageReceived(_Data):
    message_id: uuid.UUID
    conversation_id: uuid.UUID
    contact_id: uuid.UUID
    channel: Literal["whatsapp", "sms"]
    type: str = Field(description="text, image, audio, video, document, location, interactive, reaction, …")
    text: str | None = None


class MessageStatus(_Data):
    message_id: uuid.UUID
    conversation_id: uuid.UUID
    status: Literal["sent", "delivered", "read", "played", "failed"]
    error_code: int | None = None


class ConversationCreated(_Data):
    conversation_id: uuid.UUID
    contact_id: uuid.UUID
    channel: Literal["whatsapp", "sms"]


class ConversationAssigned(_Data):
    conversation_id: uuid.UUID
    assignee_id: uuid.UUID | None
    previous_assignee_id: uuid.UUID | None = None


class ConversationClosed(_Data):
    conversation_id: uuid.UUID


class ContactCreated(_Data):
    contact_id: uuid.UUID


class ContactUpdated(_Data):
    contact_id: uuid.UUID
    changed: list[str] = Field(description="the names of the fields that changed")


class ContactOptedOut(_Data):
    contact_id: uuid.UUID
    channel: Literal["whatsapp", "sms"]


class CampaignChanged(_Data):
    campaign_id: uuid.UUID
    reason: str | None = None


class CampaignRecipientStatus(_Data):
    campaign_id: uuid.UUID
    recipient_id: int = Field(description="the recipient's row in the campaign")
    contact_id: uuid.UUID
    status: Literal["sent", "delivered", "read", "failed"]
    error_code: int | None = Field(default=None, description="Meta's error code, when failed")
    error_reason: str | None = Field(default=None, description="Meta's error title, when failed")


class LeadStageChanged(_Data):
    lead_id: uuid.UUID
    from_stage_id: uuid.UUID | None
    to_stage_id: uuid.UUID


class TemplateStatusChanged(_Data):
    template_id: uuid.UUID
    connection_id: uuid.UUID
    name: str
    language: str
    status: str = Field(description="Meta's status: APPROVED, REJECTED, PAUSED, DISABLED, FLAGGED, …")
    previous_status: str | None = None
    reason: str | None = Field(default=None, description="Meta's reason or explanation, as it gave it")


class MeetingScheduled(_Data):
    meeting_id: uuid.UUID
    contact_id: uuid.UUID
    starts_at: datetime


CATALOGUE: dict[EventType, tuple[type[BaseModel], str]] = {
    EventType.MESSAGE_RECEIVED: (MessageReceived, "a customer sent a message"),
    EventType.MESSAGE_STATUS: (MessageStatus, "a message we sent was sent, delivered, read, played or failed"),
    EventType.CONVERSATION_CREATED: (ConversationCreated, "a new conversation started"),
    EventType.CONVERSATION_ASSIGNED: (ConversationAssigned, "a conversation was assigned (or unassigned)"),
    EventType.CONVERSATION_CLOSED: (ConversationClosed, "a conversation was closed"),
    EventType.CONTACT_CREATED: (ContactCreated, "a contact was created"),
    EventType.CONTACT_UPDATED: (ContactUpdated, "a contact's fields changed"),
    EventType.CONTACT_OPTED_OUT: (ContactOptedOut, "a contact opted out of a channel"),
    EventType.CAMPAIGN_STARTED: (CampaignChanged, "a campaign started sending"),
    EventType.CAMPAIGN_PAUSED: (CampaignChanged, "a campaign was paused (by a user or by Meta's errors)"),
    EventType.CAMPAIGN_COMPLETED: (CampaignChanged, "every recipient of a campaign is final"),
    EventType.CAMPAIGN_RECIPIENT_STATUS: (
        CampaignRecipientStatus,
        "a campaign recipient's message was sent, delivered, read or failed: one event per recipient and status, "
        "recorded only while an endpoint lists this type (a large campaign sends millions)",
    ),
    EventType.LEAD_STAGE_CHANGED: (LeadStageChanged, "a lead moved to another pipeline stage"),
    EventType.MEETING_SCHEDULED: (MeetingScheduled, "a meeting was scheduled with a contact"),
    EventType.TEMPLATE_STATUS_CHANGED: (
        TemplateStatusChanged,
        "Meta changed a WhatsApp template's status (approved, rejected, paused, disabled…), with its reason",
    ),
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
        elif "list" in annotation:
            values[name] = ["name"]
        elif name == "channel":
            values[name] = "whatsapp"
        elif name == "status":
            values[name] = "delivered"
        else:
            values[name] = "text"
    return model.model_validate(values).model_dump(mode="json", exclude_none=True)
