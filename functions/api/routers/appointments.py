"""Appointments of leads: schedule one, list a lead's, read, change (reschedule, cancel, done, no-show)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from functions.api.deps import CallerDep
from functions.api.error_docs import problems
from masteria.appointments import service
from masteria.appointments.schemas import AppointmentCreate, AppointmentRead, AppointmentUpdate

router = APIRouter(prefix="/v1", tags=["appointments"])


@router.post(
    "/leads/{lead_id}/appointments",
    responses=problems(403),
    status_code=status.HTTP_201_CREATED,
    response_model=AppointmentRead,
)
def create_appointment(lead_id: uuid.UUID, body: AppointmentCreate, caller: CallerDep) -> AppointmentRead:
    """Schedule an appointment of the lead (its attendee: you unless named; agents attend themselves, 403
    otherwise). Its attendee is reminded `reminder_minutes` before (default 60; null: no reminder)."""
    return service.create_appointment(session=caller.session, actor=caller.principal, lead_id=lead_id, data=body)


@router.get("/leads/{lead_id}/appointments", response_model=list[AppointmentRead])
def list_appointments(lead_id: uuid.UUID, caller: CallerDep) -> list[AppointmentRead]:
    """The lead's appointments, soonest first."""
    return service.list_appointments(session=caller.session, actor=caller.principal, lead_id=lead_id)


@router.get("/appointments/{appointment_id}", response_model=AppointmentRead)
def get_appointment(appointment_id: uuid.UUID, caller: CallerDep) -> AppointmentRead:
    return service.get_appointment(session=caller.session, actor=caller.principal, appointment_id=appointment_id)


@router.patch("/appointments/{appointment_id}", responses=problems(403, 409), response_model=AppointmentRead)
def update_appointment(appointment_id: uuid.UUID, body: AppointmentUpdate, caller: CallerDep) -> AppointmentRead:
    """Change some fields: a new time reschedules it (its reminder moves), a status of `cancelled`, `done` or
    `no_show` ends it (its reminder goes). With `version`: 409 (`appointment_changed`) when it changed since."""
    return service.update_appointment(
        session=caller.session, actor=caller.principal, appointment_id=appointment_id, data=body
    )
