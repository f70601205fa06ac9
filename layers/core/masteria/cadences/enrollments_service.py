"""Enrollment use cases of the API: enroll one contact or many (ids, a list, a segment), read and filter
enrollments with their step history, end one by hand, move enrollments to the current version, per-step
statistics and the timeline preview. Reads are every user's; one enrollment by hand an agent's; bulk and moves an
admin's."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session

from masteria.cadences import preview, stats, versions
from masteria.cadences.enrollment import cadence_or_404, enroll_where, exit_where
from masteria.cadences.models import Enrollment, EnrollmentStep
from masteria.cadences.schemas import (
    BulkEnroll,
    BulkEnrollResult,
    CadencePreview,
    CadenceSendRead,
    CadenceStats,
    EnrollmentCreate,
    EnrollmentDetail,
    EnrollmentMove,
    EnrollmentMoveResult,
    EnrollmentRead,
    EnrollmentStepRead,
)
from masteria.cadences.send_models import CadenceSend
from masteria.contacts import segments
from masteria.contacts.models import Contact, ContactList, ContactListMember, Segment
from masteria.contacts.reads import contact_or_404
from masteria.contacts.segments import SegmentFilter
from masteria.errors import Conflict, FieldError, Invalid, NotFound
from masteria.pagination import Page, PageRequest, paginate
from masteria.pipelines.models import Lead
from masteria.tenancy.models import Company, Role
from masteria.tenancy.service import Principal


@dataclass(frozen=True)
class EnrollmentFilter:
    state: str | None = None
    version: int | None = None
    source: str | None = None
    exit_reason: str | None = None
    contact_id: uuid.UUID | None = None
    step_index: int | None = None


def _read(row: Enrollment, contact: Contact) -> EnrollmentRead:
    return EnrollmentRead.model_validate(
        {**{k: getattr(row, k) for k in EnrollmentRead.model_fields if hasattr(row, k)},
         "contact_name": contact.name, "contact_phone": contact.phone}
    )  # fmt: skip


def _enrollment_or_404(session: Session, cadence_id: uuid.UUID, enrollment_id: uuid.UUID) -> Enrollment:
    found = session.get(Enrollment, enrollment_id)
    if found is None or found.cadence_id != cadence_id:
        raise NotFound("enrollment not found")
    return found


def enroll_contact(
    *, session: Session, actor: Principal, cadence_id: uuid.UUID, data: EnrollmentCreate, now: datetime
) -> EnrollmentRead:
    """One contact, by hand (404 for an unknown cadence; 422 for an unknown contact or a lead not the contact's;
    409 ``already_enrolled`` or ``not_enrollable``: it went through the cadence and may not again, or opted out)."""
    cadence = cadence_or_404(session, cadence_id)
    contact = session.get(Contact, data.contact_id)
    if contact is None:
        raise Invalid("no such contact", [FieldError("contact_id", "no such contact", code="unknown_contact")])
    if data.lead_id is not None:
        lead = session.get(Lead, data.lead_id)
        if lead is None or lead.contact_id != contact.id:
            raise Invalid("no such lead", [FieldError("lead_id", "no lead of this contact", code="unknown_lead")])
    rows = enroll_where(
        session, cadence=cadence, chosen=Contact.id == contact.id, source=data.source, now=now, lead_id=data.lead_id,
        enrolled_by=actor.user_id,
    )  # fmt: skip
    if not rows:
        live = exists().where(
            Enrollment.cadence_id == cadence.id, Enrollment.contact_id == contact.id,
            Enrollment.state.in_(("active", "sending")),
        )  # fmt: skip
        if session.scalar(select(live)):
            raise Conflict("the contact is in this cadence already", code="already_enrolled")
        raise Conflict(
            "the contact went through this cadence (re-enrollment is off) or opted out of its channel",
            code="not_enrollable",
        )
    return _read(rows[0], contact)


def bulk_enroll(
    *, session: Session, actor: Principal, cadence_id: uuid.UUID, data: BulkEnroll, now: datetime
) -> BulkEnrollResult:
    """Contacts by ids, a list or a segment, in one statement (admins)."""
    actor.require(Role.ADMIN)
    cadence = cadence_or_404(session, cadence_id)
    chosen: ColumnElement[bool]
    if data.list_id is not None:
        if session.get(ContactList, data.list_id) is None:
            raise Invalid("no such list", [FieldError("list_id", "no such list", code="unknown_list")])
        members = select(ContactListMember.contact_id).where(ContactListMember.list_id == data.list_id)
        chosen = Contact.id.in_(members)
    elif data.segment_id is not None:
        row = session.get(Segment, data.segment_id)
        if row is None:
            raise Invalid("no such segment", [FieldError("segment_id", "no such segment", code="unknown_segment")])
        chosen = segments.condition(SegmentFilter.model_validate(row.filter))
    else:
        chosen = Contact.id.in_(set(data.contact_ids or []))
    matched = session.scalar(select(func.count()).select_from(Contact).where(chosen)) or 0
    if data.contact_ids is not None:
        matched = len(set(data.contact_ids))
    rows = enroll_where(session, cadence=cadence, chosen=chosen, source="bulk", now=now, enrolled_by=actor.user_id)
    return BulkEnrollResult(enrolled=len(rows), skipped=matched - len(rows))


def list_enrollments(
    *, session: Session, actor: Principal, cadence_id: uuid.UUID, filters: EnrollmentFilter, page: PageRequest
) -> Page[EnrollmentRead]:
    """Newest first, filtered."""
    del actor
    cadence_or_404(session, cadence_id)
    statement = select(Enrollment).where(Enrollment.cadence_id == cadence_id)
    for name in ("state", "version", "source", "exit_reason", "contact_id", "step_index"):
        if (value := getattr(filters, name)) is not None:
            statement = statement.where(getattr(Enrollment, name) == value)
    rows, cursor = paginate(session, statement, keys=[Enrollment.enrolled_at, Enrollment.id], page=page)
    contacts = {c.id: c for c in session.scalars(select(Contact).where(Contact.id.in_({r.contact_id for r in rows})))}
    return Page[EnrollmentRead](items=[_read(r, contacts[r.contact_id]) for r in rows], next_cursor=cursor)


def get_enrollment(
    *, session: Session, actor: Principal, cadence_id: uuid.UUID, enrollment_id: uuid.UUID
) -> EnrollmentDetail:
    """The enrollment and every step it ran, with each send's progress."""
    del actor
    row = _enrollment_or_404(session, cadence_id, enrollment_id)
    sends = {s.step_index: s for s in session.scalars(select(CadenceSend).where(CadenceSend.enrollment_id == row.id))}
    history = []
    for step in session.scalars(
        select(EnrollmentStep).where(EnrollmentStep.enrollment_id == row.id).order_by(EnrollmentStep.step_index)
    ):
        send = sends.get(step.step_index)
        history.append(
            EnrollmentStepRead(
                step_index=step.step_index, kind=step.kind, outcome=step.outcome, detail=step.detail, at=step.at,
                send=CadenceSendRead.model_validate(send) if send is not None else None,
            )
        )  # fmt: skip
    read = _read(row, session.get_one(Contact, row.contact_id))
    return EnrollmentDetail(**read.model_dump(), history=history)


