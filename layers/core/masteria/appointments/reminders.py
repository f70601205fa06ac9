"""An appointment's reminder to its attendee: a one-time schedule (EventBridge Scheduler on AWS, the local
scheduler's table locally) kept in line with the appointment, as a campaign's (campaigns/schedules.py).

Creating, rescheduling, cancelling or completing an appointment writes, in the same transaction, a job for
``appointment_scheduler``, which creates, moves or deletes the schedule from the appointment as it is then (a
repeated or late job applies today's state: masteria.mirror). The schedule puts a ``ReminderJob`` naming the
appointment's version on ``appointment-reminder``; its worker notifies the attendee only if the appointment is
still that version and still scheduled, and only once (``reminded_version``). A reminder whose time has passed
while the appointment is still ahead is sent at once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.appointments.models import Appointment
from masteria.contacts.models import Contact
from masteria.db import Database
from masteria.jobs import record_job
from masteria.mirror import converge
from masteria.notifications import service as notifications
from masteria.pipelines.models import Lead
from masteria.ports import Clock, Scheduler
from masteria.schemas import StrictModel

QUEUE = "appointment-schedule"
REMINDER_QUEUE = "appointment-reminder"
IMMEDIATE = timedelta(seconds=2)  # a reminder due this soon is sent at once, without the scheduler
KIND = "appointment_reminder"


class ScheduleJob(StrictModel):
    """Bring the appointment's reminder schedule in line with the appointment."""

    company_id: uuid.UUID
    appointment_id: uuid.UUID


class ReminderJob(StrictModel):
    """Remind the attendee of the appointment, if it is still ``version`` (else it changed: nothing)."""

    company_id: uuid.UUID
    appointment_id: uuid.UUID
    version: int
    starts_at: datetime


def schedule_name(appointment_id: uuid.UUID) -> str:
    return f"appointment-{appointment_id}"


def record_schedule(session: Session, appointment: Appointment) -> None:
    """Create, move or delete ``appointment``'s reminder once this transaction commits."""
    body = ScheduleJob(company_id=appointment.company_id, appointment_id=appointment.id).model_dump_json()
    record_job(session, company_id=appointment.company_id, queue=QUEUE, body=body)


def remind_at(appointment: Appointment) -> datetime | None:
    """When its attendee is to be reminded (None: never: no reminder, nobody attends, not scheduled, sent)."""
    if (
        appointment.status != "scheduled"
        or appointment.reminder_minutes is None
        or appointment.attendee_id is None
        or appointment.reminded_version == appointment.version
    ):
        return None
    return appointment.starts_at - timedelta(minutes=appointment.reminder_minutes)


@dataclass(frozen=True)
class Wanted:
    """What the scheduler should hold: a schedule of ``job`` at ``at``, or none (``now``: and remind at once)."""

    job: ReminderJob | None = None
    at: datetime | None = None
    now: bool = False


def sync(*, db: Database, scheduler: Scheduler, clock: Clock, job: ScheduleJob) -> Wanted:
    """Create or move the reminder of an appointment still ahead; delete it otherwise. The state it applied."""
    now, name = clock.now(), schedule_name(job.appointment_id)

    def current() -> Wanted:
        with db.tenant(job.company_id, relay=False) as session:
            row = session.get(Appointment, job.appointment_id)
            at = remind_at(row) if row is not None else None
            if row is None or at is None or row.starts_at <= now:
                return Wanted()
            reminder = ReminderJob(
                company_id=row.company_id, appointment_id=row.id, version=row.version, starts_at=row.starts_at
            )
            return Wanted(job=reminder, at=at) if at > now + IMMEDIATE else Wanted(job=reminder, now=True)

    def apply(wanted: Wanted) -> None:
        if wanted.job is not None and not wanted.now:
            assert wanted.at is not None
            scheduler.schedule(name, at=wanted.at, queue=REMINDER_QUEUE, body=wanted.job.model_dump_json())
            return
        scheduler.cancel(name)
        if wanted.job is not None:
            with db.tenant(job.company_id) as session:
                record_job(session, company_id=job.company_id, queue=REMINDER_QUEUE, body=wanted.job.model_dump_json())

    return converge(current, apply)


def remind(*, db: Database, job: ReminderJob) -> bool:
    """Notify the attendee, once, if the appointment is still the one the reminder was scheduled for; whether
    it did."""
    with db.tenant(job.company_id) as session:
        row = session.scalars(select(Appointment).where(Appointment.id == job.appointment_id).with_for_update()).first()
        if row is None or row.version != job.version or row.starts_at != job.starts_at or remind_at(row) is None:
            return False  # changed, cancelled, done, or already reminded: a newer schedule (or none) holds
        lead = session.get(Lead, row.lead_id)
        assert lead is not None and row.attendee_id is not None
        contact = session.get(Contact, lead.contact_id)
        who = (contact.name or contact.phone) if contact is not None else "a contact"
        row.reminded_version = row.version
        when = f"{row.starts_at.astimezone(ZoneInfo(row.timezone)):%Y-%m-%d %H:%M} ({row.timezone})"
        notifications.notify(
            session,
            company_id=row.company_id,
            user_id=row.attendee_id,
            kind=KIND,
            title=f"Appointment soon: {row.title}",
            body=f"{row.title} with {who} ({lead.title}) starts {when}.",
            data={
                "appointment_id": str(row.id), "lead_id": str(lead.id), "pipeline_id": str(lead.pipeline_id),
                "contact_id": str(lead.contact_id), "contact_name": who, "lead_title": lead.title,
                "title": row.title, "starts_at": row.starts_at.isoformat(), "timezone": row.timezone,
            },
        )  # fmt: skip
        return True
