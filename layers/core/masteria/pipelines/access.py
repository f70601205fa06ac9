"""Who sees which leads, and finding rows or answering 404.

Admins and owners see every lead; agents see the leads they own and unassigned ones, unless the company's
pipeline settings open every lead to them. A lead an actor may not see is "not found", exactly like another
company's (which row-level security hides)."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, Select, select, true
from sqlalchemy.orm import Session

from masteria.db import get_or_404
from masteria.errors import Forbidden, NotFound
from masteria.pipelines.models import Lead, Pipeline, PipelineSettings, Stage
from masteria.tenancy.models import Role
from masteria.tenancy.service import Principal


def agents_see_all(session: Session) -> bool:
    """The transaction's company's setting (row-level security picks its row)."""
    return bool(session.scalar(select(PipelineSettings.agents_see_all_leads)))


def sees_all(session: Session, actor: Principal) -> bool:
    return actor.role.rank >= Role.ADMIN.rank or agents_see_all(session)


def may_see(owner_ids: set[uuid.UUID | None], *, user_id: uuid.UUID, role: Role, all_open: bool) -> bool:
    """Whether a user sees a lead owned by one of ``owner_ids`` (a lead that changed owner: either one)."""
    return role.rank >= Role.ADMIN.rank or all_open or None in owner_ids or user_id in owner_ids


def visible(session: Session, actor: Principal) -> ColumnElement[bool]:
    """The condition on ``Lead`` of the leads ``actor`` sees."""
    if sees_all(session, actor):
        return true()
    return (Lead.owner_id == actor.user_id) | Lead.owner_id.is_(None)


def lead_or_404(session: Session, actor: Principal, lead_id: uuid.UUID, *, lock: bool = False) -> Lead:
    statement: Select[Lead] = select(Lead).where(Lead.id == lead_id, visible(session, actor))
    found = session.scalars(statement.with_for_update() if lock else statement).first()
    if found is None:
        raise NotFound("lead not found")
    return found


def pipeline_or_404(session: Session, pipeline_id: uuid.UUID) -> Pipeline:
    return get_or_404(session, Pipeline, pipeline_id, "pipeline")


def stage_or_404(session: Session, pipeline_id: uuid.UUID, stage_id: uuid.UUID, *, lock: bool = False) -> Stage:
    """An active stage of ``pipeline_id``. ``lock``: held until the transaction ends, so the writers of one
    column's ranks take turns (``FOR NO KEY UPDATE``: a lead's foreign key to the stage does not wait on it)."""
    statement = select(Stage).where(Stage.id == stage_id, Stage.pipeline_id == pipeline_id, Stage.archived_at.is_(None))
    found = session.scalars(statement.with_for_update(key_share=True) if lock else statement).first()
    if found is None:
        raise NotFound("stage not found")
    return found


def check_owner(actor: Principal, owner_id: uuid.UUID | None, current: uuid.UUID | None = None) -> None:
    """Agents give a lead to themselves or to nobody; admins and owners to anyone of the company."""
    if owner_id in (actor.user_id, None, current) or actor.role.rank >= Role.ADMIN.rank:
        return
    raise Forbidden("an agent may only take a lead or leave it unassigned", code="lead_owner_forbidden")
