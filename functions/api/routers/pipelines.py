"""Pipelines, their stages, the board and the company's pipeline settings."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from functions.api.deps import CallerDep, ContainerDep, PageDep
from functions.api.error_docs import problems
from masteria.ai import suggestions
from masteria.ai.progression_schemas import SuggestionRead
from masteria.pagination import Page
from masteria.pipelines import board, pipelines
from masteria.pipelines.board import BOARD_PAGE
from masteria.pipelines.schemas import (
    Board,
    BoardFilter,
    LeadRead,
    LeadSource,
    LeadStatus,
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

router = APIRouter(prefix="/v1", tags=["pipelines"])


async def board_filter(  # noqa: PLR0917 - FastAPI reads query parameters from the signature
    owner_id: Annotated[uuid.UUID | None, Query(description="leads of this user")] = None,
    unassigned: Annotated[bool, Query(description="only leads without an owner")] = False,
    tag_id: Annotated[list[uuid.UUID], Query(max_length=50, description="leads with any of these tags")] = [],  # noqa: B006
    value_min: Annotated[Decimal | None, Query(ge=0, max_digits=14, decimal_places=2)] = None,
    value_max: Annotated[Decimal | None, Query(ge=0, max_digits=14, decimal_places=2)] = None,
    due_from: date | None = None,
    due_to: date | None = None,
    source: Annotated[list[LeadSource], Query(description="leads from any of these sources")] = [],  # noqa: B006
    status: LeadStatus | None = None,
) -> BoardFilter:
    return BoardFilter(
        owner_id=owner_id, unassigned=unassigned, tag_ids=tag_id, value_min=value_min, value_max=value_max,
        due_from=due_from, due_to=due_to, sources=source, status=status,
    )  # fmt: skip


FilterDep = Annotated[BoardFilter, Depends(board_filter)]


@router.get("/pipelines/settings", response_model=PipelineSettingsRead)
def get_settings(caller: CallerDep) -> PipelineSettingsRead:
    return pipelines.get_settings(session=caller.session, actor=caller.principal)


@router.put("/pipelines/settings", responses=problems(403), response_model=PipelineSettingsRead)
def update_settings(body: PipelineSettingsUpdate, caller: CallerDep) -> PipelineSettingsRead:
    """Open every lead to agents, or keep them to theirs and unassigned ones (admin and up)."""
    return pipelines.update_settings(session=caller.session, actor=caller.principal, data=body)


@router.get("/pipelines", response_model=list[PipelineRead])
def list_pipelines(caller: CallerDep) -> list[PipelineRead]:
    """The company's pipelines, oldest (the default) first, each with its active stages in order."""
    return pipelines.list_pipelines(session=caller.session, actor=caller.principal)


@router.post(
    "/pipelines", responses=problems(403, 409), status_code=status.HTTP_201_CREATED, response_model=PipelineRead
)
def create_pipeline(body: PipelineCreate, caller: CallerDep) -> PipelineRead:
    """Create a pipeline with its stages (admin and up; names are unique per company, ignoring case)."""
    return pipelines.create_pipeline(session=caller.session, actor=caller.principal, data=body)


@router.get("/pipelines/{pipeline_id}", response_model=PipelineRead)
def get_pipeline(pipeline_id: uuid.UUID, caller: CallerDep) -> PipelineRead:
    return pipelines.get_pipeline(session=caller.session, actor=caller.principal, pipeline_id=pipeline_id)


@router.patch("/pipelines/{pipeline_id}", responses=problems(403, 409), response_model=PipelineRead)
def update_pipeline(pipeline_id: uuid.UUID, body: PipelineUpdate, caller: CallerDep) -> PipelineRead:
    """Rename a pipeline, or change how far it trusts the AI (admin and up): `ai_auto_apply_threshold` (a stage
    proposal at or above it moves the lead at once), `ai_backward_threshold` (the same for a move back; never
    below the first: 422 `backward_below_auto_apply`), `ai_may_close` (the AI may close leads as won or lost)."""
    return pipelines.update_pipeline(session=caller.session, actor=caller.principal, pipeline_id=pipeline_id, data=body)


@router.delete("/pipelines/{pipeline_id}", responses=problems(403, 409), status_code=status.HTTP_204_NO_CONTENT)
def delete_pipeline(pipeline_id: uuid.UUID, caller: CallerDep) -> None:
    """Delete a pipeline that has no leads (admin and up; 409 while it has some)."""
    pipelines.delete_pipeline(session=caller.session, actor=caller.principal, pipeline_id=pipeline_id)


