"""Custom fields: the company's definitions (text, number, boolean, date, select) and every contact's values
checked against them."""

from __future__ import annotations

import contextlib
import uuid
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from masteria.contacts.models import Contact, CustomFieldDefinition
from masteria.contacts.named import search_page
from masteria.contacts.schemas import CustomFieldCreate, CustomFieldRead, NameSearch
from masteria.db import get_or_404, save_unique
from masteria.errors import FieldError, Invalid
from masteria.pagination import Page, PageRequest
from masteria.tenancy.models import Role
from masteria.tenancy.service import Principal

MAX_TEXT_FIELD = 1000


def create_custom_field(*, session: Session, actor: Principal, data: CustomFieldCreate) -> CustomFieldRead:
    actor.require(Role.ADMIN)
    if data.type == "select" and not data.options:
        raise Invalid(
            "a select field needs options", [FieldError("options", "give at least one option", code="options_required")]
        )
    if data.type != "select" and data.options:
        raise Invalid(
            "only select fields have options",
            [FieldError("options", "must be empty for this type", code="options_forbidden")],
        )
    definition = CustomFieldDefinition(
        company_id=actor.company_id, key=data.key, label=data.label, type=data.type, options=data.options
    )
    save_unique(session, definition, f"a custom field with key {data.key!r} already exists", name=data.key)
    return CustomFieldRead.model_validate(definition)


def list_custom_fields(
    *, session: Session, actor: Principal, search: NameSearch, page: PageRequest
) -> Page[CustomFieldRead]:
    """Definitions by label, searched on label and key."""
    rows, cursor = search_page(
        session,
        CustomFieldDefinition,
        sort=CustomFieldDefinition.sort_label,
        searched=[CustomFieldDefinition.label, CustomFieldDefinition.key],
        search=search,
        page=page,
    )
    return Page[CustomFieldRead](items=[CustomFieldRead.model_validate(r) for r in rows], next_cursor=cursor)


def delete_custom_field(*, session: Session, actor: Principal, field_id: uuid.UUID) -> None:
    """Delete a definition and every contact's value for it."""
    actor.require(Role.ADMIN)
    definition = get_or_404(session, CustomFieldDefinition, field_id, "custom field")
    session.execute(
        update(Contact)
        .where(Contact.custom_fields.has_key(definition.key))
        .values(custom_fields=Contact.custom_fields - definition.key)
    )
    session.delete(definition)


class _BadValue(ValueError):
    """A custom field value that does not fit its definition: what is expected, as text and as a code."""

    def __init__(self, message: str, *, code: str, params: dict[str, str | int] | None = None) -> None:
        super().__init__(message)
        self.code, self.params = code, params or {}


def _coerce(definition: CustomFieldDefinition, value: Any) -> Any:
    """The stored form of ``value`` for ``definition``, or _BadValue saying what is expected."""
    kind = definition.type
    if kind == "text":
        if not isinstance(value, str) or len(value) > MAX_TEXT_FIELD:
            raise _BadValue(
                f"must be text of at most {MAX_TEXT_FIELD} characters",
                code="text_value",
                params={"max": MAX_TEXT_FIELD},
            )
        return value
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _BadValue("must be a number", code="number_value")
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _BadValue("must be true or false", code="boolean_value")
        return value
    if kind == "date":
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                return date.fromisoformat(value).isoformat()
        raise _BadValue("must be a date as YYYY-MM-DD", code="date_value")
    if value not in definition.options:
        options = ", ".join(definition.options)
        raise _BadValue(f"must be one of {options}", code="option_value", params={"options": options})
    return value


def validate_custom_fields(session: Session, values: dict[str, Any], *, current: dict[str, Any]) -> dict[str, Any]:
    """``current`` with ``values`` merged in (``None`` removes a key), every value checked and coerced."""
    definitions = {d.key: d for d in session.scalars(select(CustomFieldDefinition))}
    errors: list[FieldError] = []
    merged = dict(current)
    for key, value in values.items():
        definition = definitions.get(key)
        if definition is None:
            errors.append(FieldError(f"custom_fields.{key}", "no such custom field", code="unknown_custom_field"))
        elif value is None:
            merged.pop(key, None)
        else:
            try:
                merged[key] = _coerce(definition, value)
            except _BadValue as error:
                errors.append(FieldError(f"custom_fields.{key}", str(error), code=error.code, params=error.params))
    if errors:
        raise Invalid("some custom fields are invalid", errors)
    return merged
