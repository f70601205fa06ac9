from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from masteria.appointments.schemas import AppointmentCreate, AppointmentRead
from masteria.contacts.schemas import Color, TagRead
from masteria.pipelines.models import RANK_MAX_LENGTH, VALUE_PRECISION, VALUE_SCALE
from masteria.schemas import ReadModel, StrictModel

SemanticType = Literal["open", "meeting_scheduled", "won", "lost"]
LeadStatus = Literal["open", "won", "lost"]
LeadSource = Literal["campaign", "conversation", "import", "manual", "api", "automation"]
ActorKind = Literal["user", "automation", "ai"]
StageName = Annotated[str, StringConstraints(min_length=1, max_length=80)]
PipelineName = Annotated[str, StringConstraints(min_length=1, max_length=120)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=500)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Money = Annotated[Decimal, Field(ge=0, max_digits=VALUE_PRECISION, decimal_places=VALUE_SCALE)]
NextStep = Annotated[str, StringConstraints(max_length=300)]
CustomValue = str | int | float | bool | None
CustomFields = Annotated[
    dict[Annotated[str, StringConstraints(min_length=1, max_length=64)], CustomValue], Field(max_length=50)
]
MAX_STAGES = 30
EXAMPLE_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
MAX_TAGS = 50
Threshold = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


# Pipelines and stages


class StageCreate(StrictModel):
    name: StageName = Field(examples=["Qualified"])
    color: Color = Field(default="#64748b", examples=["#0ea5e9"])
    wip_limit: int | None = Field(default=None, ge=1, le=100_000, description="most open cards the column holds")
    semantic_type: SemanticType | None = Field(
        default=None, description="what reaching the stage means: open, meeting_scheduled, won, lost (or none)"
    )


class StageUpdate(StrictModel):
    name: StageName | None = None
    color: Color | None = None
    wip_limit: int | None = Field(default=None, ge=1, le=100_000, description="null: no limit")
    semantic_type: SemanticType | None = Field(default=None, description="null: none")


class StageRead(ReadModel):
    id: uuid.UUID
    pipeline_id: uuid.UUID
    name: str
    color: str
    wip_limit: int | None
    semantic_type: SemanticType | None
    position: int
    archived_at: datetime | None


_AUTO_APPLY = "an AI stage proposal at or above it moves the lead at once (below: a suggestion on the board)"
_BACKWARD = "the same for a move back to an earlier stage (at least ai_auto_apply_threshold)"
_MAY_CLOSE = "the AI may move a lead into a won or lost stage itself (otherwise those are always suggestions)"


class _PipelineAi(StrictModel):
    ai_auto_apply_threshold: Threshold | None = Field(default=None, description=_AUTO_APPLY + "; default 0.8")
    ai_backward_threshold: Threshold | None = Field(default=None, description=_BACKWARD + "; default 0.95")
    ai_may_close: bool | None = Field(default=None, description=_MAY_CLOSE + "; default false")

    @model_validator(mode="after")
    def _backward_not_below(self) -> _PipelineAi:
        auto, backward = self.ai_auto_apply_threshold, self.ai_backward_threshold
        if auto is not None and backward is not None and backward < auto:
            raise PydanticCustomError(
                "backward_below_auto_apply", "ai_backward_threshold must be at least ai_auto_apply_threshold"
            )
        return self


class PipelineCreate(_PipelineAi):
    name: PipelineName = Field(examples=["Sales"])
    stages: list[StageCreate] = Field(min_length=1, max_length=MAX_STAGES)


class PipelineUpdate(_PipelineAi):
    name: PipelineName | None = None


class PipelineRead(ReadModel):
    id: uuid.UUID
    name: str
    stages: list[StageRead] = Field(description="the active stages in their order")
    ai_auto_apply_threshold: float = Field(description=_AUTO_APPLY)
    ai_backward_threshold: float = Field(description=_BACKWARD)
    ai_may_close: bool = Field(description=_MAY_CLOSE)
    created_at: datetime


class StageOrder(StrictModel):
    stage_ids: list[uuid.UUID] = Field(
        min_length=1, max_length=MAX_STAGES, examples=[[EXAMPLE_ID]], description="every active stage, in order"
    )


class StageArchive(StrictModel):
    move_to_stage_id: uuid.UUID = Field(
        examples=[EXAMPLE_ID], description="an active stage of the same pipeline: the stage's leads go there"
    )


