"""Static lists, segments (saved dynamic filters with a live count), bulk actions, the audit log."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from functions.api.deps import CallerDep, PageDep, SearchDep
from functions.api.error_docs import problems
from masteria.audit import service as audit
from masteria.audit.service import AuditEntryRead
from masteria.contacts import groups
from masteria.contacts.schemas import (
    BulkAction,
    BulkResult,
    CountRead,
    ListCreate,
    ListRead,
    ListUpdate,
    SegmentCreate,
    SegmentPreview,
    SegmentRead,
    SegmentUpdate,
)
from masteria.pagination import Page

router = APIRouter(prefix="/v1", tags=["lists and segments"])


@router.get("/lists", response_model=Page[ListRead])
def list_lists(caller: CallerDep, search: SearchDep, page: PageDep) -> Page[ListRead]:
    """Static lists by name with their member counts, searched with `q`, cursor-paginated.
    Members: `GET /v1/contacts?list_id=`."""
    return groups.list_lists(session=caller.session, actor=caller.principal, search=search, page=page)


@router.post("/lists", responses=problems(409), status_code=status.HTTP_201_CREATED, response_model=ListRead)
def create_list(body: ListCreate, caller: CallerDep) -> ListRead:
    return groups.create_list(session=caller.session, actor=caller.principal, data=body)


@router.get("/lists/{list_id}", response_model=ListRead)
def get_list(list_id: uuid.UUID, caller: CallerDep) -> ListRead:
    return groups.get_list(session=caller.session, actor=caller.principal, list_id=list_id)


@router.patch("/lists/{list_id}", responses=problems(409), response_model=ListRead)
def update_list(list_id: uuid.UUID, body: ListUpdate, caller: CallerDep) -> ListRead:
    return groups.update_list(session=caller.session, actor=caller.principal, list_id=list_id, data=body)


@router.delete("/lists/{list_id}", responses=problems(403), status_code=status.HTTP_204_NO_CONTENT)
def delete_list(list_id: uuid.UUID, caller: CallerDep) -> None:
    """Delete a list; its contacts stay (admin and up)."""
    groups.delete_list(session=caller.session, actor=caller.principal, list_id=list_id)


@router.get("/segments", response_model=Page[SegmentRead])
def list_segments(caller: CallerDep, search: SearchDep, page: PageDep) -> Page[SegmentRead]:
    """Saved segments by name, each with the number of contacts matching it now, searched with `q`,
    cursor-paginated."""
    return groups.list_segments(session=caller.session, actor=caller.principal, search=search, page=page)


@router.post("/segments", responses=problems(409), status_code=status.HTTP_201_CREATED, response_model=SegmentRead)
def create_segment(body: SegmentCreate, caller: CallerDep) -> SegmentRead:
    return groups.create_segment(session=caller.session, actor=caller.principal, data=body)


@router.post("/segments/preview", response_model=CountRead)
def preview_segment(body: SegmentPreview, caller: CallerDep) -> CountRead:
    """How many contacts a filter matches, before saving it."""
    return CountRead(count=groups.count_matching(caller.session, body.filter))


@router.get("/segments/{segment_id}", response_model=SegmentRead)
def get_segment(segment_id: uuid.UUID, caller: CallerDep) -> SegmentRead:
    return groups.get_segment(session=caller.session, actor=caller.principal, segment_id=segment_id)


@router.patch("/segments/{segment_id}", responses=problems(409), response_model=SegmentRead)
def update_segment(segment_id: uuid.UUID, body: SegmentUpdate, caller: CallerDep) -> SegmentRead:
    return groups.update_segment(session=caller.session, actor=caller.principal, segment_id=segment_id, data=body)


@router.delete("/segments/{segment_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_segment(segment_id: uuid.UUID, caller: CallerDep) -> None:
    groups.delete_segment(session=caller.session, actor=caller.principal, segment_id=segment_id)


@router.post("/contacts/bulk", responses=problems(403), response_model=BulkResult)
def bulk_action(body: BulkAction, caller: CallerDep) -> BulkResult:
    """Tag, untag, add to or remove from a list: given `contact_ids`, or every contact matching `filter`
    (admin and up). Returns how many matched and how many changed."""
    return groups.bulk_action(session=caller.session, actor=caller.principal, data=body)


@router.get("/audit-log", responses=problems(403), response_model=Page[AuditEntryRead])
def audit_log(caller: CallerDep, page: PageDep) -> Page[AuditEntryRead]:
    """Bulk actions, imports and exports: who, what, when, how many (admin and up), newest first."""
    return audit.list_entries(session=caller.session, actor=caller.principal, page=page)