@router.post(
    "/pipelines/{pipeline_id}/stages",
    responses=problems(403, 409),
    status_code=status.HTTP_201_CREATED,
    response_model=PipelineRead,
)
def add_stage(pipeline_id: uuid.UUID, body: StageCreate, caller: CallerDep) -> PipelineRead:
    """Add a stage at the end of the pipeline (admin and up)."""
    return pipelines.add_stage(session=caller.session, actor=caller.principal, pipeline_id=pipeline_id, data=body)


@router.put("/pipelines/{pipeline_id}/stage-order", responses=problems(403), response_model=PipelineRead)
def reorder_stages(pipeline_id: uuid.UUID, body: StageOrder, caller: CallerDep) -> PipelineRead:
    """Put the active stages in this order (every one of them, once; admin and up)."""
    return pipelines.reorder_stages(session=caller.session, actor=caller.principal, pipeline_id=pipeline_id, data=body)


@router.patch("/pipelines/{pipeline_id}/stages/{stage_id}", responses=problems(403), response_model=StageRead)
def update_stage(pipeline_id: uuid.UUID, stage_id: uuid.UUID, body: StageUpdate, caller: CallerDep) -> StageRead:
    """Rename a stage, or change its colour, WIP limit or semantic type (admin and up)."""
    return pipelines.update_stage(
        session=caller.session, actor=caller.principal, pipeline_id=pipeline_id, stage_id=stage_id, data=body
    )


@router.post(
    "/pipelines/{pipeline_id}/stages/{stage_id}/archive", responses=problems(403, 409), response_model=PipelineRead
)
def archive_stage(
    pipeline_id: uuid.UUID, stage_id: uuid.UUID, body: StageArchive, caller: CallerDep, container: ContainerDep
) -> PipelineRead:
    """Archive a stage: its leads move to the end of `move_to_stage_id`, each move in their history (admin and
    up; 409 for the pipeline's last stage)."""
    return pipelines.archive_stage(
        session=caller.session, clock=container.clock, actor=caller.principal, pipeline_id=pipeline_id,
        stage_id=stage_id, data=body,
    )  # fmt: skip


@router.delete(
    "/pipelines/{pipeline_id}/stages/{stage_id}", responses=problems(403, 409), status_code=status.HTTP_204_NO_CONTENT
)
def delete_stage(pipeline_id: uuid.UUID, stage_id: uuid.UUID, caller: CallerDep) -> None:
    """Delete a stage without leads (admin and up; 409 while it holds some: archive it instead)."""
    pipelines.delete_stage(session=caller.session, actor=caller.principal, pipeline_id=pipeline_id, stage_id=stage_id)


@router.get("/pipelines/{pipeline_id}/board", response_model=Board)
def get_board(
    pipeline_id: uuid.UUID,
    caller: CallerDep,
    filters: FilterDep,
    limit: Annotated[int, Query(ge=1, le=100, description="cards per column")] = BOARD_PAGE,
) -> Board:
    """The board: every active column with its totals (count, value per currency) and its first cards, top
    first, filtered; an agent sees their leads and unassigned ones unless the company opened every lead."""
    return board.get_board(
        session=caller.session, actor=caller.principal, pipeline_id=pipeline_id, filters=filters, limit=limit
    )


@router.get("/pipelines/{pipeline_id}/stages/{stage_id}/leads", response_model=Page[LeadRead])
def list_column(
    pipeline_id: uuid.UUID, stage_id: uuid.UUID, caller: CallerDep, filters: FilterDep, page: PageDep
) -> Page[LeadRead]:
    """One column's cards, top first, from a column's `next_cursor` (same filters as the board)."""
    return board.list_column(
        session=caller.session, actor=caller.principal, pipeline_id=pipeline_id, stage_id=stage_id,
        filters=filters, page=page,
    )  # fmt: skip


@router.get("/pipelines/{pipeline_id}/suggestions", response_model=Page[SuggestionRead])
def list_suggestions(pipeline_id: uuid.UUID, caller: CallerDep, page: PageDep) -> Page[SuggestionRead]:
    """The AI's pending stage suggestions on the pipeline's leads you see (at most one per lead), newest first;
    each card of the board also carries its own (`suggestion`)."""
    return suggestions.list_pipeline_suggestions(
        session=caller.session, actor=caller.principal, pipeline_id=pipeline_id, page=page
    )
