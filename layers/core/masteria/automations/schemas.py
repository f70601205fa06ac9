"""The automation API's shapes: a rule (trigger, conditions, ordered actions), its order, and its run log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from masteria.automations.action_types import Action
from masteria.automations.conditions import Condition
from masteria.automations.triggers import Trigger
from masteria.schemas import StrictModel

Name = str
OnFailure = Literal["stop", "continue"]
ON_FAILURE_DOC = "an action fails: stop the run there (the actions after it are not_run) or go on with the next"


class AutomationCreate(StrictModel):
    name: Name = Field(min_length=1, max_length=200, examples=["Orçamento pelo WhatsApp"])
    description: str | None = Field(default=None, max_length=2000)
    enabled: bool = True
    trigger: Trigger = Field(description='what starts it: {"type": "message_received", "keywords": […]}, …')
    conditions: list[Condition] = Field(default_factory=list, max_length=20, description="all must hold")
    actions: list[Action] = Field(min_length=1, max_length=20, description="run in this order")
    on_failure: OnFailure = Field(default="stop", description=ON_FAILURE_DOC)


class AutomationUpdate(StrictModel):
    """The fields to change (absent: unchanged); ``conditions: []`` removes them all."""

    name: Name | None = Field(default=None, min_length=1, max_length=200, examples=["Orçamento pelo WhatsApp"])
    description: str | None = Field(default=None, max_length=2000)
    trigger: Trigger | None = None
    conditions: list[Condition] | None = Field(default=None, max_length=20)
    actions: list[Action] | None = Field(default=None, min_length=1, max_length=20)
    on_failure: OnFailure | None = None


class AutomationOrder(StrictModel):
    ids: list[uuid.UUID] = Field(min_length=1, max_length=1000, description="every rule of the company, once, in order")


class AutomationRead(BaseModel):
    id: uuid.UUID
    name: str
    description: str | None
    enabled: bool
    position: int = Field(description="rules run for one event in this order (0 first)")
    trigger: Trigger
    conditions: list[Condition]
    actions: list[Action]
    on_failure: OnFailure
    created_at: datetime
    updated_at: datetime


class ConditionResult(BaseModel):
    type: str
    held: bool


class ActionError(BaseModel):
    code: str = Field(description="the failure's code: unknown_template, window_closed, lead_changed, unexpected…")
    message: str


class SendResult(BaseModel):
    """A send action's message as it is now (it goes out after the run)."""

    status: Literal["pending", "sending", "sent", "unknown", "refused"]
    reason: str | None
    message_id: uuid.UUID = Field(description="the message in the conversation (once claimed)")
    sent_at: datetime | None


class ActionResult(BaseModel):
    index: int
    type: str
    outcome: Literal["done", "skipped", "failed", "not_run"]
    detail: dict[str, Any] | None = Field(default=None, description="what it did: the user assigned, the lead moved…")
    reason: str | None = Field(default=None, description="skipped: no_conversation, no_lead, already_assigned…")
    error: ActionError | None = None
    send: SendResult | None = None


class RunRead(BaseModel):
    id: int
    automation_id: uuid.UUID
    event_id: uuid.UUID = Field(description="the triggering event (no_reply: one id per quiet period)")
    event_type: str = Field(description="message.received, contact.tag_added…, or no_reply")
    status: Literal["succeeded", "failed", "skipped"]
    reason: Literal["conditions", "loop", "depth_limit"] | None = Field(
        description="skipped: a condition did not hold; the event came from this rule's own chain; the chain is "
        "too deep"
    )
    depth: int = Field(description="rule runs in the chain before this one (0: a user's or a customer's event)")
    contact_id: uuid.UUID | None
    conversation_id: uuid.UUID | None
    lead_id: uuid.UUID | None
    matched: dict[str, Any] = Field(
        description="what of the event matched the trigger: the keyword, the regex's match…"
    )
    conditions: list[ConditionResult]
    cause: dict[str, Any] | None = Field(description="the chain of rules that made the event: {rule_ids, depth}")
    actions: list[ActionResult]
    created_at: datetime
