"""The board: a pipeline's columns with their first page of cards and their totals, and the next pages of one
column (keyset on the rank, so a column of 10,000 cards opens as fast as one of ten), filtered alike."""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, exists, func, select, union_all
from sqlalchemy.orm import Session

from masteria.pagination import Page, PageRequest, cursor_after, paginate
from masteria.pipelines.access import pipeline_or_404, sees_all, stage_or_404, visible
from masteria.pipelines.models import Lead, LeadTag, Stage, StageTotal
from masteria.pipelines.reads import read_leads, read_pipeline
from masteria.pipelines.schemas import (
    Board,
    BoardColumn,
    BoardFilter,
    ColumnTotals,
    CurrencyTotal,
    LeadRead,
    StageRead,
)
from masteria.tenancy.service import Principal

BOARD_PAGE = 25


def _conditions(session: Session, actor: Principal, filters: BoardFilter) -> list[ColumnElement[bool]]:
    conditions = [visible(session, actor)]
    if filters.owner_id is not None:
        conditions.append(Lead.owner_id == filters.owner_id)
    if filters.unassigned:
        conditions.append(Lead.owner_id.is_(None))
    if filters.tag_ids:
        conditions.append(exists().where(LeadTag.lead_id == Lead.id, LeadTag.tag_id.in_(filters.tag_ids)))
    if filters.value_min is not None:
        conditions.append(Lead.value >= filters.value_min)
    if filters.value_max is not None:
        conditions.append(Lead.value <= filters.value_max)
    if filters.due_from is not None:
        conditions.append(Lead.due_date >= filters.due_from)
    if filters.due_to is not None:
        conditions.append(Lead.due_date <= filters.due_to)
    if filters.sources:
        conditions.append(Lead.source.in_(filters.sources))
    if filters.status is not None:
        conditions.append(Lead.status == filters.status)
    return conditions


def _totals(
    session: Session, pipeline_id: uuid.UUID, conditions: list[ColumnElement[bool]]
) -> dict[uuid.UUID, ColumnTotals]:
    """Count and value per column (per currency), in one aggregate over the pipeline's leads that match."""
    counts: dict[uuid.UUID, int] = defaultdict(int)
    values: dict[uuid.UUID, list[CurrencyTotal]] = defaultdict(list)
    for stage_id, currency, count, total in session.execute(
        select(Lead.stage_id, Lead.currency, func.count(), func.sum(Lead.value))
        .where(Lead.pipeline_id == pipeline_id, *conditions)
        .group_by(Lead.stage_id, Lead.currency)
        .order_by(Lead.stage_id, Lead.currency)
    ):
        counts[stage_id] += count
        if total is not None:
            values[stage_id].append(CurrencyTotal(currency=currency, value=Decimal(total)))
    return {s: ColumnTotals(count=counts[s], values=values[s]) for s in counts}


def _kept_totals(session: Session, pipeline_id: uuid.UUID) -> dict[uuid.UUID, ColumnTotals]:
    """The same, unfiltered, from the totals the database keeps per column (``StageTotal``): a few rows."""
    counts: dict[uuid.UUID, int] = defaultdict(int)
    values: dict[uuid.UUID, list[CurrencyTotal]] = defaultdict(list)
    for row in session.scalars(
        select(StageTotal)
        .join(Stage, Stage.id == StageTotal.stage_id)
        .where(Stage.pipeline_id == pipeline_id, StageTotal.lead_count > 0)
        .order_by(StageTotal.stage_id, StageTotal.currency)
    ):
        counts[row.stage_id] += row.lead_count
        if row.valued_count > 0:
            values[row.stage_id].append(CurrencyTotal(currency=row.currency, value=row.value_total))
    return {s: ColumnTotals(count=counts[s], values=values[s]) for s in counts}


def _column(stage_id: uuid.UUID, conditions: list[ColumnElement[bool]]) -> Select[Lead]:
    return select(Lead).where(Lead.stage_id == stage_id, *conditions)


def _first_pages(
    session: Session, stage_ids: list[uuid.UUID], conditions: list[ColumnElement[bool]], limit: int
) -> list[tuple[list[Lead], str | None]]:
    """Each column's first ``limit`` cards and the cursor of its next page (as ``paginate`` pages a column), in
    one query: a keyset scan of each column's rank index, one after the other."""
    if not stage_ids:
        return []
    parts = [_column(stage_id, conditions).order_by(Lead.rank).limit(limit + 1) for stage_id in stage_ids]
    found: dict[uuid.UUID, list[Lead]] = defaultdict(list)
    for lead in session.scalars(select(Lead).from_statement(union_all(*parts))):
        found[lead.stage_id].append(lead)
    pages: list[tuple[list[Lead], str | None]] = []
    for stage_id in stage_ids:
        rows = sorted(found[stage_id], key=lambda lead: lead.rank.encode())  # the C collation's order
        more = len(rows) > limit
        rows = rows[:limit]
        pages.append((rows, cursor_after(rows[-1], [Lead.rank]) if more else None))
    return pages


def get_board(
    *, session: Session, actor: Principal, pipeline_id: uuid.UUID, filters: BoardFilter, limit: int = BOARD_PAGE
) -> Board:
    """Every active column of the pipeline with its totals and its first ``limit`` cards (top first)."""
    pipeline = read_pipeline(session, pipeline_or_404(session, pipeline_id))
    conditions = _conditions(session, actor, filters)
    unfiltered = filters == BoardFilter() and sees_all(session, actor)
    totals = _kept_totals(session, pipeline_id) if unfiltered else _totals(session, pipeline_id, conditions)
    pages = _first_pages(session, [stage.id for stage in pipeline.stages], conditions, limit)
    cards = read_leads(session, [lead for rows, _ in pages for lead in rows])
    by_id = {card.id: card for card in cards}
    columns = [
        BoardColumn(
            stage=stage,
            totals=totals.get(stage.id, ColumnTotals(count=0, values=[])),
            leads=[by_id[lead.id] for lead in rows],
            next_cursor=cursor,
        )
        for stage, (rows, cursor) in zip(pipeline.stages, pages, strict=True)
    ]
    return Board(pipeline=pipeline, columns=columns)


def list_column(
    *,
    session: Session,
    actor: Principal,
    pipeline_id: uuid.UUID,
    stage_id: uuid.UUID,
    filters: BoardFilter,
    page: PageRequest,
) -> Page[LeadRead]:
    """One column's cards from ``page.cursor``, top first."""
    stage = StageRead.model_validate(stage_or_404(session, pipeline_id, stage_id))
    rows, cursor = paginate(
        session, _column(stage.id, _conditions(session, actor, filters)), keys=[Lead.rank], page=page, descending=False
    )
    return Page[LeadRead](items=read_leads(session, rows), next_cursor=cursor)