class PipelineSettingsRead(ReadModel):
    agents_see_all_leads: bool = Field(description="agents see every lead, not only theirs and unassigned ones")


class PipelineSettingsUpdate(StrictModel):
    agents_see_all_leads: bool


# Leads


class _LeadFields(StrictModel):
    value: Money | None = Field(default=None, examples=["1500.00"])
    currency: Currency = Field(default="BRL", examples=["BRL"])
    owner_id: uuid.UUID | None = Field(default=None, description="a user of the company (an agent: only themself)")
    tag_ids: list[uuid.UUID] = Field(default_factory=list, max_length=MAX_TAGS)
    custom_fields: CustomFields = Field(default_factory=dict)
    next_step: NextStep | None = None
    due_date: date | None = None
    note: Annotated[str, StringConstraints(min_length=1, max_length=10_000)] | None = Field(
        default=None, description="a first note on the lead's timeline"
    )


class LeadCreate(_LeadFields):
    pipeline_id: uuid.UUID = Field(examples=[EXAMPLE_ID])
    stage_id: uuid.UUID | None = Field(default=None, description="default: the pipeline's first open stage")
    contact_id: uuid.UUID = Field(examples=[EXAMPLE_ID])
    title: Title = Field(examples=["50 seats, annual plan"])
    source: Literal["manual", "api", "import"] = Field(default="api", description="the dashboard sends manual")
    conversation_id: uuid.UUID | None = None


class LeadFromConversation(_LeadFields):
    pipeline_id: uuid.UUID | None = Field(default=None, description="default: the company's first pipeline")
    stage_id: uuid.UUID | None = Field(default=None, description="default: the pipeline's first open stage")
    title: Title | None = Field(default=None, description="default: the contact's name or phone")


class LeadUpdate(StrictModel):
    title: Title | None = None
    value: Money | None = None
    currency: Currency | None = None
    owner_id: uuid.UUID | None = None
    tag_ids: list[uuid.UUID] | None = Field(default=None, max_length=MAX_TAGS, description="replaces the lead's tags")
    custom_fields: CustomFields | None = Field(default=None, description="merged; a null value removes that field")
    next_step: NextStep | None = None
    due_date: date | None = None
    version: int | None = Field(default=None, ge=1, description="the version you saw: 409 if the lead changed since")


class LeadMove(StrictModel):
    to_stage_id: uuid.UUID = Field(examples=[EXAMPLE_ID])
    after_id: uuid.UUID | None = Field(default=None, description="the card it goes right after (in the stage)")
    before_id: uuid.UUID | None = Field(default=None, description="the card it goes right before (in the stage)")
    version: int = Field(ge=1, description="the lead's version you saw: 409 with the current lead if it changed")
    reason: Reason | None = Field(default=None, description="why; required into a won or lost stage")
    appointment: AppointmentCreate | None = Field(
        default=None,
        description="into a meeting stage: the appointment to create with the move (required unless the lead has a "
        "scheduled one ahead)",
    )

    @model_validator(mode="after")
    def _one_neighbour(self) -> LeadMove:
        if self.after_id is not None and self.before_id is not None:
            raise ValueError("name after_id or before_id, not both")
        return self


class LeadClose(StrictModel):
    outcome: Literal["won", "lost"]
    reason: Reason
    version: int = Field(ge=1, description="the lead's version you saw")
    stage_id: uuid.UUID | None = Field(default=None, description="default: the pipeline's first stage of the outcome")


class NoteCreate(StrictModel):
    body: Annotated[str, StringConstraints(min_length=1, max_length=10_000)]


class ContactSummary(ReadModel):
    id: uuid.UUID
    name: str | None
    phone: str


class LeadSuggestion(ReadModel):
    """The AI's pending stage suggestion on a card (``POST /v1/leads/{id}/suggestions/{sid}/accept`` or
    ``/reject``)."""

    id: uuid.UUID
    to_stage_id: uuid.UUID
    confidence: float
    evidence: str = Field(description="the customer's words the AI quotes")
    agreed_time: datetime | None = Field(default=None, description="a meeting's agreed start, when one was named")


