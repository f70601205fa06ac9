"""A cadence's steps: their kinds (one pydantic model each, told apart by ``kind``) and their checks.

The shapes are checked by pydantic (a 422 on the field); ``check_steps`` then checks them against the company —
every template, tag, stage and user must be the company's (another company's is unknown: 422 on its field), a
template must be its number's, a text's variables must exist — and against each other: a branch only jumps forward
(so no step runs twice in an enrollment: the history's unique (enrollment, step) holds), at most to the end."""

from __future__ import annotations

import uuid
from datetime import time
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, TypeAdapter, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.cadences import variables
from masteria.channels.models import PROVIDER_CHANNELS, ChannelConnection
from masteria.contacts.models import CustomFieldDefinition, Tag
from masteria.errors import FieldError, Invalid
from masteria.pipelines.models import Stage
from masteria.schemas import StrictModel
from masteria.templates.models import WhatsAppTemplate
from masteria.templates.schemas import ParameterKey
from masteria.tenancy.models import User

MAX_STEPS = 50
MAX_WAIT_SECONDS = 90 * 24 * 3600
SEND_KINDS = ("send_template", "send_text", "send_sms")
TEXT_MAX = 4096
SMS_MAX = 1600
Source = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Default = Annotated[str, StringConstraints(max_length=2000)]
EventName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_.-]{0,63}$")]


class TemplateMessage(StrictModel):
    """An approved WhatsApp template of the cadence's number, its parameters filled for each contact."""

    template_id: uuid.UUID
    parameters: dict[ParameterKey, Source] = Field(
        default_factory=dict,
        description="template parameter → contact.name | contact.custom.<key> | lead.value | lead.<field> | a literal",
        examples=[{"body.1": "contact.first_name", "body.2": "lead.value"}],
    )
    defaults: dict[ParameterKey, Default] = Field(
        default_factory=dict, description="template parameter → value when the variable is empty"
    )


class SendTemplateStep(TemplateMessage):
    kind: Literal["send_template"]


class SendTextStep(StrictModel):
    """A WhatsApp text, only while the contact's 24-hour window is open; outside it the ``fallback`` template
    (``outside_window: template``) or nothing (``skip``)."""

    kind: Literal["send_text"]
    text: Annotated[str, StringConstraints(min_length=1, max_length=TEXT_MAX)] = Field(
        examples=["Oi {{contact.first_name}}, ainda tem interesse?"]
    )
    outside_window: Literal["template", "skip"] = "skip"
    fallback: TemplateMessage | None = Field(default=None, description="required when outside_window is template")

    @model_validator(mode="after")
    def _fallback(self) -> SendTextStep:
        if (self.outside_window == "template") != (self.fallback is not None):
            raise ValueError("give fallback exactly when outside_window is template")
        return self


class SendSmsStep(StrictModel):
    kind: Literal["send_sms"]
    text: Annotated[str, StringConstraints(min_length=1, max_length=SMS_MAX)]


class WaitStep(StrictModel):
    """Wait ``duration_seconds``, or until the next ``until_time`` (local time of the cadence's window timezone)."""

    kind: Literal["wait"]
    duration_seconds: int | None = Field(default=None, ge=60, le=MAX_WAIT_SECONDS, examples=[172800])
    until_time: time | None = Field(default=None, examples=["09:00"])

    @model_validator(mode="after")
    def _one(self) -> WaitStep:
        if (self.duration_seconds is None) == (self.until_time is None):
            raise ValueError("give duration_seconds or until_time, not both")
        return self


class RepliedSinceLastStep(StrictModel):
    type: Literal["replied_since_last_step"]


class HasTag(StrictModel):
    type: Literal["has_tag"]
    tag_id: uuid.UUID


class LeadInStage(StrictModel):
    type: Literal["lead_in_stage"]
    stage_id: uuid.UUID


Condition = Annotated[RepliedSinceLastStep | HasTag | LeadInStage, Field(discriminator="type")]


class BranchStep(StrictModel):
    """Go on at ``then_step`` when the condition holds, else at ``else_step`` (step indexes, only forward; the
    number of steps ends the cadence; none: the next step)."""

    kind: Literal["branch"]
    condition: Condition
    then_step: int | None = Field(default=None, ge=1, le=MAX_STEPS)
    else_step: int | None = Field(default=None, ge=1, le=MAX_STEPS)


class TagStep(StrictModel):
    kind: Literal["tag"]
    tag_id: uuid.UUID
    action: Literal["add", "remove"] = "add"


class MoveLeadStep(StrictModel):
    """Move the contact's lead (the enrollment's, else its open lead on the stage's pipeline) to ``stage_id``."""

    kind: Literal["move_lead"]
    stage_id: uuid.UUID


class NotifyStep(StrictModel):
    """An in-app notification to ``user_id``, or to the lead's owner (``to: lead_owner``; everyone when the lead
    has none)."""

    kind: Literal["notify"]
    to: Literal["user", "lead_owner"] = "user"
    user_id: uuid.UUID | None = None
    text: Annotated[str, StringConstraints(min_length=1, max_length=1000)]

    @model_validator(mode="after")
    def _user(self) -> NotifyStep:
        if (self.to == "user") != (self.user_id is not None):
            raise ValueError("give user_id exactly when to is user")
        return self


class EmitEventStep(StrictModel):
    """A ``custom.event`` named ``name`` (with the fixed ``data``) to the company's webhook endpoints."""

    kind: Literal["emit_event"]
    name: EventName = Field(examples=["cadence.qualified"])
    data: dict[Annotated[str, StringConstraints(min_length=1, max_length=64)], str | int | float | bool] = Field(
        default_factory=dict, max_length=20
    )


