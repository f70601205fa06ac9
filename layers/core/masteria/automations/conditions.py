"""A rule's conditions: every one must hold for its actions to run. The conversation's channel or number; the
contact's tag, segment membership (the segment's own filter, ``contacts.segments``) or custom field (a segment
filter's condition); business hours (the shape and the check of ``ai.hours``, the personas' active hours)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, TypeAdapter, field_validator
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from masteria.ai import hours
from masteria.automations.subjects import Subject
from masteria.contacts import segments
from masteria.contacts.models import Contact, Segment
from masteria.contacts.segments import CustomFieldCondition, SegmentFilter
from masteria.schemas import StrictModel

HOURS_DOC = (
    '{"timezone": "America/Sao_Paulo", "days": {"mon": [["09:00", "18:00"]], …}}: ranges [start, end) per weekday '
    "(mon … sun) in that timezone; a day left out is closed"
)


class ChannelIs(StrictModel):
    type: Literal["channel"]
    channels: list[Literal["whatsapp", "sms"]] = Field(min_length=1, max_length=2, examples=[["whatsapp"]])


class ConnectionIs(StrictModel):
    type: Literal["connection"]
    connection_ids: list[uuid.UUID] = Field(min_length=1, max_length=50, description="the conversation's number is one")


class HasTag(StrictModel):
    type: Literal["tag"]
    tag_id: uuid.UUID
    present: bool = Field(default=True, description="false: the contact does not have the tag")


class InSegment(StrictModel):
    type: Literal["segment"]
    segment_id: uuid.UUID
    member: bool = Field(default=True, description="false: the contact is not in the segment")


class BusinessHours(StrictModel):
    type: Literal["business_hours"]
    hours: dict[str, Any] = Field(description=HOURS_DOC)
    inside: bool = Field(default=True, description="false: outside those hours")

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: dict[str, Any]) -> dict[str, Any]:
        found = hours.problems(value)
        if found:
            raise ValueError(
                "; ".join(f"{path.replace('active_hours', 'hours')}: {message}" for path, message, _ in found)
            )
        normalized = hours.normalized(value)
        assert normalized is not None
        return normalized


class CustomFieldIs(CustomFieldCondition):
    """The contact's custom field ``key`` compared with ``value`` by ``op`` (a segment filter's condition)."""

    type: Literal["custom_field"]


def _type(value: object) -> str:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return f"type={kind}"


AnyCondition = ChannelIs | ConnectionIs | HasTag | InSegment | BusinessHours | CustomFieldIs
Condition = Annotated[
    Annotated[ChannelIs, Tag("type=channel")]
    | Annotated[ConnectionIs, Tag("type=connection")]
    | Annotated[HasTag, Tag("type=tag")]
    | Annotated[InSegment, Tag("type=segment")]
    | Annotated[BusinessHours, Tag("type=business_hours")]
    | Annotated[CustomFieldIs, Tag("type=custom_field")],
    Discriminator(_type, custom_error_type="unknown_type", custom_error_message="unknown condition type"),
]
_CONDITIONS: TypeAdapter[list[AnyCondition]] = TypeAdapter(list[Condition])


def parse(stored: list[dict[str, Any]]) -> list[AnyCondition]:
    return _CONDITIONS.validate_python(stored)


def dump(conditions: list[AnyCondition]) -> list[dict[str, Any]]:
    dumped: list[dict[str, Any]] = _CONDITIONS.dump_python(conditions, mode="json", exclude_none=True)
    return dumped


def _contact_matches(session: Session, contact_id: uuid.UUID | None, segment: SegmentFilter) -> bool:
    if contact_id is None:
        return False
    return bool(session.scalar(select(exists().where(Contact.id == contact_id, segments.condition(segment)))))


def held(session: Session, condition: AnyCondition, subject: Subject, now: datetime) -> bool:
    """Whether ``condition`` holds for ``subject`` at ``now``."""
    if isinstance(condition, ChannelIs):
        return subject.channel in condition.channels
    if isinstance(condition, ConnectionIs):
        return subject.connection_id in condition.connection_ids
    if isinstance(condition, HasTag):
        wanted = SegmentFilter(tags_all=[condition.tag_id])
        return _contact_matches(session, subject.contact_id, wanted) == condition.present
    if isinstance(condition, InSegment):
        row = session.get(Segment, condition.segment_id)
        if row is None or subject.contact_id is None:
            return False  # a deleted segment holds nobody, nor excludes anybody
        member = _contact_matches(session, subject.contact_id, SegmentFilter.model_validate(row.filter))
        return member == condition.member
    if isinstance(condition, BusinessHours):
        return hours.is_active_at(condition.hours, now) == condition.inside
    field = CustomFieldCondition(key=condition.key, op=condition.op, value=condition.value)
    return _contact_matches(session, subject.contact_id, SegmentFilter(custom_fields=[field]))


def evaluate(session: Session, conditions: list[AnyCondition], subject: Subject, now: datetime) -> list[dict[str, Any]]:
    """Each condition with whether it held (in order; all are evaluated, for the run log)."""
    return [{"type": c.type, "held": held(session, c, subject, now)} for c in conditions]
