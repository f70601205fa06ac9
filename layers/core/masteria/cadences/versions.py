"""A cadence's versions: its steps and window, append-only. An edit of either writes the next version and makes it
current; enrollments finish on the version they started unless moved to the current one (``move_enrollments``)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from masteria.cadences.models import LIVE_STATES, Cadence, CadenceVersion, Enrollment
from masteria.cadences.schemas import CadenceVersionRead, CadenceWindow, EnrollmentMove, EnrollmentMoveResult
from masteria.cadences.steps import Step, dump, parse
from masteria.campaigns import window as windows
from masteria.errors import NotFound
from masteria.pagination import Page, PageRequest, paginate


def window_of(version: CadenceVersion) -> CadenceWindow:
    return CadenceWindow(
        timezone_mode=version.timezone_mode,
        days=list(version.days),
        start_time=version.start_time,
        end_time=version.end_time,
        timezone=version.timezone,
    )


def check_window(window: CadenceWindow) -> None:
    """422 on ``window.timezone`` when it names no IANA zone."""
    if window.timezone is not None:
        windows.zone(window.timezone, "window.timezone")


def add_version(
    session: Session,
    cadence: Cadence,
    *,
    number: int,
    steps: list[Step],
    window: CadenceWindow,
    created_by: uuid.UUID | None,
) -> CadenceVersion:
    """Write version ``number`` of ``cadence`` (steps and window already checked) and make it current."""
    row = CadenceVersion(
        company_id=cadence.company_id, cadence_id=cadence.id, version=number, steps=dump(steps),
        timezone_mode=window.timezone_mode, days=window.days, start_time=window.start_time,
        end_time=window.end_time, timezone=window.timezone, created_by=created_by,
    )  # fmt: skip
    session.add(row)
    cadence.current_version = number
    session.flush()
    return row


def get_version(session: Session, cadence_id: uuid.UUID, number: int) -> CadenceVersion | None:
    return session.scalars(
        select(CadenceVersion).where(CadenceVersion.cadence_id == cadence_id, CadenceVersion.version == number)
    ).first()


def version_or_404(session: Session, cadence_id: uuid.UUID, number: int) -> CadenceVersion:
    found = get_version(session, cadence_id, number)
    if found is None:
        raise NotFound("cadence version not found", code="version_not_found", params={"version": number})
    return found


def current(session: Session, cadence: Cadence) -> CadenceVersion:
    found = get_version(session, cadence.id, cadence.current_version)
    assert found is not None, "a cadence always has its current version"
    return found


def _live_on(session: Session, cadence_id: uuid.UUID, numbers: list[int]) -> dict[int, int]:
    rows = session.execute(
        select(Enrollment.version, func.count())
        .where(Enrollment.cadence_id == cadence_id, Enrollment.version.in_(numbers), Enrollment.state.in_(LIVE_STATES))
        .group_by(Enrollment.version)
    )
    return dict(rows.all())


def read_version(row: CadenceVersion, live: int) -> CadenceVersionRead:
    return CadenceVersionRead(
        version=row.version, steps=parse(row.steps), window=window_of(row), live_enrollments=live,
        created_by=row.created_by, created_at=row.created_at,
    )  # fmt: skip


def list_versions(session: Session, cadence_id: uuid.UUID, page: PageRequest) -> Page[CadenceVersionRead]:
    """Every version, newest first, each with its live enrollments."""
    statement = select(CadenceVersion).where(CadenceVersion.cadence_id == cadence_id)
    rows, cursor = paginate(session, statement, keys=[CadenceVersion.version], page=page)
    live = _live_on(session, cadence_id, [r.version for r in rows]) if rows else {}
    return Page[CadenceVersionRead](items=[read_version(r, live.get(r.version, 0)) for r in rows], next_cursor=cursor)


def one_version(session: Session, cadence_id: uuid.UUID, number: int) -> CadenceVersionRead:
    row = version_or_404(session, cadence_id, number)
    return read_version(row, _live_on(session, cadence_id, [number]).get(number, 0))


def move_enrollments(session: Session, cadence: Cadence, data: EnrollmentMove) -> EnrollmentMoveResult:
    """Move the chosen active enrollments of older versions to the current version, at the same step index (past
    its last step: they complete at the next tick). Sending ones keep their version (the send in flight is their
    version's step): move them again once it is settled."""
    chosen = [
        Enrollment.cadence_id == cadence.id,
        Enrollment.state == "active",
        Enrollment.version < cadence.current_version,
    ]
    if data.from_version is not None:
        chosen.append(Enrollment.version == data.from_version)
    if data.enrollment_ids is not None:
        chosen.append(Enrollment.id.in_(data.enrollment_ids))
    moved = session.execute(
        update(Enrollment).where(*chosen).values(version=cadence.current_version).returning(Enrollment.id)
    ).all()
    return EnrollmentMoveResult(moved=len(moved), version=cadence.current_version)
