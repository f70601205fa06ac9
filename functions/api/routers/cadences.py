"""Cadences: versioned steps, activation, enrollments with their step history, moves between versions, per-step
statistics and the timeline preview."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, status

from functions.api.deps import CallerDep, ContainerDep, PageDep
from functions.api.error_docs import problems
from masteria.cadences import enrollments_service as enrollments
from masteria.cadences import service
from masteria.cadences.models import CADENCE_STATUSES, ENROLLMENT_SOURCES, ENROLLMENT_STATES, EXIT_REASONS
from masteria.cadences.schemas import (
    BulkEnroll,
    BulkEnrollResult,
    CadenceCreate,
    CadencePreview,
    CadenceRead,
    CadenceStats,
    CadenceUpdate,
    CadenceVersionRead,
    EnrollmentCreate,
    EnrollmentDetail,
    EnrollmentMove,
    EnrollmentMoveResult,
    EnrollmentRead,
)
from masteria.cadences.versions import list_versions, one_version
from masteria.pagination import Page

router = APIRouter(prefix="/v1/cadences", tags=["cadences"])

Status = Literal[CADENCE_STATUSES]  # type: ignore[valid-type]
State = Literal[ENROLLMENT_STATES]  # type: ignore[valid-type]
Source = Literal[ENROLLMENT_SOURCES]  # type: ignore[valid-type]
ExitReason = Literal[EXIT_REASONS]  # type: ignore[valid-type]
VersionNumber = Annotated[int, Path(ge=1, le=2**31 - 1)]
VersionQuery = Annotated[int | None, Query(ge=1, le=2**31 - 1, description="default: the current version")]


@router.get("", response_model=Page[CadenceRead])
def list_cadences(caller: CallerDep, page: PageDep, status: Status | None = None) -> Page[CadenceRead]:
    """Newest first, each with its current steps and window and its enrollments by state; `?status=` filters."""
    return service.list_cadences(session=caller.session, actor=caller.principal, page=page, status=status)


@router.post("", responses=problems(403), status_code=status.HTTP_201_CREATED, response_model=CadenceRead)
def create_cadence(body: CadenceCreate, caller: CallerDep) -> CadenceRead:
    """A draft and its version 1 (admins). Unknown templates, tags, stages, users, segment or number (another
    company's too) are 422s on their field (`steps.<i>.<field>`); a branch may only jump forward."""
    return service.create_cadence(session=caller.session, actor=caller.principal, data=body)


@router.get("/{cadence_id}", response_model=CadenceRead)
def get_cadence(cadence_id: uuid.UUID, caller: CallerDep) -> CadenceRead:
    return service.get_cadence(session=caller.session, actor=caller.principal, cadence_id=cadence_id)


@router.patch("/{cadence_id}", responses=problems(403, 409), response_model=CadenceRead)
def update_cadence(cadence_id: uuid.UUID, body: CadenceUpdate, caller: CallerDep) -> CadenceRead:
    """Change settings; new `steps` or `window` write the next version (with `version`, the current_version you
    read: else 409 `stale_version`). Enrollments finish on their version unless moved. Admins."""
    return service.update_cadence(session=caller.session, actor=caller.principal, cadence_id=cadence_id, data=body)


@router.delete("/{cadence_id}", responses=problems(403, 409), status_code=status.HTTP_204_NO_CONTENT)
def delete_cadence(cadence_id: uuid.UUID, caller: CallerDep) -> None:
    """Only a cadence that never had an enrollment (409 `has_enrollments`: archive it). Admins."""
    service.delete_cadence(session=caller.session, actor=caller.principal, cadence_id=cadence_id)


@router.post("/{cadence_id}/activate", responses=problems(403, 409), response_model=CadenceRead)
def activate(cadence_id: uuid.UUID, caller: CallerDep, container: ContainerDep) -> CadenceRead:
    """Draft or paused → active (needs its number); the first activation enrolls its segment. Admins."""
    return service.activate(
        session=caller.session, actor=caller.principal, cadence_id=cadence_id, now=container.clock.now()
    )


@router.post("/{cadence_id}/pause", responses=problems(403, 409), response_model=CadenceRead)
def pause(cadence_id: uuid.UUID, caller: CallerDep) -> CadenceRead:
    """No step runs while paused (a send already handed over still goes); activate resumes. Admins."""
    return service.pause(session=caller.session, actor=caller.principal, cadence_id=cadence_id)


@router.post("/{cadence_id}/archive", responses=problems(403, 409), response_model=CadenceRead)
def archive(cadence_id: uuid.UUID, caller: CallerDep, container: ContainerDep) -> CadenceRead:
    """For good: live enrollments exit (`cadence_archived`). Admins."""
    return service.archive(
        session=caller.session, actor=caller.principal, cadence_id=cadence_id, now=container.clock.now()
    )


@router.get("/{cadence_id}/versions", response_model=Page[CadenceVersionRead])
def get_versions(cadence_id: uuid.UUID, caller: CallerDep, page: PageDep) -> Page[CadenceVersionRead]:
    """Every version, newest first, with its live enrollments."""
    service.get_cadence(session=caller.session, actor=caller.principal, cadence_id=cadence_id)
    return list_versions(caller.session, cadence_id, page)


@router.get("/{cadence_id}/versions/{version}", response_model=CadenceVersionRead)
def get_version(cadence_id: uuid.UUID, version: VersionNumber, caller: CallerDep) -> CadenceVersionRead:
    service.get_cadence(session=caller.session, actor=caller.principal, cadence_id=cadence_id)
    return one_version(caller.session, cadence_id, version)


@router.get("/{cadence_id}/enrollments", response_model=Page[EnrollmentRead])
def list_enrollments(
    cadence_id: uuid.UUID,
    caller: CallerDep,
    page: PageDep,
    *,
    state: State | None = None,
    version: VersionQuery = None,
    source: Source | None = None,
    exit_reason: ExitReason | None = None,
    contact_id: uuid.UUID | None = None,
    step_index: Annotated[int | None, Query(ge=0, le=1000, description="the next step it runs")] = None,
) -> Page[EnrollmentRead]:
    """Newest first; filter by `state`, `version`, `source`, `exit_reason`, `contact_id`, `step_index`."""
    filters = enrollments.EnrollmentFilter(
        state=state, version=version, source=source, exit_reason=exit_reason, contact_id=contact_id,
        step_index=step_index,
    )  # fmt: skip
    return enrollments.list_enrollments(
        session=caller.session, actor=caller.principal, cadence_id=cadence_id, filters=filters, page=page
    )


@router.post(
    "/{cadence_id}/enrollments", responses=problems(409), status_code=status.HTTP_201_CREATED,
    response_model=EnrollmentRead,
)  # fmt: skip
def enroll(cadence_id: uuid.UUID, body: EnrollmentCreate, caller: CallerDep, container: ContainerDep) -> EnrollmentRead:
    """One contact, starting now (409 `already_enrolled`; `not_enrollable`: it went through the cadence and
    re-enrollment is off, or it opted out of the cadence's channel; `state_conflict`: draft or archived)."""
    return enrollments.enroll_contact(
        session=caller.session, actor=caller.principal, cadence_id=cadence_id, data=body, now=container.clock.now()
    )


@router.post("/{cadence_id}/enrollments/bulk", responses=problems(403, 409), response_model=BulkEnrollResult)
def bulk_enroll(
    cadence_id: uuid.UUID, body: BulkEnroll, caller: CallerDep, container: ContainerDep
) -> BulkEnrollResult:
    """Contacts by `contact_ids` (up to 10,000), a `list_id` or a `segment_id`; the ineligible are skipped. Admins."""
    return enrollments.bulk_enroll(
        session=caller.session, actor=caller.principal, cadence_id=cadence_id, data=body, now=container.clock.now()
    )


@router.post("/{cadence_id}/enrollments/move", responses=problems(403), response_model=EnrollmentMoveResult)
def move_enrollments(cadence_id: uuid.UUID, body: EnrollmentMove, caller: CallerDep) -> EnrollmentMoveResult:
    """Move active enrollments of older versions to the current one, at the same step index. Admins."""
    return enrollments.move_enrollments(
        session=caller.session, actor=caller.principal, cadence_id=cadence_id, data=body
    )


@router.get("/{cadence_id}/enrollments/{enrollment_id}", response_model=EnrollmentDetail)
def get_enrollment(cadence_id: uuid.UUID, enrollment_id: uuid.UUID, caller: CallerDep) -> EnrollmentDetail:
    """Its state and every step it ran, with each send's progress."""
    return enrollments.get_enrollment(
        session=caller.session, actor=caller.principal, cadence_id=cadence_id, enrollment_id=enrollment_id
    )


@router.post("/{cadence_id}/enrollments/{enrollment_id}/exit", responses=problems(409), response_model=EnrollmentRead)
def exit_enrollment(
    cadence_id: uuid.UUID, enrollment_id: uuid.UUID, caller: CallerDep, container: ContainerDep
) -> EnrollmentRead:
    """End it by hand (`manual`; a send not yet out is not sent); 409 `not_live` once ended."""
    return enrollments.exit_enrollment(
        session=caller.session, actor=caller.principal, cadence_id=cadence_id, enrollment_id=enrollment_id,
        now=container.clock.now(),
    )  # fmt: skip


@router.get("/{cadence_id}/stats", response_model=CadenceStats)
def get_stats(cadence_id: uuid.UUID, caller: CallerDep, version: VersionQuery = None) -> CadenceStats:
    """Per step of a version: ran, sent, delivered, read, failed, skipped, replied, exited, waiting."""
    return enrollments.get_stats(session=caller.session, actor=caller.principal, cadence_id=cadence_id, version=version)


@router.get("/{cadence_id}/preview", response_model=CadencePreview)
def get_preview(
    cadence_id: uuid.UUID,
    caller: CallerDep,
    container: ContainerDep,
    contact_id: Annotated[
        uuid.UUID | None, Query(description="whose timezone (contact mode); none: the company's")
    ] = None,
    version: VersionQuery = None,
) -> CadencePreview:
    """When each step would run for that contact if enrolled now, with the sending window."""
    return enrollments.get_preview(
        session=caller.session, actor=caller.principal, cadence_id=cadence_id, contact_id=contact_id,
        version=version, now=container.clock.now(),
    )  # fmt: skip
