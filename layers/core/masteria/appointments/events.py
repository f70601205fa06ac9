"""The appointment events (meeting.scheduled, appointment.updated), built from an appointment and its lead as
they are after the change."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from masteria.appointments.models import Appointment
from masteria.event_payloads import AppointmentUpdatedPayload, MeetingScheduledPayload
from masteria.events import record_event
from masteria.pipelines.models import Lead


def _fields(appointment: Appointment, lead: Lead) -> dict[str, Any]:
    return {
        "appointment_id": appointment.id,
        "lead_id": lead.id,
        "pipeline_id": lead.pipeline_id,
        "contact_id": lead.contact_id,
        "owner_id": lead.owner_id,
        "attendee_id": appointment.attendee_id,
        "starts_at": appointment.starts_at,
        "ends_at": appointment.ends_at,
        "timezone": appointment.timezone,
        "status": appointment.status,
        "version": appointment.version,
    }


def meeting_scheduled(session: Session, appointment: Appointment, lead: Lead) -> None:
    payload = MeetingScheduledPayload(
        **_fields(appointment, lead),
        stage_id=lead.stage_id,
        lead_title=lead.title,
        value=lead.value,
        currency=lead.currency,
        title=appointment.title,
    )
    record_event(session, company_id=lead.company_id, payload=payload)


def updated(session: Session, appointment: Appointment, lead: Lead, changed: list[str]) -> None:
    """appointment.updated: ``change`` is its new status, else ``rescheduled`` when its time moved."""
    if "status" in changed and appointment.status != "scheduled":
        change = appointment.status
    elif {"starts_at", "ends_at", "status"} & set(changed):
        change = "rescheduled"
    else:
        change = "updated"
    payload = AppointmentUpdatedPayload(**_fields(appointment, lead), change=change, changed=changed)
    record_event(session, company_id=lead.company_id, payload=payload)
