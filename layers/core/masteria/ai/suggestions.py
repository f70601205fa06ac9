"""The AI's pending stage suggestions, as users see and decide them: a pipeline's (for the board), a lead's, and
accepting one (the move is the accepting user's, its reason naming the AI's suggestion) or rejecting it.

A suggestion is seen and decided by whoever sees its lead (``pipelines.access``); another's, or another company's,
is "not found". One no longer pending (accepted, rejected, superseded by a newer one, applied) is a 409 naming its
state; one made from a stage the lead has since left is stale: hidden on the board, and accepting it is a 409
(rejecting it is allowed, which clears it)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.ai.models import PersonaVersion
from masteria.ai.progression import MEETING_MINUTES, MEETING_TITLES, ai_reason
from masteria.ai.progression_models import StageProposal
from masteria.ai.progression_schemas import SuggestionAccept, SuggestionDecided, SuggestionRead, SuggestionReject
from masteria.appointments.meetings import MEETING
from masteria.appointments.schemas import AppointmentCreate
from masteria.errors import Conflict, NotFound, StateConflict
from masteria.pagination import Page, PageRequest, paginate
from masteria.pipelines import lead_events, moves
from masteria.pipelines.access import lead_or_404, pipeline_or_404, visible
from masteria.pipelines.models import Lead, Stage
from masteria.pipelines.reads import pending_suggestion, read_lead
from masteria.pipelines.schemas import LeadMove
from masteria.ports import Clock
from masteria.tenancy.models import Company
from masteria.tenancy.service import Principal

LEAD_LIMIT = 100
ACCEPTED_PREFIX = "AI suggestion accepted. "


def list_pipeline_suggestions(
    *, session: Session, actor: Principal, pipeline_id: uuid.UUID, page: PageRequest
) -> Page[SuggestionRead]:
    """The pipeline's pending suggestions on leads ``actor`` sees (one per lead at most), newest first; stale ones
    (made from a stage the lead has left) are not listed."""
    pipeline = pipeline_or_404(session, pipeline_id)
    statement = (
        select(StageProposal)
        .join(Lead, pending_suggestion())
        .where(StageProposal.pipeline_id == pipeline.id, visible(session, actor))
    )
    rows, cursor = paginate(session, statement, keys=[StageProposal.created_at, StageProposal.id], page=page)
    return Page[SuggestionRead](items=[SuggestionRead.model_validate(row) for row in rows], next_cursor=cursor)


def list_lead_suggestions(*, session: Session, actor: Principal, lead_id: uuid.UUID) -> list[SuggestionRead]:
    """Every stage proposal the AI made for the lead, whatever became of it (the latest ``LEAD_LIMIT``), newest
    first."""
    lead = lead_or_404(session, actor, lead_id)
    rows = session.scalars(
        select(StageProposal)
        .where(StageProposal.lead_id == lead.id)
        .order_by(StageProposal.created_at.desc(), StageProposal.id.desc())
        .limit(LEAD_LIMIT)
    )
    return [SuggestionRead.model_validate(row) for row in rows]


def _pending(session: Session, lead: Lead, suggestion_id: uuid.UUID) -> StageProposal:
    proposal = session.scalars(
        select(StageProposal)
        .where(StageProposal.id == suggestion_id, StageProposal.lead_id == lead.id)
        .with_for_update()
    ).first()
    if proposal is None:
        raise NotFound("suggestion not found")
    if proposal.status != "pending":
        raise StateConflict(
            f"the suggestion is no longer pending (it is {proposal.status})",
            current_state=proposal.status,
            code="suggestion_not_pending",
        )
    return proposal


def _accepted_reason(session: Session, proposal: StageProposal) -> str:
    name = session.scalar(
        select(PersonaVersion.name).where(
            PersonaVersion.persona_id == proposal.persona_id, PersonaVersion.version == proposal.persona_version
        )
    )
    return ACCEPTED_PREFIX + ai_reason(
        persona_name=name or "persona", persona_version=proposal.persona_version, model=proposal.model,
        confidence=float(proposal.confidence), quote=proposal.evidence, room=len(ACCEPTED_PREFIX),
    )  # fmt: skip


def _agreed_meeting(
    session: Session, proposal: StageProposal, lead: Lead, stage: Stage, now: datetime
) -> AppointmentCreate | None:
    """Into a meeting stage, the appointment at the time the customer agreed (when it is still ahead)."""
    if stage.semantic_type != MEETING or proposal.agreed_time is None or proposal.agreed_time <= now:
        return None
    timezone = session.scalar(select(Company.timezone).where(Company.id == lead.company_id)) or "UTC"
    language = session.scalar(
        select(PersonaVersion.language).where(
            PersonaVersion.persona_id == proposal.persona_id, PersonaVersion.version == proposal.persona_version
        )
    )
    return AppointmentCreate(
        title=f"{MEETING_TITLES.get(language or '', 'Meeting')}: {lead.title}"[:200],
        starts_at=proposal.agreed_time, ends_at=proposal.agreed_time + timedelta(minutes=MEETING_MINUTES),
        timezone=timezone,
    )  # fmt: skip


def accept_suggestion(
    *,
    session: Session,
    clock: Clock,
    actor: Principal,
    lead_id: uuid.UUID,
    suggestion_id: uuid.UUID,
    data: SuggestionAccept,
) -> SuggestionDecided:
    """Move the lead as the AI suggested, as ``actor`` (the move's reason names the AI's suggestion and quote).
    Into a meeting stage: ``data.appointment``, else one at the time the customer agreed (when it is ahead), else
    the lead's scheduled appointment ahead (422 without any). 409 when it is no longer pending or is stale; the
    move's own 409s and 422s (a full column, a won or lost stage…) as a move's."""
    lead = lead_or_404(session, actor, lead_id, lock=True)
    proposal = _pending(session, lead, suggestion_id)
    stage = session.scalar(
        select(Stage).where(
            Stage.id == proposal.to_stage_id, Stage.pipeline_id == lead.pipeline_id, Stage.archived_at.is_(None)
        )
    )
    if proposal.from_stage_id != lead.stage_id or stage is None:
        raise Conflict(
            "the lead moved, or the stage was archived, since the AI suggested this", code="suggestion_stale"
        )
    now = clock.now()
    appointment = data.appointment or _agreed_meeting(session, proposal, lead, stage, now)
    proposal.status, proposal.decided_by, proposal.decided_at = "accepted", actor.user_id, now
    session.flush()
    moved = moves.move_lead(
        session=session, clock=clock, actor=actor, lead_id=lead.id,
        data=LeadMove(
            to_stage_id=stage.id, version=lead.version, reason=_accepted_reason(session, proposal),
            appointment=appointment if stage.semantic_type == MEETING else None,
        ),
    )  # fmt: skip
    return SuggestionDecided(suggestion=SuggestionRead.model_validate(proposal), lead=moved.lead)


def reject_suggestion(
    *,
    session: Session,
    clock: Clock,
    actor: Principal,
    lead_id: uuid.UUID,
    suggestion_id: uuid.UUID,
    data: SuggestionReject,
) -> SuggestionDecided:
    """Reject the suggestion (with an optional reason): the lead stays; boards drop the suggestion
    (``lead.updated`` naming ``suggestion``). 409 when it is no longer pending."""
    lead = lead_or_404(session, actor, lead_id, lock=True)
    proposal = _pending(session, lead, suggestion_id)
    proposal.status, proposal.decided_by, proposal.decided_at = "rejected", actor.user_id, clock.now()
    proposal.decision_reason = data.reason
    session.flush()
    lead_events.updated(session, lead, ["suggestion"])
    return SuggestionDecided(suggestion=SuggestionRead.model_validate(proposal), lead=read_lead(session, lead))
