"""Moving a card: to another stage or within its stage, after or before a neighbour, and closing a lead as won
or lost.

Concurrent moves keep one order: a move locks its lead (its version must be the one its client saw, else 409
with the lead as it is now) and then its destination column (writers of one column's ranks take turns, so a new
rank is computed against the column as it is); the new rank lies between the neighbour and the card next to it
(``ranks.between``), so the move writes one row and no other card changes. A unique index on (stage, rank) is
the last word. A stage change is recorded once in the lead's history, in the same transaction."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from masteria.appointments import meetings
from masteria.errors import Conflict, FieldError, Invalid
from masteria.observability import logger
from masteria.pipelines import lead_events, ranks
from masteria.pipelines.access import lead_or_404, stage_or_404
from masteria.pipelines.models import Lead, Stage, StageChange
from masteria.pipelines.reads import read_lead
from masteria.pipelines.schemas import ActorKind, LeadClose, LeadMove, LeadRead
from masteria.ports import Clock
from masteria.tenancy.service import Principal

CLOSING = ("won", "lost")
# a new key longer than this renumbers its column (the keys' column holds RANK_MAX_LENGTH)
RENUMBER_LENGTH = 128


@dataclass(frozen=True)
class Actor:
    """Who or what moves a lead: a user, an automation or the AI (with its id, when it has one)."""

    kind: ActorKind
    id: uuid.UUID | None


@dataclass(frozen=True)
class Moved:
    lead: LeadRead
    change: StageChange | None  # None: the card moved within its stage


def conflict(session: Session, lead: Lead, detail: str, code: str) -> Conflict:
    """A 409 whose body carries the lead as it is now (``lead``), for the client to redraw it."""
    error = Conflict(detail, code=code)
    error.extra = {"lead": read_lead(session, lead).model_dump(mode="json")}
    return error


def _beside(session: Session, lead: Lead, stage: Stage, neighbour_id: uuid.UUID, field: str) -> tuple[str, str | None]:
    """The neighbour's rank and, in one query, the rank next to it on the side the lead goes (``after_id``: the
    next card down, ``before_id``: the next card up; None at the end of the column; the lead is no card of it)."""
    if neighbour_id == lead.id:
        raise Invalid(
            "a card is not its own neighbour", [FieldError(field, "is the lead itself", code="own_neighbour")]
        )
    neighbour = aliased(Lead)
    others = (Lead.stage_id == stage.id, Lead.id != lead.id)
    next_to = (
        select(func.min(Lead.rank)).where(*others, Lead.rank > neighbour.rank)
        if field == "after_id"
        else select(func.max(Lead.rank)).where(*others, Lead.rank < neighbour.rank)
    )
    found = session.execute(
        select(neighbour.rank, next_to.scalar_subquery()).where(
            neighbour.id == neighbour_id, neighbour.stage_id == stage.id
        )
    ).first()
    if found is None:  # gone, moved to another column, or another company's
        raise conflict(session, lead, "the neighbour card is no longer in that stage", "neighbour_moved")
    return found[0], found[1]


def top_of(session: Session, stage: Stage) -> str:
    """A rank above every card of ``stage`` (locked by the caller): where a new lead goes."""
    return ranks.between(None, session.scalar(select(func.min(Lead.rank)).where(Lead.stage_id == stage.id)))


def place(
    session: Session, stage: Stage, lead: Lead, *, after_id: uuid.UUID | None, before_id: uuid.UUID | None
) -> str:
    """A rank for ``lead`` in ``stage`` (locked by the caller) right after ``after_id``, right before
    ``before_id``, or at the top of the column (the lead itself is no neighbour)."""
    low: str | None
    high: str | None
    if after_id is not None:
        low, high = _beside(session, lead, stage, after_id, "after_id")
    elif before_id is not None:
        high, low = _beside(session, lead, stage, before_id, "before_id")
    else:
        low = None
        high = session.scalar(select(func.min(Lead.rank)).where(Lead.stage_id == stage.id, Lead.id != lead.id))
    rank = ranks.between(low, high)
    return rank if len(rank) <= RENUMBER_LENGTH else _renumber(session, stage, lead, low)


def _renumber(session: Session, stage: Stage, lead: Lead, low: str | None) -> str:
    """Give the column short ranks again, in the same order, and the lead's own place in it right after ``low``.
    Only when drops into one gap, thousands of times, made a key long: never on an ordinary move. (Two passes:
    a unique index is checked row by row, so the old keys step aside first.)"""
    rows = session.execute(
        select(Lead.id, Lead.rank).where(Lead.stage_id == stage.id, Lead.id != lead.id).order_by(Lead.rank)
    ).all()
    position = sum(1 for _, rank in rows if low is not None and rank <= low)
    keys = ranks.spread(None, None, len(rows) + 1)
    mine = keys.pop(position)
    ids = [row.id for row in rows]
    if lead.stage_id == stage.id:  # a reorder: its old key stepped aside too, so it takes its new one at once
        ids.append(lead.id)
        keys.append(mine)
    session.execute(
        update(Lead)
        .where(Lead.stage_id == stage.id)
        .values(rank="~" + Lead.rank)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        text(
            "UPDATE leads SET rank = v.rank FROM unnest(CAST(:ids AS uuid[]), CAST(:ranks AS text[])) AS v(id, rank)"
            " WHERE leads.id = v.id"
        ),
        {"ids": [str(i) for i in ids], "ranks": keys},
    )
    logger.info("column renumbered", extra={"stage_id": str(stage.id), "cards": len(rows) + 1})
    return mine


def _open_count(session: Session, stage: Stage) -> int:
    return session.scalar(select(func.count()).where(Lead.stage_id == stage.id, Lead.status == "open")) or 0


def _apply(
    session: Session,
    *,
    lead: Lead,
    stage: Stage,
    rank: str,
    actor: Actor,
    reason: str | None,
    now: datetime,
) -> StageChange | None:
    """Write the move (and its history row when the stage changes) and record its events."""
    from_stage_id = lead.stage_id
    changed_stage = from_stage_id != stage.id
    was_open = lead.status == "open"
    closing = stage.semantic_type in CLOSING
    if changed_stage and closing and not reason:
        raise Invalid(
            "closing a lead as won or lost needs a reason",
            [FieldError("reason", "required to close a lead", code="close_reason_required")],
        )
    if changed_stage and stage.wip_limit is not None and not closing and _open_count(session, stage) >= stage.wip_limit:
        raise conflict(session, lead, f"the stage holds at most {stage.wip_limit} open leads", "stage_full")
    change = None
    # a lead reopened (out of a won or lost stage) may clash with the contact's other open lead: its writes go
    # in a savepoint (begin_nested flushes what is pending before it opens), so the clash is a 409, not a
    # broken transaction; any other move breaks no unique rule (ranks take turns per column) and needs none
    reopening = changed_stage and not was_open and not closing
    try:
        with session.begin_nested() if reopening else contextlib.nullcontext():
            lead.stage_id, lead.rank, lead.version, lead.updated_at = stage.id, rank, lead.version + 1, now
            if changed_stage:
                lead.stage_entered_at = now
                if closing:
                    lead.status, lead.close_reason, lead.closed_at = stage.semantic_type, reason, now  # type: ignore[assignment]
                elif not was_open:  # out of a won or lost stage: open again
                    lead.status, lead.close_reason, lead.closed_at = "open", None, None
                change = StageChange(
                    company_id=lead.company_id, lead_id=lead.id, pipeline_id=lead.pipeline_id,
                    from_stage_id=from_stage_id, to_stage_id=stage.id, actor_kind=actor.kind, actor_id=actor.id,
                    reason=reason, lead_version=lead.version, moved_at=now,
                )  # fmt: skip
                session.add(change)
            session.flush()
    except IntegrityError as error:
        if not reopening:
            raise
        session.refresh(lead)
        raise conflict(
            session, lead, "the contact has another open lead on this pipeline", "open_lead_exists"
        ) from error
    if change is None:
        lead_events.updated(session, lead, ["rank"])
    else:
        lead_events.stage_changed(session, lead, change)
        if lead.status in CLOSING and was_open:
            lead_events.closed(session, lead)
    return change


def move_lead(
    *, session: Session, clock: Clock, actor: Principal, lead_id: uuid.UUID, data: LeadMove, by: Actor | None = None
) -> Moved:
    """Move a card to ``data.to_stage_id`` (its own stage: a reorder), right after ``after_id`` or before
    ``before_id`` (neither: the top). 409 with the current lead when its version is not ``data.version``, the
    neighbour left that stage, the stage is at its WIP limit, or reopening it clashes with another open lead of
    the contact. ``by`` says who moved it when it is not the actor (an automation, the AI). Into a meeting stage
    it needs its appointment (``appointments.meetings``: 422 without one), announced once with the move."""
    lead = lead_or_404(session, actor, lead_id, lock=True)
    return move_found(session=session, clock=clock, principal=actor, lead=lead, data=data, by=by)


def move_found(
    *,
    session: Session,
    clock: Clock,
    principal: Principal | None,
    lead: Lead,
    data: LeadMove,
    by: Actor | None = None,
) -> Moved:
    """``move_lead`` of a lead already found and locked (``FOR UPDATE``) by the caller: the AI's moves, which have
    no user (``principal`` None; ``by`` then says who moved it, and a new appointment names its own attendee)."""
    if lead.version != data.version:
        raise conflict(session, lead, "the lead changed since you saw it", "lead_changed")
    stage = stage_or_404(session, lead.pipeline_id, data.to_stage_id, lock=True)
    now = clock.now()
    meeting = meetings.needed(session, lead, stage, data.appointment, now)
    rank = place(session, stage, lead, after_id=data.after_id, before_id=data.before_id)
    who = by or Actor("user", principal.user_id if principal is not None else None)
    change = _apply(session, lead=lead, stage=stage, rank=rank, actor=who, reason=data.reason, now=now)
    if meeting is not None:
        meetings.scheduled(session, principal, lead, meeting)
    return Moved(lead=read_lead(session, lead), change=change)


def close_lead(*, session: Session, clock: Clock, actor: Principal, lead_id: uuid.UUID, data: LeadClose) -> Moved:
    """Close a lead as won or lost, with its reason: it moves to the top of ``data.stage_id`` or of the
    pipeline's first stage of that outcome."""
    lead = lead_or_404(session, actor, lead_id, lock=True)
    if lead.version != data.version:
        raise conflict(session, lead, "the lead changed since you saw it", "lead_changed")
    stage_id = data.stage_id or session.scalar(
        select(Stage.id)
        .where(Stage.pipeline_id == lead.pipeline_id, Stage.semantic_type == data.outcome, Stage.archived_at.is_(None))
        .order_by(Stage.position)
        .limit(1)
    )
    if stage_id is None:
        raise Conflict(
            f"the pipeline has no {data.outcome} stage", code="no_outcome_stage", params={"outcome": data.outcome}
        )
    stage = stage_or_404(session, lead.pipeline_id, stage_id, lock=True)
    if stage.semantic_type != data.outcome:
        raise Invalid(
            f"that stage is not a {data.outcome} stage",
            [FieldError("stage_id", f"must be a {data.outcome} stage", code="not_outcome_stage")],
        )
    if lead.stage_id == stage.id:
        raise conflict(session, lead, f"the lead is already {data.outcome}", "already_closed")
    rank = place(session, stage, lead, after_id=None, before_id=None)
    change = _apply(
        session, lead=lead, stage=stage, rank=rank, actor=Actor("user", actor.user_id), reason=data.reason,
        now=clock.now(),
    )  # fmt: skip
    return Moved(lead=read_lead(session, lead), change=change)
