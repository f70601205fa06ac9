"""Pipelines and their stages: list, create, rename, reorder, archive (its leads go to a stage you choose),
delete an empty one; the company's pipeline settings. Everyone reads them; admins and owners change them."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import exists, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from masteria.db import save_unique
from masteria.errors import Conflict, FieldError, Invalid
from masteria.pipelines import lead_events, ranks
from masteria.pipelines.access import pipeline_or_404, stage_or_404
from masteria.pipelines.models import (
    AI_AUTO_APPLY_DEFAULT,
    AI_BACKWARD_DEFAULT,
    THRESHOLD_SCALE,
    Lead,
    Pipeline,
    PipelineSettings,
    Stage,
    StageChange,
)
from masteria.pipelines.reads import active_stages, read_pipeline, read_pipelines
from masteria.pipelines.schemas import (
    MAX_STAGES,
    PipelineCreate,
    PipelineRead,
    PipelineSettingsRead,
    PipelineSettingsUpdate,
    PipelineUpdate,
    StageArchive,
    StageCreate,
    StageOrder,
    StageRead,
    StageUpdate,
)
from masteria.ports import Clock
from masteria.tenancy.models import Role
from masteria.tenancy.service import Principal

MAX_PIPELINES = 50


def list_pipelines(*, session: Session, actor: Principal) -> list[PipelineRead]:
    """The company's pipelines, oldest first (the first is the default), each with its active stages."""
    rows = list(session.scalars(select(Pipeline).order_by(Pipeline.created_at, Pipeline.id).limit(MAX_PIPELINES)))
    return read_pipelines(session, rows)


def get_pipeline(*, session: Session, actor: Principal, pipeline_id: uuid.UUID) -> PipelineRead:
    return read_pipeline(session, pipeline_or_404(session, pipeline_id))


def _stage(company_id: uuid.UUID, pipeline_id: uuid.UUID, data: StageCreate, position: int) -> Stage:
    return Stage(
        company_id=company_id,
        pipeline_id=pipeline_id,
        name=data.name,
        color=data.color,
        wip_limit=data.wip_limit,
        semantic_type=data.semantic_type,
        position=position,
    )


def _set_ai(pipeline: Pipeline, data: PipelineCreate | PipelineUpdate) -> None:
    """The AI thresholds given (the others kept); a move back never needs less than a move forward (422)."""
    auto = data.ai_auto_apply_threshold
    backward = data.ai_backward_threshold
    auto_now = Decimal(str(auto)) if auto is not None else Decimal(pipeline.ai_auto_apply_threshold)
    backward_now = Decimal(str(backward)) if backward is not None else Decimal(pipeline.ai_backward_threshold)
    if backward_now < auto_now:
        field = "ai_backward_threshold" if backward is not None else "ai_auto_apply_threshold"
        raise Invalid(
            "the AI's threshold to move a lead back must be at least its threshold to move it forward",
            [FieldError(field, "ai_backward_threshold must be at least ai_auto_apply_threshold",
                        code="backward_below_auto_apply")],
        )  # fmt: skip
    pipeline.ai_auto_apply_threshold = round(auto_now, THRESHOLD_SCALE)
    pipeline.ai_backward_threshold = round(backward_now, THRESHOLD_SCALE)
    if data.ai_may_close is not None:
        pipeline.ai_may_close = data.ai_may_close


def create_pipeline(*, session: Session, actor: Principal, data: PipelineCreate) -> PipelineRead:
    actor.require(Role.ADMIN)
    if (session.scalar(select(func.count()).select_from(Pipeline)) or 0) >= MAX_PIPELINES:
        raise Conflict(f"a company has at most {MAX_PIPELINES} pipelines", code="too_many_pipelines")
    pipeline = Pipeline(
        company_id=actor.company_id, name=data.name, ai_auto_apply_threshold=Decimal(AI_AUTO_APPLY_DEFAULT),
        ai_backward_threshold=Decimal(AI_BACKWARD_DEFAULT), ai_may_close=False,
    )  # fmt: skip
    _set_ai(pipeline, data)
    save_unique(session, pipeline, f"a pipeline named {data.name!r} exists", name=data.name)
    for position, stage in enumerate(data.stages):
        session.add(_stage(actor.company_id, pipeline.id, stage, position))
    session.flush()
    return read_pipeline(session, pipeline)


def update_pipeline(
    *, session: Session, actor: Principal, pipeline_id: uuid.UUID, data: PipelineUpdate
) -> PipelineRead:
    actor.require(Role.ADMIN)
    pipeline = pipeline_or_404(session, pipeline_id)
    _set_ai(pipeline, data)
    if data.name is not None and data.name != pipeline.name:
        pipeline.name = data.name
        save_unique(session, pipeline, f"a pipeline named {data.name!r} exists", name=data.name)
    return read_pipeline(session, pipeline)


def delete_pipeline(*, session: Session, actor: Principal, pipeline_id: uuid.UUID) -> None:
    """Delete a pipeline without leads (one with leads: archive its stages or move its leads first)."""
    actor.require(Role.ADMIN)
    pipeline = pipeline_or_404(session, pipeline_id)
    if session.scalar(select(exists().where(Lead.pipeline_id == pipeline.id))):
        raise Conflict("the pipeline has leads", code="pipeline_not_empty")
    session.delete(pipeline)


def add_stage(*, session: Session, actor: Principal, pipeline_id: uuid.UUID, data: StageCreate) -> PipelineRead:
    """A new stage at the end of the pipeline."""
    actor.require(Role.ADMIN)
    pipeline = pipeline_or_404(session, pipeline_id)
    stages = active_stages(session, [pipeline.id])[pipeline.id]
    if len(stages) >= MAX_STAGES:
        raise Conflict(f"a pipeline has at most {MAX_STAGES} stages", code="too_many_stages")
    last = session.scalar(select(func.max(Stage.position)).where(Stage.pipeline_id == pipeline.id))
    session.add(_stage(actor.company_id, pipeline.id, data, (last if last is not None else -1) + 1))
    session.flush()
    return read_pipeline(session, pipeline)


