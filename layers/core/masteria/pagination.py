"""One cursor-pagination helper: keyset pagination over an ordered key, opaque cursors."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import Select, literal, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session

from masteria.errors import FieldError, Invalid
from masteria.schemas import NUL

T = TypeVar("T")
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


@dataclass(frozen=True)
class PageRequest:
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise Invalid(
                "limit out of range",
                [
                    FieldError(
                        "limit",
                        f"must be between 1 and {MAX_LIMIT}",
                        code="out_of_range",
                        params={"min": 1, "max": MAX_LIMIT},
                    )
                ],
            )


def _encode(values: Sequence[Any]) -> str:
    raw = json.dumps([str(v) for v in values]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, size: int) -> list[str]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        values = None
    if not isinstance(values, list) or len(values) != size or not all(isinstance(v, str) for v in values):
        raise Invalid(
            "invalid cursor", [FieldError("cursor", "is not a cursor this list returned", code="invalid_cursor")]
        )
    return values


def _typed(value: str, key: InstrumentedAttribute[Any]) -> Any:
    """A cursor value as its key's Python type; a value that is not one (a cursor of another list, a crafted
    one) is the cursor's 422, never a database error."""
    try:
        kind = key.type.python_type
    except NotImplementedError:
        kind = str
    try:
        if kind is uuid.UUID:
            return uuid.UUID(value)
        if kind is datetime:
            return datetime.fromisoformat(value)
        if kind is date:
            return date.fromisoformat(value)
        if kind in (int, float, Decimal):
            return kind(value)
    except (ValueError, TypeError, ArithmeticError):
        pass
    else:
        if NUL not in value:
            return value
    raise Invalid("invalid cursor", [FieldError("cursor", "is not a cursor this list returned", code="invalid_cursor")])


def paginate(
    session: Session,
    statement: Select[Any],
    *,
    keys: Sequence[InstrumentedAttribute[Any]],
    page: PageRequest,
    descending: bool = True,
) -> tuple[list[Any], str | None]:
    """Run ``statement`` ordered by ``keys`` (unique together, e.g. ``created_at, id``) from the cursor."""
    if page.cursor:
        values = _decode(page.cursor, len(keys))
        after = tuple_(*(literal(_typed(v, k), k.type) for v, k in zip(values, keys, strict=True)))
        row = tuple_(*keys)
        statement = statement.where(row < after if descending else row > after)
    order = [k.desc() if descending else k.asc() for k in keys]
    rows = list(session.scalars(statement.order_by(*order).limit(page.limit + 1)))
    if len(rows) <= page.limit:
        return rows, None
    rows = rows[: page.limit]
    return rows, cursor_after(rows[-1], keys)


def cursor_after(row: Any, keys: Sequence[InstrumentedAttribute[Any]]) -> str:
    """The cursor of the page that follows ``row`` in a list ordered by ``keys`` (what ``paginate`` returns)."""
    return _encode([getattr(row, k.key) for k in keys])
