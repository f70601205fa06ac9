"""Appointments of a lead: create, list, read, change (reschedule, cancel, complete, no-show).

An appointment is seen and changed by whoever sees its lead (``pipelines.access``: agents the leads they own
and unassigned ones); any other, or another company's, is "not found". Its attendee is a user of the company:
agents name themselves (or keep the one it has), admins and owners anyone. Every change records
``appointment.updated`` and brings the attendee's reminder in line (``reminders``)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.appointments import events, reminders
from masteria.appointments.models import Appointment
from masteria.appointments.schemas import AppointmentCreate, AppointmentRead, AppointmentUpdate
from masteria.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from masteria.pipelines.access import lead_or_404, visible
from masteria.pipelines.models import Lead
from masteria.tenancy.models import Role, User
from masteria.tenancy.service import Principal

LIST_LIMIT = 200


def _check_attendee(
    session: Session, actor: Principal | None, attendee_id: uuid.UUID | None, current: uuid.UUID | None = None
) -> None:
    if attendee_id in (None, current):
        return
    if actor is not None and attendee_id != actor.user_id and actor.role.rank < Role.ADMIN.rank:
        raise Forbidden("an agent may only attend an appointment themselves", code="attendee_forbidden")
    found = session.scalar(select(User.id).where(User.id == attendee_id, User.is_active.is_(True)))
    if found is None:
        raise Invalid(
            "the attendee is not a user of the company",
            [FieldError("attendee_id", "is not a user of the company", code="unknown_attendee")],
        )


def add(session: Session, actor: Principal | None, lead: Lead, data: AppointmentCreate) -> Appointment:
    """A new appointment of ``lead`` (already found for ``actor``), its event and its reminder recorded. ``actor``
    None: made without a user (the AI's, on a move it applied): the attendee is the one ``data`` names."""
    user_id = actor.user_id if actor is not None else None
    attendee_id = data.attendee_id if "attendee_id" in data.model_fields_set or actor is None else user_id
    _check_attendee(session, actor, attendee_id)
    row = Appointment(
        company_id=lead.company_id, lead_id=lead.id, title=data.title, starts_at=data.starts_at,
        ends_at=data.ends_at, timezone=data.timezone, location=data.location,
        link=str(data.link) if data.link is not None else None, attendee_id=attendee_id,
        reminder_minutes=data.reminder_minutes, created_by=user_id,
    )  # fmt: skip
    session.add(row)
    session.flush()
    session.refresh(row)
    reminders.record_schedule(session, row)
    return row


def create_appointment(
    *, session: Session, actor: Principal, lead_id: uuid.UUID, data: AppointmentCreate
) -> AppointmentRead:
    lead = lead_or_404(session, actor, lead_id)
    return AppointmentRead.model_validate(add(session, actor, lead, data))


def list_appointments(*, session: Session, actor: Principal, lead_id: uuid.UUID) -> list[AppointmentRead]:
    """The lead's appointments, soonest first."""
    lead = lead_or_404(session, actor, lead_id)
    rows = session.scalars(
        select(Appointment).where(Appointment.lead_id == lead.id).order_by(Appointment.starts_at).limit(LIST_LIMIT)
    )
    return [AppointmentRead.model_validate(row) for row in rows]


def _found(
    session: Session, actor: Principal, appointment_id: uuid.UUID, *, lock: bool = False
) -> tuple[Appointment, Lead]:
    statement = (
        select(Appointment, Lead)
        .join(Lead, Lead.id == Appointment.lead_id)
        .where(Appointment.id == appointment_id, visible(session, actor))
    )
    found = session.execute(statement.with_for_update(of=Appointment) if lock else statement).first()
    if found is None:
        raise NotFound("appointment not found")
    return found[0], found[1]


def get_appointment(*, session: Session, actor: Principal, appointment_id: uuid.UUID) -> AppointmentRead:
    return AppointmentRead.model_validate(_found(session, actor, appointment_id)[0])


def update_appointment(
    *, session: Session, actor: Principal, appointment_id: uuid.UUID, data: AppointmentUpdate
) -> AppointmentRead:
    """Change the fields given. With ``version``: 409 when it changed since. A time after its end (or an end
    before its start) is a 422."""
    row, lead = _found(session, actor, appointment_id, lock=True)
    if data.version is not None and data.version != row.version:
        raise Conflict("the appointment changed since you saw it", code="appointment_changed")
    given: dict[str, Any] = data.model_dump(exclude_unset=True, exclude={"version"})
    for nullable in ("location", "link", "attendee_id", "reminder_minutes"):
        given.setdefault(nullable, getattr(row, nullable))
    for required in ("title", "starts_at", "ends_at", "timezone", "status"):
        if given.get(required) is None:
            given[required] = getattr(row, required)
    if given["link"] is not None:
        given["link"] = str(given["link"])
    if given["ends_at"] <= given["starts_at"]:
        raise Invalid(
            "an appointment ends after it starts",
            [FieldError("ends_at", "must be after starts_at", code="ends_before_start")],
        )
    if given["attendee_id"] != row.attendee_id:
        _check_attendee(session, actor, given["attendee_id"], row.attendee_id)
    changed = [name for name, value in given.items() if getattr(row, name) != value]
    if not changed:
        return AppointmentRead.model_validate(row)
    for name in changed:
        setattr(row, name, given[name])
    row.version += 1
    session.flush()
    session.refresh(row)
    events.updated(session, row, lead, changed)
    reminders.record_schedule(session, row)
    return AppointmentRead.model_validate(row)
