"""Segment filters: the saved, dynamic description of a set of contacts, compiled to SQL."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints
from sqlalchemy import ColumnElement, Numeric, and_, cast, exists, func, not_, true

from masteria.contacts.models import Contact, ContactConsent, ContactListMember, ContactTag
from masteria.schemas import StrictModel


class CustomFieldCondition(StrictModel):
    key: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")] = Field(examples=["plan"])
    op: Literal["eq", "neq", "gt", "lt", "contains", "exists", "missing"] = Field(examples=["eq"])
    value: str | float | bool | None = Field(default=None, examples=["pro"])


class ConsentCondition(StrictModel):
    channel: Literal["whatsapp", "sms"] = Field(examples=["whatsapp"])
    status: Literal["opted_in", "opted_out", "unknown"] = Field(examples=["opted_in"])


class SegmentFilter(StrictModel):
    """Every condition given must hold (AND); the lists inside a condition are alternatives."""

    tags_any: list[uuid.UUID] = Field(default_factory=list, description="has at least one of these tags")
    tags_all: list[uuid.UUID] = Field(default_factory=list, description="has every one of these tags")
    tags_none: list[uuid.UUID] = Field(default_factory=list, description="has none of these tags")
    lists_any: list[uuid.UUID] = Field(default_factory=list, description="is in at least one of these lists")
    lists_none: list[uuid.UUID] = Field(default_factory=list, description="is in none of these lists")
    custom_fields: list[CustomFieldCondition] = Field(default_factory=list, max_length=20)
    created_from: datetime | None = None
    created_to: datetime | None = None
    last_inbound_from: datetime | None = None
    last_inbound_to: datetime | None = None
    consent: ConsentCondition | None = None


def _has_tag(tag_ids: list[uuid.UUID]) -> ColumnElement[bool]:
    return exists().where(ContactTag.contact_id == Contact.id, ContactTag.tag_id.in_(tag_ids))


def _in_list(list_ids: list[uuid.UUID]) -> ColumnElement[bool]:
    return exists().where(ContactListMember.contact_id == Contact.id, ContactListMember.list_id.in_(list_ids))


def _custom(condition: CustomFieldCondition) -> ColumnElement[bool]:
    value: ColumnElement[Any] = Contact.custom_fields[condition.key]
    text_value: ColumnElement[str] = Contact.custom_fields[condition.key].astext
    wanted = condition.value
    has_key: ColumnElement[bool] = Contact.custom_fields.has_key(condition.key)
    if condition.op == "exists":
        return has_key
    if condition.op == "missing":
        return not_(has_key)
    if condition.op in ("gt", "lt"):
        # numbers compare as numbers, dates (YYYY-MM-DD) and text as text
        if isinstance(wanted, int | float) and not isinstance(wanted, bool):
            number = cast(text_value, Numeric)
            guarded = func.jsonb_typeof(value) == "number"
            return and_(guarded, number > wanted if condition.op == "gt" else number < wanted)
        return text_value > str(wanted) if condition.op == "gt" else text_value < str(wanted)
    if condition.op == "contains":
        return text_value.icontains(str(wanted), autoescape=True)
    literal = "true" if wanted is True else "false" if wanted is False else str(wanted)
    if isinstance(wanted, float) and wanted.is_integer():
        literal = str(int(wanted))
    return text_value == literal if condition.op == "eq" else text_value.is_distinct_from(literal)


def _consent(condition: ConsentCondition) -> ColumnElement[bool]:
    row = exists().where(ContactConsent.contact_id == Contact.id, ContactConsent.channel == condition.channel)
    if condition.status == "unknown":
        return not_(row)
    return exists().where(
        ContactConsent.contact_id == Contact.id,
        ContactConsent.channel == condition.channel,
        ContactConsent.status == condition.status,
    )


def condition(segment: SegmentFilter) -> ColumnElement[bool]:
    """The WHERE condition on ``contacts`` that ``segment`` describes."""
    parts: list[ColumnElement[bool]] = []
    if segment.tags_any:
        parts.append(_has_tag(segment.tags_any))
    parts.extend(_has_tag([tag]) for tag in segment.tags_all)
    if segment.tags_none:
        parts.append(not_(_has_tag(segment.tags_none)))
    if segment.lists_any:
        parts.append(_in_list(segment.lists_any))
    if segment.lists_none:
        parts.append(not_(_in_list(segment.lists_none)))
    parts.extend(_custom(c) for c in segment.custom_fields)
    if segment.created_from:
        parts.append(Contact.created_at >= segment.created_from)
    if segment.created_to:
        parts.append(Contact.created_at < segment.created_to)
    if segment.last_inbound_from:
        parts.append(Contact.last_inbound_at >= segment.last_inbound_from)
    if segment.last_inbound_to:
        parts.append(Contact.last_inbound_at < segment.last_inbound_to)
    if segment.consent:
        parts.append(_consent(segment.consent))
    return and_(true(), *parts)
