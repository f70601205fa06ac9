"""What the cadences API reads and writes. Bodies reject unknown fields; what needs the database (the company's
templates, tags, stages, users, segments, lists, the number's channel) is checked by the service, as 422s on the
field (``steps.check_steps``)."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from masteria.cadences.models import ALL_DAYS
from masteria.cadences.steps import Step, StepList
from masteria.pipelines.schemas import EXAMPLE_ID
from masteria.schemas import ReadModel, StrictModel

CadenceStatus = Literal["draft", "active", "paused", "archived"]
SegmentMode = Literal["none", "once", "continuous"]
EnrollmentState = Literal["active", "sending", "completed", "exited"]
EnrollmentSource = Literal["manual", "bulk", "segment", "campaign_reply", "automation", "api"]
ExitReason = Literal[
    "replied", "opted_out", "stage_changed", "won", "lost", "goal_tag", "manual", "automation", "cadence_archived"
]  # fmt: skip
StepKind = Literal[
    "send_template", "send_text", "send_sms", "wait", "branch", "tag", "move_lead", "notify", "emit_event"
]  # fmt: skip
StepOutcome = Literal["done", "sent", "delivered", "read", "failed", "skipped", "branched"]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(max_length=2000)]
Weekday = Annotated[int, Field(ge=1, le=7)]
MAX_BULK_IDS = 10_000


class CadenceWindow(StrictModel):
    """When send steps may go: on ``days`` (ISO weekdays, Monday = 1), between ``start_time`` and ``end_time``
    (local; ``end_time`` before ``start_time``: across midnight; neither: all day), in the company's timezone (or
    ``timezone``) or each contact's (``timezone_mode: contact``, from the phone number). A send step falling due
    outside waits for the next opening."""

    timezone_mode: Literal["company", "contact"] = "company"
    days: list[Weekday] = Field(default_factory=lambda: list(ALL_DAYS), min_length=1, max_length=7)
    start_time: time | None = Field(default=None, examples=["09:00"])
    end_time: time | None = Field(default=None, examples=["18:00"])
    timezone: Annotated[str, StringConstraints(max_length=64)] | None = Field(
        default=None, description="IANA timezone instead of the company's (contact mode: when the number says none)"
    )

    @field_validator("days")
    @classmethod
    def _sorted(cls, days: list[int]) -> list[int]:
        return sorted(set(days))

    @model_validator(mode="after")
    def _both(self) -> CadenceWindow:
        if (self.start_time is None) != (self.end_time is None):
            raise ValueError("give start_time and end_time, or neither (all day)")
        if self.start_time is not None and self.start_time == self.end_time:
            raise ValueError("start_time and end_time must differ")
        return self


class _Settings(StrictModel):
    description: Description | None = None
    connection_id: uuid.UUID | None = Field(default=None, description="the number it sends from (needed to activate)")
    exit_on_reply: bool = Field(default=True, description="a customer's message ends the enrollment")
    exit_on_stage_change: bool = Field(
        default=False, description="a stage change of the contact's lead (won and lost too) ends the enrollment"
    )
    goal_tag_id: uuid.UUID | None = Field(default=None, description="the contact getting this tag ends it")
    allow_reenrollment: bool = Field(default=False, description="a contact may go through it again once ended")
    segment_id: uuid.UUID | None = None
    segment_mode: SegmentMode = Field(
        default="none",
        description="once: the segment's contacts are enrolled when it is first activated; continuous: and then each "
        "contact that enters the segment (checked every few minutes); none: no segment",
    )


class CadenceCreate(_Settings):
    """A draft cadence and its version 1 (an opt-out always ends an enrollment)."""

    name: Name = Field(examples=["Follow-up de orçamento"])
    steps: StepList
    window: CadenceWindow = Field(default_factory=CadenceWindow)


class CadenceUpdate(StrictModel):
    """The fields given change; new ``steps`` or ``window`` write a new version (enrollments go on with the
    version they started on; ``POST …/enrollments/move`` moves them), and then ``version`` must be the current
    version the client read (else 409 ``stale_version``)."""

    name: Name | None = None
    description: Description | None = None
    connection_id: uuid.UUID | None = None
    exit_on_reply: bool | None = None
    exit_on_stage_change: bool | None = None
    goal_tag_id: uuid.UUID | None = None
    allow_reenrollment: bool | None = None
    segment_id: uuid.UUID | None = None
    segment_mode: SegmentMode | None = None
    steps: StepList | None = None
    window: CadenceWindow | None = None
    version: int | None = Field(default=None, ge=1, description="the current_version read: required with steps/window")

    @model_validator(mode="after")
    def _version(self) -> CadenceUpdate:
        if (self.steps is not None or self.window is not None) and self.version is None:
            raise ValueError("give version (the current_version you read) with steps or window")
        return self

    def changes(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.model_fields_set if k not in ("steps", "window", "version")}


class EnrollmentCounts(ReadModel):
    active: int = 0
    sending: int = 0
    completed: int = 0
    exited: int = 0


class CadenceRead(ReadModel):
    id: uuid.UUID
    name: str
    description: str | None
    status: CadenceStatus
    connection_id: uuid.UUID | None
    current_version: int
    exit_on_reply: bool
    exit_on_stage_change: bool
    goal_tag_id: uuid.UUID | None
    allow_reenrollment: bool
    segment_id: uuid.UUID | None
    segment_mode: SegmentMode
    steps: list[Step] = Field(description="the current version's steps")
    window: CadenceWindow = Field(description="the current version's window")
    enrollments: EnrollmentCounts = Field(description="enrollments by state, every version")
    activated_at: datetime | None
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime


class CadenceVersionRead(ReadModel):
    version: int
    steps: list[Step]
    window: CadenceWindow
    live_enrollments: int = Field(description="enrollments active or sending on this version")
    created_by: uuid.UUID | None
    created_at: datetime


class EnrollmentRead(ReadModel):
    id: uuid.UUID
    cadence_id: uuid.UUID
    version: int
    contact_id: uuid.UUID
    contact_name: str | None
    contact_phone: str
    lead_id: uuid.UUID | None
    state: EnrollmentState
    exit_reason: ExitReason | None = Field(description="why it exited (state exited)")
    source: EnrollmentSource
    step_index: int = Field(description="the next step it runs (the one being sent while sending)")
    next_due_at: datetime | None = Field(description="when that step runs (null while sending and once ended)")
    last_step_at: datetime | None
    replied_at: datetime | None = Field(description="the customer's last message since it enrolled")
    enrolled_at: datetime
    ended_at: datetime | None


class CadenceSendRead(ReadModel):
    """A send step's message, from the send ledger."""

    status: Literal["pending", "sending", "unknown", "sent", "delivered", "read", "failed", "skipped"]
    sent_at: datetime | None
    delivered_at: datetime | None
    read_at: datetime | None
    failed_at: datetime | None
    error_code: int | None
    error_reason: str | None


