"""A rule's actions, in the order they run (``automations.actions`` runs them). Texts take the cadences'
variables: ``{{contact.name}}``, ``{{contact.first_name}}``, ``{{contact.custom.<key>}}``, ``{{lead.title}}``…"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, StringConstraints, Tag, TypeAdapter, field_validator

from masteria.schemas import StrictModel

EVENT_NAME = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+){0,3}$"
EventData = dict[Annotated[str, StringConstraints(max_length=64)], str | int | float | bool | None]


class AssignUser(StrictModel):
    """The conversation goes to this user (an active one)."""

    type: Literal["assign"]
    user_id: uuid.UUID
    only_unassigned: bool = Field(default=True, description="false: take it from whoever has it")


class AssignRoundRobin(StrictModel):
    """The conversation goes to the next of these users, in turn among the active ones (one counter per rule and
    action, taken under its row's lock: two events at once never get the same turn)."""

    type: Literal["assign_round_robin"]
    user_ids: list[uuid.UUID] = Field(min_length=2, max_length=50, description="the team, in turn order")
    only_unassigned: bool = Field(default=True, description="false: take it from whoever has it")

    @field_validator("user_ids")
    @classmethod
    def _distinct(cls, value: list[uuid.UUID]) -> list[uuid.UUID]:
        if len(set(value)) != len(value):
            raise ValueError("each user once")
        return value


class AddTag(StrictModel):
    type: Literal["add_tag"]
    tag_id: uuid.UUID


class RemoveTag(StrictModel):
    type: Literal["remove_tag"]
    tag_id: uuid.UUID


class MoveLead(StrictModel):
    """The contact's lead on this stage's pipeline (the event's lead when it is one) moves there, as an automation."""

    type: Literal["move_lead"]
    stage_id: uuid.UUID


class CreateLead(StrictModel):
    """A lead for the contact (none when it has an open one on the pipeline already); later actions act on it."""

    type: Literal["create_lead"]
    pipeline_id: uuid.UUID
    stage_id: uuid.UUID | None = Field(default=None, description="null: the pipeline's first open stage")
    owner_id: uuid.UUID | None = None
    title: str | None = Field(default=None, max_length=200, description="null: the contact's name or phone")


class EnrollInCadence(StrictModel):
    type: Literal["enroll_in_cadence"]
    cadence_id: uuid.UUID


class RemoveFromCadence(StrictModel):
    type: Literal["remove_from_cadence"]
    cadence_id: uuid.UUID


class SendText(StrictModel):
    """A text in the conversation (only inside WhatsApp's 24-hour window; SMS has none)."""

    type: Literal["send_text"]
    text: str = Field(min_length=1, max_length=4096, examples=["Oi {{contact.first_name}}!"])
    defaults: dict[str, str] = Field(
        default_factory=dict, description='a variable\'s value when the contact has none: {"contact.first_name": …}'
    )


class SendTemplate(StrictModel):
    """An approved WhatsApp template of the conversation's number, filled from the contact (any time)."""

    type: Literal["send_template"]
    template_id: uuid.UUID
    parameters: dict[str, str] = Field(
        default_factory=dict, examples=[{"body.1": "first_name"}],
        description="template parameter → contact variable (first_name, name, custom.<key>…), over the template's own",
    )  # fmt: skip
    defaults: dict[str, str] = Field(default_factory=dict, description="a parameter's value when the contact has none")


class HandToAi(StrictModel):
    """The AI persona answers the conversation from now on."""

    type: Literal["hand_to_ai"]


class TakeFromAi(StrictModel):
    """The AI stops answering the conversation (its pending answer is not sent)."""

    type: Literal["take_from_ai"]


class Notify(StrictModel):
    """An in-app notification: for a user, the conversation's assignee, the lead's owner, or everyone."""

    type: Literal["notify"]
    to: Literal["user", "assignee", "lead_owner", "everyone"]
    user_id: uuid.UUID | None = Field(default=None, description="with to=user")
    text: str = Field(min_length=1, max_length=1000, examples=["{{contact.name}} asked for a quote"])


class EmitEvent(StrictModel):
    """A ``custom.event`` to the company's webhook endpoints: ``{name, source: "automation", source_id, contact_id,
    lead_id, data}``."""

    type: Literal["emit_event"]
    name: str = Field(pattern=EVENT_NAME, max_length=64, examples=["lead.qualified"])
    data: EventData = Field(default_factory=dict, max_length=20)


def _type(value: object) -> str:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return f"type={kind}"


AnyAction = (
    AssignUser | AssignRoundRobin | AddTag | RemoveTag | MoveLead | CreateLead | EnrollInCadence | RemoveFromCadence
    | SendText | SendTemplate | HandToAi | TakeFromAi | Notify | EmitEvent
)  # fmt: skip
Action = Annotated[
    Annotated[AssignUser, Tag("type=assign")]
    | Annotated[AssignRoundRobin, Tag("type=assign_round_robin")]
    | Annotated[AddTag, Tag("type=add_tag")]
    | Annotated[RemoveTag, Tag("type=remove_tag")]
    | Annotated[MoveLead, Tag("type=move_lead")]
    | Annotated[CreateLead, Tag("type=create_lead")]
    | Annotated[EnrollInCadence, Tag("type=enroll_in_cadence")]
    | Annotated[RemoveFromCadence, Tag("type=remove_from_cadence")]
    | Annotated[SendText, Tag("type=send_text")]
    | Annotated[SendTemplate, Tag("type=send_template")]
    | Annotated[HandToAi, Tag("type=hand_to_ai")]
    | Annotated[TakeFromAi, Tag("type=take_from_ai")]
    | Annotated[Notify, Tag("type=notify")]
    | Annotated[EmitEvent, Tag("type=emit_event")],
    Discriminator(_type, custom_error_type="unknown_type", custom_error_message="unknown action type"),
]
_ACTIONS: TypeAdapter[list[AnyAction]] = TypeAdapter(list[Action])


def parse(stored: list[dict[str, Any]]) -> list[AnyAction]:
    return _ACTIONS.validate_python(stored)


def dump(actions: list[AnyAction]) -> list[dict[str, Any]]:
    dumped: list[dict[str, Any]] = _ACTIONS.dump_python(actions, mode="json", exclude_none=True)
    return dumped
