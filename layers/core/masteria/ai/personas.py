"""Personas: who the AI is on a company's numbers. A persona names its current version; a change writes a new
version (append-only), so every reply and decision names the version that made it.

A connection (number) is claimed by at most one unarchived persona at a time: a write that would make two claim
it is refused (409), under a per-company lock so two concurrent writes cannot both pass. So ``active_persona``
finds at most one.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select, text, tuple_
from sqlalchemy.orm import Session

from masteria.ai import hours
from masteria.ai.hours import is_active_at
from masteria.ai.models import Persona, PersonaVersion
from masteria.ai.schemas import (
    NOT_NULLABLE,
    PERSONA_FIELDS,
    PersonaCreate,
    PersonaRead,
    PersonaUpdate,
    PersonaVersionRead,
)
from masteria.channels.models import ChannelConnection
from masteria.db import save_unique
from masteria.errors import Conflict, FieldError, Invalid, NotFound, StateConflict
from masteria.observability import logger
from masteria.pagination import Page, PageRequest, paginate
from masteria.templates.models import WhatsAppTemplate
from masteria.tenancy.models import Role
from masteria.tenancy.service import Principal


def _current_version_of_persona() -> ColumnElement[bool]:
    return (PersonaVersion.persona_id == Persona.id) & (PersonaVersion.version == Persona.current_version)


def active_persona(session: Session, *, connection_id: uuid.UUID, at: datetime) -> PersonaVersion | None:
    """The current version of the company's active, unarchived persona that answers on ``connection_id`` at
    ``at`` (its active hours include it, or it has none), or None. ``session`` is the company's transaction."""
    rows = list(
        session.scalars(
            select(PersonaVersion)
            .join(Persona, _current_version_of_persona())
            .where(
                Persona.is_active.is_(True),
                Persona.archived_at.is_(None),
                PersonaVersion.connection_ids.contains([connection_id]),
            )
            .order_by(Persona.created_at, Persona.id)
        )
    )
    if len(rows) > 1:  # the write path refuses this; should it happen anyway, the oldest persona answers
        logger.warning("several personas claim one connection", extra={"connection_id": str(connection_id)})
    for row in rows:
        if is_active_at(row.active_hours, at):
            return row
    return None


# the persona service: create, read, new versions, activation, archive


def _lock_company_personas(session: Session, company_id: uuid.UUID) -> None:
    """Serialise the company's persona writes until the transaction ends: a connection's claim is checked and
    written by one writer at a time."""
    session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": f"personas:{company_id}"})


def _knowledge_base_ids(session: Session, ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Which of ``ids`` are the company's knowledge bases (row-level security keeps to the company's)."""
    if not ids or session.scalar(text("SELECT to_regclass('knowledge_bases') IS NOT NULL")) is not True:
        return set()
    found = session.execute(
        text("SELECT id FROM knowledge_bases WHERE id = ANY(CAST(:ids AS uuid[]))"), {"ids": [str(i) for i in ids]}
    ).scalars()
    return {uuid.UUID(str(value)) for value in found}


def _unknown(field: str, what: str, wanted: list[uuid.UUID], found: set[uuid.UUID], code: str) -> list[FieldError]:
    missing = [str(i) for i in wanted if i not in found]
    if not missing:
        return []
    return [FieldError(field, f"not {what} of this company: {', '.join(missing)}", code=code,
                       params={"ids": ", ".join(missing)})]  # fmt: skip


def _check(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` (a whole version's fields) checked against the company's data; 422 listing every problem.
    Returns them with ``active_hours`` normalised."""
    problems: list[FieldError] = []
    bases = values["knowledge_base_ids"]
    problems += _unknown("knowledge_base_ids", "knowledge bases", bases, _knowledge_base_ids(session, bases),
                         "unknown_knowledge_base")  # fmt: skip
    numbers = values["connection_ids"]
    if numbers:
        found = set(session.scalars(select(ChannelConnection.id).where(ChannelConnection.id.in_(numbers))))
        problems += _unknown("connection_ids", "numbers", numbers, found, "unknown_connection")
    problems += [FieldError(path, message, code=code) for path, message, code in hours.problems(values["active_hours"])]
    template_id = values["outside_window_template_id"]
    if template_id is not None:
        status = session.scalar(select(WhatsAppTemplate.status).where(WhatsAppTemplate.id == template_id))
        if status is None:
            problems.append(FieldError("outside_window_template_id", "is not a WhatsApp template of this company",
                                       code="unknown_template"))  # fmt: skip
        elif status != "APPROVED":
            problems.append(FieldError("outside_window_template_id", f"the template is {status}, not approved",
                                       code="template_not_approved", params={"status": status}))  # fmt: skip
    if problems:
        raise Invalid("the persona has invalid fields", problems, code="invalid_fields")
    return {**values, "active_hours": hours.normalized(values["active_hours"])}