class EnrollmentStepRead(ReadModel):
    step_index: int
    kind: StepKind
    outcome: StepOutcome = Field(description="a send step's: sent, failed, skipped; a branch's: branched; else done")
    detail: dict[str, Any]
    at: datetime
    send: CadenceSendRead | None = Field(default=None, description="send steps: the message's progress")


class EnrollmentDetail(EnrollmentRead):
    history: list[EnrollmentStepRead] = Field(description="every step it ran, in order, with its outcome")


class EnrollmentCreate(StrictModel):
    contact_id: uuid.UUID = Field(examples=[EXAMPLE_ID])
    source: Literal["manual", "api"] = Field(default="manual", description="api: an integration enrolled it")
    lead_id: uuid.UUID | None = Field(default=None, description="the lead its lead steps act on (default: found)")


class BulkEnroll(StrictModel):
    """Exactly one of ``contact_ids``, ``list_id``, ``segment_id``; contacts already in the cadence (or that went
    through it, unless re-enrollment is allowed) are skipped."""

    contact_ids: list[uuid.UUID] | None = Field(
        default=None, min_length=1, max_length=MAX_BULK_IDS, examples=[[EXAMPLE_ID]]
    )
    list_id: uuid.UUID | None = None
    segment_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _one(self) -> BulkEnroll:
        if sum(x is not None for x in (self.contact_ids, self.list_id, self.segment_id)) != 1:
            raise ValueError("give exactly one of contact_ids, list_id, segment_id")
        return self


class BulkEnrollResult(ReadModel):
    enrolled: int
    skipped: int = Field(description="already enrolled, not allowed again, or not the company's")


class EnrollmentMove(StrictModel):
    """Move live enrollments (active or sending) of older versions to the current version, at the same step
    index (one that is past the new version's last step completes). ``enrollment_ids`` (default: all of them),
    ``from_version`` (default: every older version)."""

    enrollment_ids: list[uuid.UUID] | None = Field(default=None, min_length=1, max_length=MAX_BULK_IDS)
    from_version: int | None = Field(default=None, ge=1)


class EnrollmentMoveResult(ReadModel):
    moved: int
    version: int = Field(description="the version they are on now")


class CadenceStepStats(ReadModel):
    step_index: int
    kind: StepKind
    ran: int = Field(description="enrollments that ran this step (any outcome)")
    sent: int
    delivered: int
    read: int
    failed: int
    skipped: int
    replied: int = Field(description="enrollments whose first reply came after this step")
    exited: int = Field(description="enrollments that ended (exited) while this was their next step")
    waiting: int = Field(description="live enrollments whose next step this is")


class CadenceStats(ReadModel):
    version: int
    enrolled: int
    states: EnrollmentCounts
    exit_reasons: dict[ExitReason, int]
    steps: list[CadenceStepStats]


class CadencePreviewStep(ReadModel):
    step_index: int
    kind: StepKind
    at: datetime = Field(description="when it would run")
    shifted: bool = Field(description="a send step moved to the window's next opening")
    note: str | None = Field(default=None, description="branch: evaluated then (the timeline goes on in order)")


class CadencePreview(ReadModel):
    version: int
    timezone: str = Field(description="the timezone the window and the waits use for this contact")
    starts_at: datetime
    steps: list[CadencePreviewStep]
