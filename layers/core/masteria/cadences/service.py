"""Cadence use cases: create, read, edit (steps or window: a new version), activate, pause, archive, delete.

Writes need an admin. A cadence's number, goal tag and segment must be the company's (another company's is
unknown: 422 on the field); its steps are checked against the company and the number (``steps.check_steps``).
Activation needs a number; the first one enrolls the segment (``once`` / ``continuous``). Archiving ends the live
enrollments (``cadence_archived``); a cadence that had enrollments is archived, not deleted."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, select, tuple_
from sqlalchemy.orm import Session

from masteria.cadences import segments, versions
from masteria.cadences.enrollment import cadence_or_404, exit_where
from masteria.cadences.models import Cadence, CadenceVersion, Enrollment
from masteria.cadences.schemas import CadenceCreate, CadenceRead, CadenceUpdate, EnrollmentCounts
from masteria.cadences.steps import Step, check_steps, parse
from masteria.channels.models import ChannelConnection
from masteria.contacts.models import Segment, Tag
from masteria.errors import Conflict, FieldError, Invalid, StateConflict
from masteria.pagination import Page, PageRequest, paginate
from masteria.tenancy.models import Role
from masteria.tenancy.service import Principal

SETTINGS = (
    "name", "description", "connection_id", "exit_on_reply", "exit_on_stage_change", "goal_tag_id",
    "allow_reenrollment", "segment_id", "segment_mode",
)  # fmt: skip
NOT_NULLABLE = ("name", "exit_on_reply", "exit_on_stage_change", "allow_reenrollment", "segment_mode")


def _counts(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, EnrollmentCounts]:
    found: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
    if ids:
        rows = session.execute(
            select(Enrollment.cadence_id, Enrollment.state, func.count())
            .where(Enrollment.cadence_id.in_(ids))
            .group_by(Enrollment.cadence_id, Enrollment.state)
        )
        for cadence_id, state, count in rows:
            found[cadence_id][state] = count
    return {i: EnrollmentCounts(**found[i]) for i in ids}


def read(cadence: Cadence, version: CadenceVersion, counts: EnrollmentCounts) -> CadenceRead:
    return CadenceRead(
        **{name: getattr(cadence, name) for name in (*SETTINGS, "id", "status", "current_version")},
        steps=parse(version.steps), window=versions.window_of(version), enrollments=counts,
        activated_at=cadence.activated_at, archived_at=cadence.archived_at, created_at=cadence.created_at,
        updated_at=cadence.updated_at,
    )  # fmt: skip


def _read_one(session: Session, cadence: Cadence) -> CadenceRead:
    session.flush()
    session.refresh(cadence)
    return read(cadence, versions.current(session, cadence), _counts(session, [cadence.id])[cadence.id])


def _check_settings(session: Session, values: dict[str, Any]) -> ChannelConnection | None:
    """The settings' references checked (422 on the field); the cadence's number."""
    errors = []
    connection = session.get(ChannelConnection, values["connection_id"]) if values.get("connection_id") else None
    if values.get("connection_id") and connection is None:
        errors.append(FieldError("connection_id", "no such connection", code="unknown_connection"))
    if values.get("goal_tag_id") and session.get(Tag, values["goal_tag_id"]) is None:
        errors.append(FieldError("goal_tag_id", "no such tag", code="unknown_tag"))
    if values.get("segment_id") and session.get(Segment, values["segment_id"]) is None:
        errors.append(FieldError("segment_id", "no such segment", code="unknown_segment"))
    if values.get("segment_mode", "none") != "none" and not values.get("segment_id"):
        errors.append(FieldError("segment_id", "required with a segment_mode", code="segment_required"))
    if errors:
        raise Invalid("some settings are not valid", errors)
    return connection


def create_cadence(*, session: Session, actor: Principal, data: CadenceCreate) -> CadenceRead:
    """A draft and its version 1."""
    actor.require(Role.ADMIN)
    values = data.model_dump(include=set(SETTINGS))
    connection = _check_settings(session, values)
    check_steps(session, data.steps, connection=connection)
    versions.check_window(data.window)
    cadence = Cadence(company_id=actor.company_id, created_by=actor.user_id, current_version=1, **values)
    session.add(cadence)
    session.flush()
    versions.add_version(session, cadence, number=1, steps=data.steps, window=data.window, created_by=actor.user_id)
    return _read_one(session, cadence)


def list_cadences(
    *, session: Session, actor: Principal, page: PageRequest, status: str | None = None
) -> Page[CadenceRead]:
    """Newest first, each with its current version and its enrollments by state."""
    del actor
    statement = select(Cadence) if status is None else select(Cadence).where(Cadence.status == status)
    rows, cursor = paginate(session, statement, keys=[Cadence.created_at, Cadence.id], page=page)
    found: dict[tuple[uuid.UUID, int], CadenceVersion] = {}
    if rows:
        keys = [(c.id, c.current_version) for c in rows]
        chosen = tuple_(CadenceVersion.cadence_id, CadenceVersion.version).in_(keys)
        found = {(v.cadence_id, v.version): v for v in session.scalars(select(CadenceVersion).where(chosen))}
    counts = _counts(session, [c.id for c in rows])
    items = [read(c, found[(c.id, c.current_version)], counts[c.id]) for c in rows]
    return Page[CadenceRead](items=items, next_cursor=cursor)


def get_cadence(*, session: Session, actor: Principal, cadence_id: uuid.UUID) -> CadenceRead:
    del actor
    return _read_one(session, cadence_or_404(session, cadence_id))


def _not_archived(cadence: Cadence) -> None:
    if cadence.status == "archived":
        raise StateConflict("an archived cadence does not change", current_state=cadence.status)


def _stale(cadence: Cadence, version: int | None) -> None:
    if version is not None and version != cadence.current_version:
        stale = Conflict(
            f"the cadence changed since version {version}: it is at version {cadence.current_version} now",
            code="stale_version",
            params={"version": version, "current_version": cadence.current_version},
        )
        stale.extra = {"current_version": cadence.current_version}
        raise stale


def update_cadence(*, session: Session, actor: Principal, cadence_id: uuid.UUID, data: CadenceUpdate) -> CadenceRead:
    """The settings given; new steps or window write the next version (enrollments stay on theirs)."""
    actor.require(Role.ADMIN)
    cadence = cadence_or_404(session, cadence_id, lock=True)
    _not_archived(cadence)
    _stale(cadence, data.version)
    changes = data.changes()
    nulls = sorted(name for name, value in changes.items() if value is None and name in NOT_NULLABLE)
    if nulls:
        raise Invalid("these fields cannot be null", [FieldError(n, "cannot be null", code="required") for n in nulls])
    values = {**{name: getattr(cadence, name) for name in SETTINGS}, **changes}
    connection = _check_settings(session, values)
    current = versions.current(session, cadence)
    steps: list[Step] = data.steps if data.steps is not None else parse(current.steps)
    window = data.window or versions.window_of(current)
    check_steps(session, steps, connection=connection)
    versions.check_window(window)
    for name, value in changes.items():
        setattr(cadence, name, value)
    if data.steps is not None or data.window is not None:
        number = cadence.current_version + 1
        versions.add_version(session, cadence, number=number, steps=steps, window=window, created_by=actor.user_id)
    return _read_one(session, cadence)


def delete_cadence(*, session: Session, actor: Principal, cadence_id: uuid.UUID) -> None:
    """Only a cadence that never had an enrollment (archive the others)."""
    actor.require(Role.ADMIN)
    cadence = cadence_or_404(session, cadence_id, lock=True)
    if session.scalar(select(exists().where(Enrollment.cadence_id == cadence.id))):
        raise Conflict("the cadence has enrollments: archive it instead", code="has_enrollments")
    session.delete(cadence)


def activate(*, session: Session, actor: Principal, cadence_id: uuid.UUID, now: datetime) -> CadenceRead:
    """Draft or paused → active (steps checked again against its number); the first activation enrolls its
    segment (once or continuous). Paused steps that fell due run at the next tick."""
    actor.require(Role.ADMIN)
    cadence = cadence_or_404(session, cadence_id, lock=True)
    if cadence.status not in ("draft", "paused"):
        raise StateConflict(f"a {cadence.status} cadence cannot be activated", current_state=cadence.status)
    if cadence.connection_id is None:
        raise Invalid("a cadence needs its number to run",
                      [FieldError("connection_id", "required to activate", code="connection_required")])  # fmt: skip
    connection = _check_settings(session, {name: getattr(cadence, name) for name in SETTINGS})
    check_steps(session, parse(versions.current(session, cadence).steps), connection=connection)
    first = cadence.activated_at is None
    cadence.status, cadence.activated_at = "active", cadence.activated_at or now
    session.flush()
    if first and cadence.segment_mode != "none":
        segments.enroll_segment(session, cadence, now)
        cadence.segment_synced_at = now
    return _read_one(session, cadence)


def pause(*, session: Session, actor: Principal, cadence_id: uuid.UUID) -> CadenceRead:
    """Active → paused: no step runs (sends already queued still go); enrollment still allowed."""
    actor.require(Role.ADMIN)
    cadence = cadence_or_404(session, cadence_id, lock=True)
    if cadence.status != "active":
        raise StateConflict(f"a {cadence.status} cadence cannot be paused", current_state=cadence.status)
    cadence.status = "paused"
    return _read_one(session, cadence)


def archive(*, session: Session, actor: Principal, cadence_id: uuid.UUID, now: datetime) -> CadenceRead:
    """For good: the live enrollments exit (``cadence_archived``); it and its history stay readable."""
    actor.require(Role.ADMIN)
    cadence = cadence_or_404(session, cadence_id, lock=True)
    _not_archived(cadence)
    cadence.status, cadence.archived_at = "archived", now
    exit_where(session, chosen=[Enrollment.cadence_id == cadence.id], reason="cadence_archived", now=now)
    return _read_one(session, cadence)