def _claims(session: Session, persona_id: uuid.UUID | None, connection_ids: list[uuid.UUID]) -> None:
    """409 when another unarchived persona's current version answers on one of ``connection_ids``."""
    if not connection_ids:
        return
    statement = (
        select(Persona.id, Persona.name, PersonaVersion.connection_ids)
        .join(PersonaVersion, _current_version_of_persona())
        .where(Persona.archived_at.is_(None), PersonaVersion.connection_ids.overlap(connection_ids))
        .order_by(Persona.created_at)
    )
    if persona_id is not None:
        statement = statement.where(Persona.id != persona_id)
    clash = session.execute(statement.limit(1)).first()
    if clash is None:
        return
    taken = next(c for c in connection_ids if c in set(clash.connection_ids))
    number = session.scalar(select(ChannelConnection.name).where(ChannelConnection.id == taken)) or str(taken)
    error = Conflict(
        f"the number {number!r} is already answered by the persona {clash.name!r}: remove it there first (a number "
        "has one persona)",
        code="connection_claimed",
        params={"connection": number, "persona": clash.name},
    )
    error.extra = {"connection_id": str(taken), "persona_id": str(clash.id)}
    raise error


def _version_row(persona: Persona, version: int, values: dict[str, Any], actor: Principal) -> PersonaVersion:
    return PersonaVersion(
        company_id=persona.company_id,
        persona_id=persona.id,
        version=version,
        created_by=actor.user_id,
        **{name: values[name] for name in PERSONA_FIELDS},
    )


def _values_of(version: PersonaVersion) -> dict[str, Any]:
    return {name: getattr(version, name) for name in PERSONA_FIELDS}


def _read(persona: Persona, version: PersonaVersion) -> PersonaRead:
    return PersonaRead(
        id=persona.id,
        name=persona.name,
        is_active=persona.is_active,
        archived_at=persona.archived_at,
        current_version=persona.current_version,
        created_at=persona.created_at,
        updated_at=persona.updated_at,
        version_created_at=version.created_at,
        version_created_by=version.created_by,
        **{name: getattr(version, name) for name in PERSONA_FIELDS if name != "name"},
    )


def _current(session: Session, persona: Persona) -> PersonaVersion:
    version = _version(session, persona.id, persona.current_version)
    assert version is not None, "a persona always has its current version"
    return version


def _version(session: Session, persona_id: uuid.UUID, version: int) -> PersonaVersion | None:
    return session.scalars(
        select(PersonaVersion).where(PersonaVersion.persona_id == persona_id, PersonaVersion.version == version)
    ).first()


def _persona_or_404(session: Session, persona_id: uuid.UUID, *, lock: bool = False) -> Persona:
    statement = select(Persona).where(Persona.id == persona_id)
    found = session.scalars(statement.with_for_update() if lock else statement).first()
    if found is None:
        raise NotFound("persona not found")
    return found


def _not_archived(persona: Persona) -> None:
    if persona.archived_at is not None:
        raise StateConflict("the persona is archived", current_state="archived", code="persona_archived")


def _save_name(session: Session, persona: Persona) -> None:
    save_unique(session, persona, f"a persona named {persona.name!r} exists", name=persona.name)


def create_persona(*, session: Session, actor: Principal, data: PersonaCreate) -> PersonaRead:
    """A persona and its version 1 (admin and up)."""
    actor.require(Role.ADMIN)
    _lock_company_personas(session, actor.company_id)
    values = _check(session, data.model_dump(include=set(PERSONA_FIELDS)))
    _claims(session, None, values["connection_ids"])
    persona = Persona(company_id=actor.company_id, name=data.name, current_version=1, is_active=data.is_active)
    _save_name(session, persona)
    version = _version_row(persona, 1, values, actor)
    session.add(version)
    session.flush()
    session.refresh(version)
    return _read(persona, version)