def exit_enrollment(
    *, session: Session, actor: Principal, cadence_id: uuid.UUID, enrollment_id: uuid.UUID, now: datetime
) -> EnrollmentRead:
    """End it by hand (``manual``); 409 ``not_live`` once it ended."""
    del actor
    row = _enrollment_or_404(session, cadence_id, enrollment_id)
    if not exit_where(session, chosen=[Enrollment.id == row.id], reason="manual", now=now):
        raise Conflict(f"the enrollment is {row.state} already", code="not_live", params={"state": row.state})
    session.refresh(row)
    return _read(row, session.get_one(Contact, row.contact_id))


def move_enrollments(
    *, session: Session, actor: Principal, cadence_id: uuid.UUID, data: EnrollmentMove
) -> EnrollmentMoveResult:
    actor.require(Role.ADMIN)
    return versions.move_enrollments(session, cadence_or_404(session, cadence_id, lock=True), data)


def get_stats(*, session: Session, actor: Principal, cadence_id: uuid.UUID, version: int | None) -> CadenceStats:
    del actor
    cadence = cadence_or_404(session, cadence_id)
    row = versions.version_or_404(session, cadence.id, version or cadence.current_version)
    return stats.cadence_stats(session, cadence, row)


def get_preview(
    *,
    session: Session,
    actor: Principal,
    cadence_id: uuid.UUID,
    contact_id: uuid.UUID | None,
    version: int | None,
    now: datetime,
) -> CadencePreview:
    """When each step would run for ``contact_id`` (none: in the company's timezone) if it enrolled now."""
    cadence = cadence_or_404(session, cadence_id)
    row = versions.version_or_404(session, cadence.id, version or cadence.current_version)
    phone = contact_or_404(session, contact_id).phone if contact_id is not None else None
    company = session.get_one(Company, actor.company_id)
    return preview.timeline(row, company_timezone=company.timezone, phone=phone, now=now)