SendStep = SendTemplateStep | SendTextStep | SendSmsStep
Step = Annotated[
    SendTemplateStep | SendTextStep | SendSmsStep | WaitStep | BranchStep | TagStep | MoveLeadStep | NotifyStep
    | EmitEventStep,
    Field(discriminator="kind"),
]  # fmt: skip
StepList = Annotated[list[Step], Field(min_length=1, max_length=MAX_STEPS)]
_STEPS: TypeAdapter[list[Step]] = TypeAdapter(list[Step])


def parse(stored: list[dict[str, object]]) -> list[Step]:
    """A version's stored steps as models (they were checked when saved)."""
    return _STEPS.validate_python(stored)


def dump(steps: list[Step]) -> list[dict[str, object]]:
    dumped: list[dict[str, object]] = _STEPS.dump_python(steps, mode="json", exclude_none=True)
    return dumped


def is_send(step: Step) -> bool:
    return step.kind in SEND_KINDS


def _templates(step: Step) -> list[tuple[str, TemplateMessage]]:
    if isinstance(step, SendTemplateStep):
        return [("", step)]
    if isinstance(step, SendTextStep) and step.fallback is not None:
        return [("fallback.", step.fallback)]
    return []


def _texts(step: Step) -> list[tuple[str, str]]:
    return [("text", step.text)] if isinstance(step, SendTextStep | SendSmsStep | NotifyStep) else []


Reference = tuple[str, uuid.UUID]  # (the field, the id it names)


def _referenced(step: Step) -> tuple[Reference | None, Reference | None]:
    """The tag and the stage a step names, each with its field."""
    if isinstance(step, TagStep):
        return ("tag_id", step.tag_id), None
    if isinstance(step, MoveLeadStep):
        return None, ("stage_id", step.stage_id)
    if isinstance(step, BranchStep) and isinstance(step.condition, HasTag):
        return ("condition.tag_id", step.condition.tag_id), None
    if isinstance(step, BranchStep) and isinstance(step.condition, LeadInStage):
        return None, ("condition.stage_id", step.condition.stage_id)
    return None, None


class _Checker:
    def __init__(self, session: Session, connection: ChannelConnection | None) -> None:
        self.session, self.connection = session, connection
        self.channel = PROVIDER_CHANNELS.get(connection.provider) if connection is not None else None
        self.custom_keys = set(session.scalars(select(CustomFieldDefinition.key)))
        self.errors: list[FieldError] = []

    def fail(self, field: str, message: str, code: str, **params: str | int) -> None:
        self.errors.append(FieldError(field, message, code=code, params=params))

    def template(self, at: str, message: TemplateMessage) -> None:
        found = self.session.get(WhatsAppTemplate, message.template_id)
        if found is None:
            self.fail(f"{at}template_id", "no such template", "unknown_template")
        elif self.connection is not None and found.connection_id != self.connection.id:
            self.fail(f"{at}template_id", "the template is another number's", "template_other_connection")
        for parameter, source in message.parameters.items():
            if variables.is_variable(source) and (reason := variables.problem(source, custom_keys=self.custom_keys)):
                self.fail(f"{at}parameters.{parameter}", reason, "unknown_variable", variable=source)

    def channel_of(self, at: str, step: Step) -> None:
        wanted = "sms" if isinstance(step, SendSmsStep) else "whatsapp"
        if self.channel is not None and is_send(step) and self.channel != wanted:
            self.fail(f"{at}kind", f"the cadence's number is {self.channel}: {step.kind} needs {wanted}",
                      "wrong_channel", channel=self.channel)  # fmt: skip

    def references(self, at: str, step: Step) -> None:
        tag, stage = _referenced(step)
        if tag is not None and self.session.get(Tag, tag[1]) is None:
            self.fail(f"{at}{tag[0]}", "no such tag", "unknown_tag")
        if stage is not None:
            found = self.session.get(Stage, stage[1])
            if found is None or found.archived_at is not None:
                self.fail(f"{at}{stage[0]}", "no such stage", "unknown_stage")
        if isinstance(step, NotifyStep) and step.user_id is not None:
            user = self.session.get(User, step.user_id)
            if user is None or not user.is_active:
                self.fail(f"{at}user_id", "no such user", "unknown_user")

    def jumps(self, at: str, index: int, count: int, step: Step) -> None:
        if not isinstance(step, BranchStep):
            return
        for name in ("then_step", "else_step"):
            target = getattr(step, name)
            if target is not None and target <= index:
                self.fail(f"{at}{name}", f"a branch only jumps forward: past step {index}", "backward_jump",
                          step=index)  # fmt: skip
            elif target is not None and target > count:
                self.fail(f"{at}{name}", f"at most {count} (the end)", "jump_out_of_range", max=count)


def check_steps(session: Session, steps: list[Step], *, connection: ChannelConnection | None) -> None:
    """422 listing every step field that does not hold for the company (fields ``steps.<i>.<field>``)."""
    checker = _Checker(session, connection)
    for index, step in enumerate(steps):
        at = f"steps.{index}."
        checker.channel_of(at, step)
        for prefix, message in _templates(step):
            checker.template(f"{at}{prefix}", message)
        for field, text in _texts(step):
            for reason in variables.text_problems(text, custom_keys=checker.custom_keys):
                checker.fail(f"{at}{field}", reason, "unknown_variable")
        checker.references(at, step)
        checker.jumps(at, index, len(steps), step)
    if checker.errors:
        raise Invalid("some steps are not valid", checker.errors, code="invalid_steps")
