"""A lead's history (its stage changes, each with the time the lead spent in that stage) and its timeline (the
history, its notes, its appointments and the AI's decisions about it, newest first, beside a link to its
conversation)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from masteria.ai.models import AiDecision, PersonaVersion
from masteria.appointments.models import Appointment
from masteria.appointments.schemas import AppointmentRead
from masteria.pipelines.access import lead_or_404
from masteria.pipelines.models import Lead, LeadNote, StageChange
from masteria.pipelines.schemas import (
    AiDecisionRead,
    LeadNoteRead,
    StageChangeRead,
    Timeline,
    TimelineAiDecision,
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


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def ai_decisions(session: Session, lead: Lead, *, limit: int = TIMELINE_LIMIT) -> list[AiDecisionRead]:
    """The AI's decisions about the lead (its proposals, moves and updates) and those in its conversation that name
    no lead (replies, handoffs) since the lead was created, newest first, with the persona version's name."""
    about = AiDecision.lead_id == lead.id
    if lead.conversation_id is not None:
        about |= (
            (AiDecision.conversation_id == lead.conversation_id)
            & AiDecision.lead_id.is_(None)
            & (AiDecision.created_at >= lead.created_at)
        )
    rows = session.execute(
        select(AiDecision, PersonaVersion.name)
        .outerjoin(
            PersonaVersion,
            (PersonaVersion.persona_id == AiDecision.persona_id)
            & (PersonaVersion.version == AiDecision.persona_version),
        )
        .where(about)
        .order_by(AiDecision.id.desc())
        .limit(limit)
    ).all()
    found = []
    for decision, persona_name in rows:
        detail = decision.detail or {}
        to_stage = _text(detail.get("stage_id"))
        found.append(
            AiDecisionRead(
                id=decision.id, kind=decision.kind, persona_id=decision.persona_id,
                persona_name=persona_name, persona_version=decision.persona_version, model=decision.model,
                conversation_id=decision.conversation_id, outcome=_text(detail.get("outcome")),
                confidence=_number(detail.get("confidence")), evidence=_text(detail.get("evidence")),
                to_stage_id=uuid.UUID(to_stage) if to_stage else None, detail=detail, inputs=decision.inputs or {},
                created_at=decision.created_at,
            )
        )  # fmt: skip
    return found


def get_history(*, session: Session, actor: Principal, lead_id: uuid.UUID) -> list[StageChangeRead]:
    lead = lead_or_404(session, actor, lead_id)
    return stage_changes(session, lead.id)


def get_timeline(*, session: Session, actor: Principal, lead_id: uuid.UUID) -> Timeline:
    """The lead's stage changes, notes, appointments and AI decisions (the latest ``TIMELINE_LIMIT`` of each; an
    appointment at its start), newest first."""
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
    entries += [TimelineAiDecision(at=row.created_at, ai_decision=row) for row in ai_decisions(session, lead)]
    # newest first; at one instant (a lead created with a note) the stage change came first
    entries.sort(key=lambda entry: (entry.at, entry.kind != "stage_change"), reverse=True)
    return Timeline(lead_id=lead.id, contact_id=lead.contact_id, conversation_id=lead.conversation_id, entries=entries)
