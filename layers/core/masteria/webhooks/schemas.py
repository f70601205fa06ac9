from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from masteria.schemas import ReadModel, StrictModel

Url = Annotated[str, StringConstraints(min_length=8, max_length=2048, strip_whitespace=True)]
Description = Annotated[str, StringConstraints(max_length=500)]


class EndpointCreate(StrictModel):
    url: Url = Field(examples=["https://hooks.example.com/masteria"])
    description: Description | None = Field(default=None, examples=["CRM sync"])
    event_types: list[str] = Field(min_length=1, max_length=50, examples=[["message.received", "contact.created"]])
    enabled: bool = True


class EndpointUpdate(StrictModel):
    url: Url | None = Field(default=None, examples=["https://hooks.example.com/v2"])
    description: Description | None = Field(default=None, examples=["CRM sync"])
    event_types: list[str] | None = Field(default=None, min_length=1, max_length=50, examples=[["contact.created"]])
    enabled: bool | None = Field(default=None, examples=[True])


class EndpointRead(ReadModel):
    id: uuid.UUID
    url: str
    description: str | None
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None
    failing_since: datetime | None
    rotating_until: datetime | None = Field(description="until then deliveries carry the old signature as well")
    created_at: datetime
    updated_at: datetime


class EndpointWithSecret(EndpointRead):
    secret: str = Field(description="whsec_…: verify our signatures with it; shown only now")


class TestEvent(StrictModel):
    event_type: str = Field(examples=["contact.created"])


class Replay(StrictModel):
    message_id: str | None = Field(default=None, examples=["msg_3fa85f6457174562b3fc2c963f66afa6"])
    since: datetime | None = Field(default=None, description="every failed delivery since this time")


class ReplayResult(ReadModel):
    queued: int


class AttemptRead(ReadModel):
    id: uuid.UUID
    delivery_id: uuid.UUID
    message_id: str
    event_type: str
    attempt: int
    attempted_at: datetime
    status_code: int | None
    latency_ms: int
    response: str | None
    error: str | None
    delivery_status: str
    next_attempt_at: datetime | None


class EventTypeRead(ReadModel):
    type: str
    description: str
    schema_: dict[str, Any] = Field(alias="schema")
