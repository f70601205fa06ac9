"""Shapes of the AI's lead progression: the arguments of its tools (as the model sends them) and the suggestions'
API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from masteria.ai.progression_models import EVIDENCE_MAX_LENGTH
from masteria.appointments.schemas import AppointmentCreate
from masteria.pipelines.schemas import CustomFields, LeadRead, Money, NextStep, Reason
from masteria.schemas import ReadModel, StrictModel, has_nul

Evidence = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=EVIDENCE_MAX_LENGTH)]
ProposalStatus = Literal["pending", "applied", "accepted", "rejected", "superseded", "invalid"]


class _ToolArguments(BaseModel):
    # a model's arguments: names it invents besides ours are ignored; ours are checked (no NUL: text holds none)
    model_config = ConfigDict(extra="ignore")

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: object) -> object:
        if has_nul(value):
            raise PydanticCustomError("nul_character", "text cannot contain the NUL character (\\u0000)")
        return value


class ProposeStageArguments(_ToolArguments):
    stage_id: uuid.UUID
    confidence: float = Field(ge=0, le=1, allow_inf_nan=False)
    evidence: Evidence
    agreed_time: datetime | None = None

    @field_validator("confidence", mode="before")
    @classmethod
    def _a_number(cls, value: object) -> object:
        if isinstance(value, bool):  # JSON's true is no confidence
            raise PydanticCustomError("float_parsing", "Input should be a valid number")
        return value


class UpdateLeadArguments(_ToolArguments):
    value: Money | None = None
    next_step: Annotated[NextStep, StringConstraints(strip_whitespace=True, min_length=1)] | None = None
    custom_fields: CustomFields | None = None
    evidence: Evidence | None = None


class SuggestionRead(ReadModel):
    """A stage proposal of the AI for a lead: pending (a suggestion on the board), or what became of it."""

    id: uuid.UUID
    lead_id: uuid.UUID
    pipeline_id: uuid.UUID
    from_stage_id: uuid.UUID = Field(description="the lead's stage when the AI proposed")
    to_stage_id: uuid.UUID
    confidence: float
    evidence: str = Field(description="the customer's words the AI quotes")
    agreed_time: datetime | None = Field(description="a meeting's agreed start, when one was named")
    persona_id: uuid.UUID | None
    persona_version: int | None
    model: str | None
    conversation_id: uuid.UUID | None
    decision_id: int | None = Field(description="the AI decision record of the proposal")
    status: ProposalStatus = Field(
        description="pending; applied (by the AI at once); accepted or rejected (by a user); superseded (by a newer "
        "proposal); invalid (it could no longer apply)"
    )
    decided_by: uuid.UUID | None = Field(description="the user who accepted or rejected it")
    decided_at: datetime | None
    decision_reason: str | None = Field(description="a rejection's reason, or why it became invalid")
    created_at: datetime


class SuggestionAccept(StrictModel):
    appointment: AppointmentCreate | None = Field(
        default=None,
        description="into a meeting stage: the appointment to create (default: one at the agreed time, when the "
        "customer named one; or the lead's scheduled one ahead)",
    )


class SuggestionReject(StrictModel):
    reason: Reason | None = Field(default=None, description="why (kept with the suggestion)")


class SuggestionDecided(ReadModel):
    suggestion: SuggestionRead
    lead: LeadRead = Field(description="the lead as it is now")
