"""What tags, lists, segments and custom fields share: a searchable page in name order, a name unique per company."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from masteria.contacts.models import ContactList, CustomFieldDefinition, Segment, Tag
from masteria.contacts.schemas import NameSearch
from masteria.db import save_unique
from masteria.pagination import PageRequest, paginate


def search_page(
    session: Session,
    model: type[Tag] | type[ContactList] | type[Segment] | type[CustomFieldDefinition],
    *,
    sort: Any,
    searched: Sequence[Any],
    search: NameSearch,
    page: PageRequest,
) -> tuple[list[Any], str | None]:
    """A page of ``model`` in ``sort`` order (then id; keyset on both), filtered by ``search``: ``q`` as a
    case-insensitive "contains" on any of ``searched`` (LIKE wildcards taken literally), ``ids`` as a set."""
    statement = select(model)
    if search.q:
        statement = statement.where(or_(*(c.icontains(search.q, autoescape=True) for c in searched)))
    if search.ids:
        statement = statement.where(model.id.in_(search.ids))
    return paginate(session, statement, keys=[sort, model.id], page=page, descending=False)


def save_named(session: Session, row: Tag | ContactList | Segment, kind: str) -> None:
    """Its name is unique per company (ignoring case), so a clash is a 409."""
    save_unique(session, row, f"a {kind} named {row.name!r} already exists", name=row.name)