def update_stage(
    *, session: Session, actor: Principal, pipeline_id: uuid.UUID, stage_id: uuid.UUID, data: StageUpdate
) -> StageRead:
    """Rename a stage, change its colour, WIP limit or semantic type (fields sent as null clear the limit or
    the type)."""
    actor.require(Role.ADMIN)
    stage = stage_or_404(session, pipeline_id, stage_id)
    changes = data.model_dump(exclude_unset=True)
    for key in ("name", "color"):
        if key in changes and changes[key] is None:
            raise Invalid(f"a stage needs a {key}", [FieldError(key, "cannot be null", code="required")])
    for key, value in changes.items():
        setattr(stage, key, value)
    session.flush()
    session.refresh(stage)
    return StageRead.model_validate(stage)


def reorder_stages(*, session: Session, actor: Principal, pipeline_id: uuid.UUID, data: StageOrder) -> PipelineRead:
    """Put the pipeline's active stages in the order of ``stage_ids`` (every one of them, each once)."""
    actor.require(Role.ADMIN)
    pipeline = pipeline_or_404(session, pipeline_id)
    stages = {s.id: s for s in active_stages(session, [pipeline.id])[pipeline.id]}
    if len(set(data.stage_ids)) != len(data.stage_ids) or set(data.stage_ids) != set(stages):
        raise Invalid(
            "name every active stage of the pipeline once",
            [FieldError("stage_ids", "must list every active stage of the pipeline once", code="stage_order")],
        )
    for position, stage_id in enumerate(data.stage_ids):
        stages[stage_id].position = position
    session.flush()
    return read_pipeline(session, pipeline)


def archive_stage(
    *,
    session: Session,
    clock: Clock,
    actor: Principal,
    pipeline_id: uuid.UUID,
    stage_id: uuid.UUID,
    data: StageArchive,
) -> PipelineRead:
    """Archive a stage: its leads move to the end of ``move_to_stage_id`` (each move in their history, by the
    archiving user), then it leaves the board."""
    actor.require(Role.ADMIN)
    if data.move_to_stage_id == stage_id:
        raise Invalid(
            "the leads must go to another stage",
            [FieldError("move_to_stage_id", "must be another stage", code="same_stage")],
        )
    stage = stage_or_404(session, pipeline_id, stage_id)
    # the leads first, then both columns, in the order every move takes them (a lead, then its new column)
    leads = list(session.scalars(select(Lead).where(Lead.stage_id == stage.id).order_by(Lead.rank).with_for_update()))
    target = stage_or_404(session, pipeline_id, data.move_to_stage_id, lock=True)
    stage_or_404(session, pipeline_id, stage_id, lock=True)
    if len(active_stages(session, [pipeline_id])[pipeline_id]) <= 1:
        raise Conflict("a pipeline keeps at least one stage", code="last_stage")
    last = session.scalar(select(func.max(Lead.rank)).where(Lead.stage_id == target.id))
    now: datetime = clock.now()
    for lead, rank in zip(leads, ranks.spread(last, None, len(leads)), strict=True):
        lead.stage_id, lead.rank, lead.version, lead.stage_entered_at = target.id, rank, lead.version + 1, now
        change = StageChange(
            company_id=actor.company_id, lead_id=lead.id, pipeline_id=pipeline_id, from_stage_id=stage.id,
            to_stage_id=target.id, actor_kind="user", actor_id=actor.user_id, reason="stage archived",
            lead_version=lead.version, moved_at=now,
        )  # fmt: skip
        session.add(change)
        lead_events.stage_changed(session, lead, change)
    stage.archived_at = now
    session.flush()
    return read_pipeline(session, pipeline_or_404(session, pipeline_id))


def delete_stage(*, session: Session, actor: Principal, pipeline_id: uuid.UUID, stage_id: uuid.UUID) -> None:
    """Delete a stage that holds no lead (its history keeps naming it)."""
    actor.require(Role.ADMIN)
    stage = stage_or_404(session, pipeline_id, stage_id, lock=True)
    if session.scalar(select(exists().where(Lead.stage_id == stage.id))):
        raise Conflict("the stage has leads: archive it and choose where they go", code="stage_not_empty")
    if len(active_stages(session, [pipeline_id])[pipeline_id]) <= 1:
        raise Conflict("a pipeline keeps at least one stage", code="last_stage")
    session.delete(stage)
    session.flush()
    # close the gap in the positions
    session.execute(
        update(Stage)
        .where(Stage.pipeline_id == pipeline_id, Stage.position > stage.position)
        .values(position=Stage.position - 1)
    )


def get_settings(*, session: Session, actor: Principal) -> PipelineSettingsRead:
    found = session.scalar(select(PipelineSettings.agents_see_all_leads))
    return PipelineSettingsRead(agents_see_all_leads=bool(found))


def update_settings(*, session: Session, actor: Principal, data: PipelineSettingsUpdate) -> PipelineSettingsRead:
    actor.require(Role.ADMIN)
    session.execute(
        insert(PipelineSettings)
        .values(company_id=actor.company_id, agents_see_all_leads=data.agents_see_all_leads)
        .on_conflict_do_update(
            index_elements=[PipelineSettings.company_id],
            set_={"agents_see_all_leads": data.agents_see_all_leads, "updated_at": func.now()},
        )
    )
    return PipelineSettingsRead(agents_see_all_leads=data.agents_see_all_leads)
