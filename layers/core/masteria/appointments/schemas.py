"""Request and response shapes of appointments."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AnyUrl, AwareDatetime, Field, StringConstraints, UrlConstraints, model_validator
from pydantic_core import PydanticCustomError

from masteria.appointments.models import LINK_MAX_LENGTH, MAX_REMINDER_MINUTES
from masteria.schemas import ReadModel, StrictModel
from masteria.tenancy.schemas import Timezone

Status = Literal["scheduled", "done", "no_show", "cancelled"]
Title = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Location = Annotated[str, StringConstraints(min_length=1, max_length=300)]
# a meeting link: kept and shown, never fetched by us
Link = Annotated[AnyUrl, UrlConstraints(max_length=LINK_MAX_LENGTH, allowed_schemes=["https", "http"])]
ReminderMinutes = Annotated[int, Field(ge=0, le=MAX_REMINDER_MINUTES)]
DEFAULT_REMINDER_MINUTES = 60


class AppointmentCreate(StrictModel):
    title: Title = Field(examples=["Demo call"])
    starts_at: AwareDatetime = Field(description="with its offset", examples=["2026-12-02T14:00:00-03:00"])
    ends_at: AwareDatetime = Field(description="after starts_at", examples=["2026-12-02T14:30:00-03:00"])
    timezone: Timezone = Field(description="IANA timezone it is set in", examples=["America/Sao_Paulo"])
    location: Location | None = None
    link: Link | None = Field(default=None, description="an http(s) meeting link (never fetched)")
    attendee_id: uuid.UUID | None = Field(default=None, description="a user of the company (default: you)")
    reminder_minutes: ReminderMinutes | None = Field(
        default=DEFAULT_REMINDER_MINUTES, description="remind the attendee this long before (null: no reminder)"
    )

    @model_validator(mode="after")
    def _ends_after_start(self) -> AppointmentCreate:
        if self.ends_at <= self.starts_at:
            raise PydanticCustomError("ends_before_start", "ends_at must be after starts_at")
        return self


class AppointmentUpdate(StrictModel):
    """Only the fields given change; a new time reschedules it, a new status cancels or completes it."""

    title: Title | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    timezone: Timezone | None = None
    location: Location | None = None
    link: Link | None = None
    attendee_id: uuid.UUID | None = None
    reminder_minutes: ReminderMinutes | None = None
    status: Status | None = None
    version: int | None = Field(default=None, ge=1, description="the version you saw: 409 if it changed since")


class AppointmentRead(ReadModel):
    id: uuid.UUID
    lead_id: uuid.UUID
    title: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    location: str | None
    link: str | None
    attendee_id: uuid.UUID | None
    status: Status
    reminder_minutes: int | None
    version: int
    created_by: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