class LeadRead(ReadModel):
    id: uuid.UUID
    pipeline_id: uuid.UUID
    stage_id: uuid.UUID
    contact: ContactSummary
    conversation_id: uuid.UUID | None
    campaign_id: uuid.UUID | None
    title: str
    value: Decimal | None = Field(description='a decimal string, e.g. "1500.00"')
    currency: str
    owner_id: uuid.UUID | None
    source: LeadSource
    tags: list[TagRead]
    custom_fields: dict[str, Any]
    next_step: str | None
    due_date: date | None
    status: LeadStatus
    close_reason: str | None
    closed_at: datetime | None
    rank: Annotated[str, StringConstraints(max_length=RANK_MAX_LENGTH)] = Field(description="the card's order")
    version: int
    stage_entered_at: datetime
    created_at: datetime
    updated_at: datetime
    suggestion: LeadSuggestion | None = Field(
        default=None, description="the AI's pending stage suggestion for the lead (null: none)"
    )


class LeadNoteRead(ReadModel):
    id: uuid.UUID
    lead_id: uuid.UUID
    author_id: uuid.UUID | None
    body: str
    created_at: datetime


# The board


class BoardFilter(StrictModel):
    owner_id: uuid.UUID | None = None
    unassigned: bool = False
    tag_ids: list[uuid.UUID] = Field(default_factory=list, max_length=MAX_TAGS, description="leads with any of them")
    value_min: Money | None = None
    value_max: Money | None = None
    due_from: date | None = None
    due_to: date | None = None
    sources: list[LeadSource] = Field(default_factory=list)
    status: LeadStatus | None = None


class CurrencyTotal(ReadModel):
    currency: str
    value: Decimal


class ColumnTotals(ReadModel):
    count: int
    values: list[CurrencyTotal] = Field(description="the sum of the leads' values, per currency")


class BoardColumn(ReadModel):
    stage: StageRead
    totals: ColumnTotals
    leads: list[LeadRead]
    next_cursor: str | None = Field(description="the next page: GET /v1/pipelines/{id}/stages/{stage_id}/leads")


class Board(ReadModel):
    pipeline: PipelineRead
    columns: list[BoardColumn]


# History and timeline


class StageChangeRead(ReadModel):
    id: int
    lead_id: uuid.UUID
    from_stage_id: uuid.UUID | None = Field(description="null when the lead was created")
    to_stage_id: uuid.UUID
    actor_kind: ActorKind
    actor_id: uuid.UUID | None = Field(description="the user, automation or AI persona that moved it")
    reason: str | None
    moved_at: datetime
    left_at: datetime | None = Field(description="when the lead left the stage again (null: it is still there)")
    seconds_in_stage: int | None = Field(description="left_at - moved_at, in whole seconds")


class TimelineStageChange(ReadModel):
    kind: Literal["stage_change"] = "stage_change"
    at: datetime
    stage_change: StageChangeRead


class TimelineNote(ReadModel):
    kind: Literal["note"] = "note"
    at: datetime
    note: LeadNoteRead


class TimelineAppointment(ReadModel):
    kind: Literal["appointment"] = "appointment"
    at: datetime = Field(description="when it starts")
    appointment: AppointmentRead


class AiDecisionRead(ReadModel):
    """One decision of the AI about the lead or its conversation: a reply, a handoff, a stage proposal, a move, a
    lead update, a skip; with the persona version and model that made it and the customer's words it quotes."""

    id: int
    kind: Literal["reply", "handoff", "stage_proposal", "stage_move", "lead_update", "skipped"]
    persona_id: uuid.UUID | None
    persona_name: str | None = Field(description="the persona version's name")
    persona_version: int | None
    model: str | None
    conversation_id: uuid.UUID | None
    outcome: str | None = Field(
        description="a proposal: applied, pending or invalid; a lead update: updated, unchanged or invalid"
    )
    confidence: float | None
    evidence: str | None = Field(description="the customer's words it quotes")
    to_stage_id: uuid.UUID | None
    detail: dict[str, Any] = Field(description="everything the decision recorded")
    inputs: dict[str, Any] = Field(description="the ids of its inputs: messages, chunks, lead, proposal")
    created_at: datetime


class TimelineAiDecision(ReadModel):
    kind: Literal["ai_decision"] = "ai_decision"
    at: datetime
    ai_decision: AiDecisionRead


TimelineEntry = Annotated[
    TimelineStageChange | TimelineNote | TimelineAppointment | TimelineAiDecision, Field(discriminator="kind")
]


class Timeline(ReadModel):
    lead_id: uuid.UUID
    contact_id: uuid.UUID
    conversation_id: uuid.UUID | None = Field(description="the lead's conversation: GET /v1/conversations/{id}")
    entries: list[TimelineEntry] = Field(description="newest first")
