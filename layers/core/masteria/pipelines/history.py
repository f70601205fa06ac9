"""A lead's history (its stage changes, each with the time the lead spent in that stage) and its timeline (the
history and its notes, newest first, beside a link to its conversation)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from masteria.appointments.models import Appointment
from masteria.appointments.schemas import AppointmentRead
from masteria.pipelines.access import lead_or_404
from masteria.pipelines.models import LeadNote, StageChange
from masteria.pipelines.schemas import (
    LeadNoteRead,
    StageChangeRead,
    Timeline,
    TimelineAppointment,
    TimelineEntry,
    TimelineNote,
    TimelineStageChange,
)
from masteria.tenancy.service import Principal

TIMELINE_LIMIT = 200


def _seconds(start: datetime, end: datetime | None) -> int | None:
    return int((end - start).total_seconds()) if end is not None else None


def stage_changes(session: Session, lead_id: uuid.UUID, *, limit: int = TIMELINE_LIMIT) -> list[StageChangeRead]:
    """The lead's stage changes, oldest first, each with when the lead left that stage again."""
    left_at = func.lead(StageChange.moved_at).over(partition_by=StageChange.lead_id, order_by=StageChange.id)
    rows = session.execute(
        select(StageChange, left_at.label("left_at"))
        .where(StageChange.lead_id == lead_id)
        .order_by(StageChange.id.desc())
        .limit(limit)
    ).all()
    return [
        StageChangeRead(
            id=change.id,
            lead_id=change.lead_id,
            from_stage_id=change.from_stage_id,
            to_stage_id=change.to_stage_id,
            actor_kind=change.actor_kind,
            actor_id=change.actor_id,
            reason=change.reason,
            moved_at=change.moved_at,
            left_at=left,
            seconds_in_stage=_seconds(change.moved_at, left),
        )
        for change, left in reversed(rows)
    ]


def get_history(*, session: Session, actor: Principal, lead_id: uuid.UUID) -> list[StageChangeRead]:
    lead = lead_or_404(session, actor, lead_id)
    return stage_changes(session, lead.id)


def get_timeline(*, session: Session, actor: Principal, lead_id: uuid.UUID) -> Timeline:
    """The lead's stage changes, notes and appointments (the latest ``TIMELINE_LIMIT`` of each; an appointment
    at its start), newest first."""
    lead = lead_or_404(session, actor, lead_id)
    entries: list[TimelineEntry] = [
        TimelineStageChange(at=change.moved_at, stage_change=change) for change in stage_changes(session, lead.id)
    ]
    notes = session.scalars(
        select(LeadNote).where(LeadNote.lead_id == lead.id).order_by(LeadNote.created_at.desc()).limit(TIMELINE_LIMIT)
    )
    entries += [TimelineNote(at=note.created_at, note=LeadNoteRead.model_validate(note)) for note in notes]
    appointments = session.scalars(
        select(Appointment)
        .where(Appointment.lead_id == lead.id)
        .order_by(Appointment.starts_at.desc())
        .limit(TIMELINE_LIMIT)
    )
    entries += [
        TimelineAppointment(at=row.starts_at, appointment=AppointmentRead.model_validate(row)) for row in appointments
    ]
    # newest first; at one instant (a lead created with a note) the stage change came first
    entries.sort(key=lambda entry: (entry.at, entry.kind != "stage_change"), reverse=True)
    return Timeline(lead_id=lead.id, contact_id=lead.contact_id, conversation_id=lead.conversation_id, entries=entries)
