"""A lead moved into a stage whose semantic type is ``meeting_scheduled`` has its meeting: the move's payload
carries a new appointment (created in the move's transaction), or the lead already has a scheduled one ahead;
otherwise the move is a 422 on ``appointment``.

Then, exactly once per move and in the move's transaction (a retried move names a version the lead no longer
has and is a 409; a rolled-back one leaves nothing): an in-app notification for every user of the company
(``new_appointment``), the ``meeting.scheduled`` event (webhooks, and the realtime frame on the lead's
pipeline and lead topics; the notification has its own frame)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.appointments import events, service
from masteria.appointments.models import Appointment
from masteria.appointments.schemas import AppointmentCreate
from masteria.contacts.models import Contact
from masteria.errors import FieldError, Invalid
from masteria.notifications import service as notifications
from masteria.pipelines.models import Lead, Stage
from masteria.tenancy.service import Principal

MEETING = "meeting_scheduled"
KIND = "new_appointment"


@dataclass(frozen=True)
class Meeting:
    """The appointment a move into a meeting stage brings (new) or finds (already scheduled)."""

    new: AppointmentCreate | None = None
    existing: Appointment | None = None


def needed(session: Session, lead: Lead, stage: Stage, data: AppointmentCreate | None, now: datetime) -> Meeting | None:
    """Before the move: None when ``stage`` is no meeting stage (or the lead is already on it); else its
    appointment, or a 422 when it has none."""
    if stage.semantic_type != MEETING or lead.stage_id == stage.id:
        if data is not None:
            raise Invalid(
                "only a move into a meeting stage takes an appointment",
                [FieldError("appointment", "only into a meeting stage", code="appointment_not_expected")],
            )
        return None
    if data is not None:
        return Meeting(new=data)
    existing = session.scalars(
        select(Appointment)
        .where(Appointment.lead_id == lead.id, Appointment.status == "scheduled", Appointment.starts_at > now)
        .order_by(Appointment.starts_at)
        .limit(1)
    ).first()
    if existing is None:
        raise Invalid(
            "a move into a meeting stage needs an appointment: send one, or schedule one first",
            [FieldError("appointment", "required into a meeting stage", code="appointment_required")],
        )
    return Meeting(existing=existing)


def scheduled(session: Session, actor: Principal | None, lead: Lead, meeting: Meeting) -> Appointment:
    """After the move (``lead`` as it is now): the appointment, the notification and the event, once. ``actor``
    None: a move without a user (the AI's)."""
    appointment = meeting.existing or service.add(session, actor, lead, meeting.new)  # type: ignore[arg-type]
    contact = session.get(Contact, lead.contact_id)
    who = (contact.name or contact.phone) if contact is not None else "a contact"
    local = appointment.starts_at.astimezone(ZoneInfo(appointment.timezone))
    when = f"{local:%Y-%m-%d %H:%M} ({appointment.timezone})"
    notifications.notify(
        session,
        company_id=lead.company_id,
        kind=KIND,
        title=f"New appointment: {lead.title}",
        body=f"{appointment.title} with {who}, {when}.",
        data={
            "appointment_id": str(appointment.id), "lead_id": str(lead.id), "pipeline_id": str(lead.pipeline_id),
            "contact_id": str(lead.contact_id), "contact_name": who, "lead_title": lead.title,
            "title": appointment.title, "starts_at": appointment.starts_at.isoformat(),
            "timezone": appointment.timezone,
        },
    )  # fmt: skip
    events.meeting_scheduled(session, appointment, lead)
    return appointment
