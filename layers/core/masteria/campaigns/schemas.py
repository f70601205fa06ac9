from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from masteria.schemas import ReadModel, StrictModel
from masteria.templates.schemas import ParameterKey

Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Ids = Annotated[list[uuid.UUID], Field(max_length=100)]
Variable = Annotated[str, StringConstraints(max_length=80)]
Default = Annotated[str, StringConstraints(max_length=2000)]
DEFAULT_RATE = 80
MAX_RATE = 1000


class Audience(StrictModel):
    """Who receives it: contacts with any of these tags, in any of these lists or segments, or these ids
    (they add up). Opted-out, invalid and duplicate numbers are always left out."""

    tag_ids: Ids = Field(default_factory=list)
    list_ids: Ids = Field(default_factory=list)
    segment_ids: Ids = Field(default_factory=list)
    contact_ids: Annotated[list[uuid.UUID], Field(max_length=1000)] = Field(default_factory=list)


class SendingWindow(StrictModel):
    """Send only between ``start`` and ``end`` each day (``end`` before ``start``: across midnight), in the
    company's timezone or each contact's (from their phone number; the company's when unknown)."""

    start: time = Field(examples=["08:00"])
    end: time = Field(examples=["20:00"])
    timezone: Literal["company", "contact"] = "company"

    @model_validator(mode="after")
    def _not_empty(self) -> SendingWindow:
        if self.start == self.end:
            raise PydanticCustomError("window_empty", "the window's start and end must differ")
        return self


class ReplyLead(StrictModel):
    """A contact's reply to the campaign opens a lead (source ``campaign``) on ``pipeline_id``, unless the contact
    has an open lead there already."""

    pipeline_id: uuid.UUID
    stage_id: uuid.UUID | None = Field(default=None, description="default: the pipeline's first open stage")
    owner_id: uuid.UUID | None = Field(default=None, description="the lead's owner (default: unassigned)")


class CampaignCreate(StrictModel):
    """A campaign's channel is its connection's: on WhatsApp it sends an approved ``whatsapp_template_id``; on
    SMS a local text template (``local_template_id``), rendered for each contact."""

    name: Name = Field(examples=["Black Friday"])
    connection_id: uuid.UUID
    whatsapp_template_id: uuid.UUID | None = Field(default=None, description="WhatsApp connections")
    local_template_id: uuid.UUID | None = Field(
        default=None, description="SMS connections: a local text template, its variables from each contact"
    )
    parameters: dict[ParameterKey, Variable] = Field(
        default_factory=dict,
        description="template parameter → contact variable, over the template's own mapping",
        examples=[{"body.1": "first_name"}],
    )
    defaults: dict[ParameterKey, Default] = Field(
        default_factory=dict,
        description="template parameter → value when the variable is empty (header.media: the header's link)",
        examples=[{"body.1": "cliente"}],
    )
    audience: Audience
    timezone: Annotated[str, StringConstraints(max_length=64)] | None = Field(
        default=None, description="IANA timezone of the schedule and window (default: the company's)"
    )
    window: SendingWindow | None = None
    rate_per_second: int = Field(
        default=DEFAULT_RATE, ge=1, le=MAX_RATE, description="messages per second, at most the number's throughput"
    )
    reply_window_hours: int = Field(
        default=72, ge=1, le=720, description="replies within this time after a send count for the campaign"
    )
    reply_lead: ReplyLead | None = Field(default=None, description="open a lead when a contact replies")


class CampaignUpdate(StrictModel):
    name: Name | None = None
    connection_id: uuid.UUID | None = None
    whatsapp_template_id: uuid.UUID | None = None
    local_template_id: uuid.UUID | None = None
    parameters: dict[ParameterKey, Variable] | None = None
    defaults: dict[ParameterKey, Default] | None = None
    audience: Audience | None = None
    timezone: Annotated[str, StringConstraints(max_length=64)] | None = None
    window: SendingWindow | None = None
    clear_window: bool = Field(default=False, description="true: send at any time of day")
    rate_per_second: int | None = Field(default=None, ge=1, le=MAX_RATE)
    reply_window_hours: int | None = Field(default=None, ge=1, le=720)
    reply_lead: ReplyLead | None = None
    clear_reply_lead: bool = Field(default=False, description="true: replies open no lead")


class Schedule(StrictModel):
    """When to start: ``at`` (a local time in ``timezone``, or with an offset); omitted: now."""

    at: datetime | None = Field(default=None, examples=["2026-12-01T09:00:00"])
    timezone: Annotated[str, StringConstraints(max_length=64)] | None = Field(
        default=None, description="IANA timezone of a local `at` (default: the campaign's)"
    )


class CampaignRead(ReadModel):
    id: uuid.UUID
    name: str
    connection_id: uuid.UUID | None
    channel: Literal["whatsapp", "sms"] | None = Field(description="its connection's (None: connection deleted)")
    whatsapp_template_id: uuid.UUID | None
    local_template_id: uuid.UUID | None = None
    segments_per_message: int | None = Field(
        default=None,
        description="SMS: the segments of its text with the variables as written (each contact's may differ)",
    )
    parameters: dict[str, str]
    defaults: dict[str, str]
    audience: Audience
    timezone: str
    window: SendingWindow | None
    rate_per_second: int
    current_rate: float
    reply_window_hours: int
    reply_lead: ReplyLead | None = None
    status: str
    status_reason: str | None
    scheduled_at: datetime | None
    total: int | None
    started_at: datetime | None
    paused_at: datetime | None
    finished_at: datetime | None
    created_at: datetime
    updated_at: datetime


class AudiencePreview(ReadModel):
    count: int = Field(description="contacts the campaign would message now (opted-out and invalid left out)")


class Progress(ReadModel):
    campaign_id: uuid.UUID
    status: str
    total: int
    queued: int = Field(description="waiting to be sent (including retries due later)")
    sending: int = Field(description="handed to WhatsApp, answer not recorded yet")
    unknown: int = Field(description="outcome unknown: settled by Meta's status webhook, never resent")
    sent: int = Field(description="accepted by WhatsApp (including delivered and read)")
    delivered: int = Field(description="delivered (including read)")
    read: int
    replied: int
    failed: int
    failed_by_reason: dict[str, int]
    skipped: int
    segments: int = Field(default=0, description="SMS: the segments of the messages sent so far (what is billed)")


class RecipientRead(ReadModel):
    id: int
    contact_id: uuid.UUID | None
    phone: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    wamid: str | None
    error_code: int | None
    error_reason: str | None
    sent_at: datetime | None
    delivered_at: datetime | None
    read_at: datetime | None
    replied_at: datetime | None
    failed_at: datetime | None


class DeadLetterRead(ReadModel):
    id: uuid.UUID
    campaign_id: uuid.UUID
    campaign_name: str = ""
    recipient_id: int
    error: str
    created_at: datetime
    retried_at: datetime | None