def list_personas(
    *, session: Session, actor: Principal, page: PageRequest, archived: bool = False
) -> Page[PersonaRead]:
    """The company's personas, newest first, each with its current version (archived ones with ``archived``)."""
    statement = select(Persona).where(Persona.archived_at.is_not(None) if archived else Persona.archived_at.is_(None))
    rows, cursor = paginate(session, statement, keys=[Persona.created_at, Persona.id], page=page)
    versions: dict[tuple[uuid.UUID, int], PersonaVersion] = {}
    if rows:
        keys = [(p.id, p.current_version) for p in rows]
        current = tuple_(PersonaVersion.persona_id, PersonaVersion.version).in_(keys)
        versions = {(v.persona_id, v.version): v for v in session.scalars(select(PersonaVersion).where(current))}
    return Page[PersonaRead](items=[_read(p, versions[(p.id, p.current_version)]) for p in rows], next_cursor=cursor)


def get_persona(*, session: Session, actor: Principal, persona_id: uuid.UUID) -> PersonaRead:
    persona = _persona_or_404(session, persona_id)
    return _read(persona, _current(session, persona))


def list_versions(
    *, session: Session, actor: Principal, persona_id: uuid.UUID, page: PageRequest
) -> Page[PersonaVersionRead]:
    """Every version of the persona, newest first."""
    _persona_or_404(session, persona_id)
    statement = select(PersonaVersion).where(PersonaVersion.persona_id == persona_id)
    rows, cursor = paginate(session, statement, keys=[PersonaVersion.version], page=page)
    return Page[PersonaVersionRead](items=[PersonaVersionRead.model_validate(r) for r in rows], next_cursor=cursor)


def get_version(*, session: Session, actor: Principal, persona_id: uuid.UUID, version: int) -> PersonaVersionRead:
    _persona_or_404(session, persona_id)
    row = _version(session, persona_id, version)
    if row is None:
        raise NotFound("persona version not found", code="version_not_found", params={"version": version})
    return PersonaVersionRead.model_validate(row)


def update_persona(*, session: Session, actor: Principal, persona_id: uuid.UUID, data: PersonaUpdate) -> PersonaRead:
    """A new version with the fields given, the others copied from the current one (admin and up). ``data.version``
    must be the current version (else 409 ``stale_version``, naming the current one); a body that changes
    nothing writes no version."""
    actor.require(Role.ADMIN)
    _lock_company_personas(session, actor.company_id)
    persona = _persona_or_404(session, persona_id, lock=True)
    _not_archived(persona)
    if data.version != persona.current_version:
        stale = Conflict(
            f"the persona changed since version {data.version}: it is at version {persona.current_version} now; "
            "reload it and apply your changes again",
            code="stale_version",
            params={"version": data.version, "current_version": persona.current_version},
        )
        stale.extra = {"current_version": persona.current_version}
        raise stale
    changes = data.changes()
    nulls = sorted(name for name, value in changes.items() if value is None and name in NOT_NULLABLE)
    if nulls:
        raise Invalid("these fields cannot be null", [FieldError(n, "cannot be null", code="required") for n in nulls])
    current = _current(session, persona)
    before = _values_of(current)
    after = _check(session, {**before, **changes})
    if after == before:
        return _read(persona, current)
    _claims(session, persona.id, after["connection_ids"])
    persona.current_version += 1
    if after["name"] != persona.name:
        persona.name = after["name"]
    _save_name(session, persona)
    version = _version_row(persona, persona.current_version, after, actor)
    session.add(version)
    session.flush()
    session.refresh(version)
    session.refresh(persona)
    return _read(persona, version)


def set_active(*, session: Session, actor: Principal, persona_id: uuid.UUID, active: bool) -> PersonaRead:
    """Turn the persona's automatic answers on or off (admin and up); no new version."""
    actor.require(Role.ADMIN)
    persona = _persona_or_404(session, persona_id, lock=True)
    _not_archived(persona)
    if persona.is_active != active:
        persona.is_active = active
        session.flush()
        session.refresh(persona)
    return _read(persona, _current(session, persona))


def archive_persona(*, session: Session, actor: Principal, persona_id: uuid.UUID, now: datetime) -> None:
    """Archive the persona (admin and up): it stops answering, frees its name and its numbers, and stays
    readable with its versions (replies and decisions name them)."""
    actor.require(Role.ADMIN)
    persona = _persona_or_404(session, persona_id, lock=True)
    if persona.archived_at is None:
        persona.archived_at, persona.is_active = now, False
        session.flush()


def version_for(
    session: Session, *, persona_id: uuid.UUID, version: int | None = None
) -> tuple[Persona, PersonaVersion]:
    """The persona and one of its versions (the current one by default), or 404."""
    persona = _persona_or_404(session, persona_id)
    row = _version(session, persona_id, version or persona.current_version)
    if row is None:
        raise NotFound("persona version not found", code="version_not_found", params={"version": version or 0})
    return persona, row
