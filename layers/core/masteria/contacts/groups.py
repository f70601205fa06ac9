"""Lists (contacts put in by hand), saved segments (a filter, counted as it matches now) and bulk actions
(tag, untag, add to or remove from a list every selected contact at once)."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, func, literal, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from masteria.audit import service as audit
from masteria.contacts import segments
from masteria.contacts.models import Contact, ContactList, ContactListMember, ContactTag, Segment
from masteria.contacts.named import save_named, search_page
from masteria.contacts.schemas import (
    BulkAction,
    BulkResult,
    ListCreate,
    ListRead,
    ListUpdate,
    NameSearch,
    SegmentCreate,
    SegmentRead,
    SegmentUpdate,
)
from masteria.contacts.segments import SegmentFilter
from masteria.contacts.tags import tag_or_404
from masteria.db import get_or_404
from masteria.errors import FieldError, Invalid
from masteria.pagination import Page, PageRequest
from masteria.tenancy.models import Role
from masteria.tenancy.service import Principal


def _get_list(session: Session, list_id: uuid.UUID) -> ContactList:
    return get_or_404(session, ContactList, list_id, "list")


def _list_read(session: Session, found: ContactList) -> ListRead:
    members = session.scalar(select(func.count()).where(ContactListMember.list_id == found.id)) or 0
    return ListRead(
        id=found.id, name=found.name, description=found.description, member_count=members, created_at=found.created_at
    )


def create_list(*, session: Session, actor: Principal, data: ListCreate) -> ListRead:
    row = ContactList(company_id=actor.company_id, name=data.name, description=data.description)
    save_named(session, row, "list")
    return _list_read(session, row)


def list_lists(*, session: Session, actor: Principal, search: NameSearch, page: PageRequest) -> Page[ListRead]:
    """Lists by name with their member counts, searched on the name."""
    rows, cursor = search_page(
        session, ContactList, sort=ContactList.sort_name, searched=[ContactList.name], search=search, page=page
    )
    return Page[ListRead](items=[_list_read(session, r) for r in rows], next_cursor=cursor)


def get_list(*, session: Session, actor: Principal, list_id: uuid.UUID) -> ListRead:
    return _list_read(session, _get_list(session, list_id))


def update_list(*, session: Session, actor: Principal, list_id: uuid.UUID, data: ListUpdate) -> ListRead:
    row = _get_list(session, list_id)
    for key, value in data.model_dump(exclude_unset=True).items():
        if key == "name" and value is None:
            continue
        setattr(row, key, value)
    save_named(session, row, "list")
    return _list_read(session, row)


def delete_list(*, session: Session, actor: Principal, list_id: uuid.UUID) -> None:
    """Delete a list (its contacts stay)."""
    actor.require(Role.ADMIN)
    session.delete(_get_list(session, list_id))


def count_matching(session: Session, segment: SegmentFilter) -> int:
    return session.scalar(select(func.count()).select_from(Contact).where(segments.condition(segment))) or 0


def _get_segment(session: Session, segment_id: uuid.UUID) -> Segment:
    return get_or_404(session, Segment, segment_id, "segment")


def _segment_read(session: Session, row: Segment) -> SegmentRead:
    segment = SegmentFilter.model_validate(row.filter)
    return SegmentRead(
        id=row.id,
        name=row.name,
        filter=segment,
        count=count_matching(session, segment),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def create_segment(*, session: Session, actor: Principal, data: SegmentCreate) -> SegmentRead:
    row = Segment(company_id=actor.company_id, name=data.name, filter=data.filter.model_dump(mode="json"))
    save_named(session, row, "segment")
    return _segment_read(session, row)


def list_segments(*, session: Session, actor: Principal, search: NameSearch, page: PageRequest) -> Page[SegmentRead]:
    """Segments by name, each with its count now, searched on the name."""
    rows, cursor = search_page(
        session, Segment, sort=Segment.sort_name, searched=[Segment.name], search=search, page=page
    )
    return Page[SegmentRead](items=[_segment_read(session, r) for r in rows], next_cursor=cursor)


def get_segment(*, session: Session, actor: Principal, segment_id: uuid.UUID) -> SegmentRead:
    return _segment_read(session, _get_segment(session, segment_id))


def segment_filter(*, session: Session, segment_id: uuid.UUID) -> SegmentFilter:
    """A saved segment's filter (for exports, campaigns and the contact list)."""
    return SegmentFilter.model_validate(_get_segment(session, segment_id).filter)


def update_segment(*, session: Session, actor: Principal, segment_id: uuid.UUID, data: SegmentUpdate) -> SegmentRead:
    row = _get_segment(session, segment_id)
    if data.name is not None:
        row.name = data.name
    if data.filter is not None:
        row.filter = data.filter.model_dump(mode="json")
    save_named(session, row, "segment")
    return _segment_read(session, row)


def delete_segment(*, session: Session, actor: Principal, segment_id: uuid.UUID) -> None:
    session.delete(_get_segment(session, segment_id))


def bulk_action(*, session: Session, actor: Principal, data: BulkAction) -> BulkResult:
    """Tag, untag, add to or remove from a list every selected contact, in one statement; audited."""
    if (data.contact_ids is None) == (data.filter is None):
        raise Invalid(
            "choose the contacts",
            [FieldError("contact_ids", "give either contact_ids or filter", code="ids_or_filter")],
        )
    if data.filter is not None:
        actor.require(Role.ADMIN)  # everything matching a filter can be the whole company
        chosen = segments.condition(data.filter)
    else:
        chosen = Contact.id.in_(data.contact_ids or [])
    selection = select(Contact.id, Contact.company_id).where(chosen)
    matched = session.scalar(select(func.count()).select_from(selection.subquery())) or 0
    if data.action in ("tag", "untag"):
        target_type, target_id = "tag", tag_or_404(session, data.target_id).id
        if data.action == "tag":
            result = session.execute(
                insert(ContactTag)
                .from_select(["contact_id", "company_id", "tag_id"], selection.add_columns(literal(target_id)))
                .on_conflict_do_nothing()
            )
        else:
            result = session.execute(
                delete(ContactTag).where(
                    ContactTag.tag_id == target_id, ContactTag.contact_id.in_(selection.with_only_columns(Contact.id))
                )
            )
    else:
        target_type, target_id = "list", _get_list(session, data.target_id).id
        if data.action == "add_to_list":
            result = session.execute(
                insert(ContactListMember)
                .from_select(["contact_id", "company_id", "list_id"], selection.add_columns(literal(target_id)))
                .on_conflict_do_nothing()
            )
        else:
            result = session.execute(
                delete(ContactListMember).where(
                    ContactListMember.list_id == target_id,
                    ContactListMember.contact_id.in_(selection.with_only_columns(Contact.id)),
                )
            )
    changed = int(result.rowcount or 0)  # type: ignore[attr-defined]
    audit.record(
        session,
        actor=actor,
        action=f"contacts.bulk.{data.action}",
        count=changed,
        target_type=target_type,
        target_id=target_id,
        details={"matched": matched, "by": "filter" if data.filter is not None else "ids"},
    )
    return BulkResult(matched=matched, changed=changed)
