"""AI personas: versions on every change, activation, archive, and "test this persona"."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from functions.api.deps import CallerDep, ContainerDep, PageDep
from functions.api.error_docs import problems
from masteria.ai import persona_trial, personas
from masteria.ai.schemas import (
    PersonaCreate,
    PersonaRead,
    PersonaTest,
    PersonaTestResult,
    PersonaUpdate,
    PersonaVersionRead,
)
from masteria.pagination import Page

router = APIRouter(prefix="/v1/personas", tags=["ai"])
VersionNumber = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("", response_model=Page[PersonaRead])
def list_personas(
    caller: CallerDep,
    page: PageDep,
    archived: Annotated[bool, Query(description="the archived personas instead")] = False,
) -> Page[PersonaRead]:
    """The company's personas, newest first, each with its current version's fields."""
    return personas.list_personas(session=caller.session, actor=caller.principal, page=page, archived=archived)


@router.post("", responses=problems(403, 409), status_code=status.HTTP_201_CREATED, response_model=PersonaRead)
def create_persona(body: PersonaCreate, caller: CallerDep) -> PersonaRead:
    """A persona and its version 1 (admin and up). Its knowledge bases, numbers and template must be the
    company's (422 on the field); a number another persona answers on is a 409 `connection_claimed`."""
    return personas.create_persona(session=caller.session, actor=caller.principal, data=body)


@router.get("/{persona_id}", response_model=PersonaRead)
def get_persona(persona_id: uuid.UUID, caller: CallerDep) -> PersonaRead:
    return personas.get_persona(session=caller.session, actor=caller.principal, persona_id=persona_id)


@router.patch("/{persona_id}", responses=problems(403, 409), response_model=PersonaRead)
def update_persona(persona_id: uuid.UUID, body: PersonaUpdate, caller: CallerDep) -> PersonaRead:
    """A new version (admin and up): the fields given, the others copied from the current version. `version` is
    the `current_version` the client read: another is a 409 `stale_version` (someone saved in between)."""
    return personas.update_persona(session=caller.session, actor=caller.principal, persona_id=persona_id, data=body)


@router.delete("/{persona_id}", responses=problems(403), status_code=status.HTTP_204_NO_CONTENT)
def archive_persona(persona_id: uuid.UUID, caller: CallerDep, container: ContainerDep) -> None:
    """Archive the persona (admin and up): it stops answering and frees its name and numbers; it and its
    versions stay readable."""
    personas.archive_persona(
        session=caller.session, actor=caller.principal, persona_id=persona_id, now=container.clock.now()
    )


@router.post("/{persona_id}/activate", responses=problems(403, 409), response_model=PersonaRead)
def activate_persona(persona_id: uuid.UUID, caller: CallerDep) -> PersonaRead:
    """Let the persona answer on its numbers, within its active hours (admin and up)."""
    return personas.set_active(session=caller.session, actor=caller.principal, persona_id=persona_id, active=True)


@router.post("/{persona_id}/deactivate", responses=problems(403, 409), response_model=PersonaRead)
def deactivate_persona(persona_id: uuid.UUID, caller: CallerDep) -> PersonaRead:
    return personas.set_active(session=caller.session, actor=caller.principal, persona_id=persona_id, active=False)


@router.get("/{persona_id}/versions", response_model=Page[PersonaVersionRead])
def list_versions(persona_id: uuid.UUID, caller: CallerDep, page: PageDep) -> Page[PersonaVersionRead]:
    """Every version of the persona, newest first."""
    return personas.list_versions(session=caller.session, actor=caller.principal, persona_id=persona_id, page=page)


@router.get("/{persona_id}/versions/{version}", response_model=PersonaVersionRead)
def get_version(persona_id: uuid.UUID, version: VersionNumber, caller: CallerDep) -> PersonaVersionRead:
    return personas.get_version(session=caller.session, actor=caller.principal, persona_id=persona_id, version=version)


@router.post("/{persona_id}/test", responses=problems(502, 504), response_model=PersonaTestResult)
def test_persona(
    persona_id: uuid.UUID, body: PersonaTest, caller: CallerDep, container: ContainerDep
) -> PersonaTestResult:
    """Ask the persona (its current version, or `version`) a question as a customer would: retrieval from its
    knowledge bases, then one call to its model. Returns the answer, the passages it was given (`sources`), any
    tool calls and the usage (recorded as `test`). Nothing is sent to anyone. The model failing is a 502 (504 for
    a timeout) with `code` `ai_model_<category>` (`auth`, `timeout`, `unavailable`, `rate_limited`,
    `invalid_request`, `invalid_response`), and a notification."""
    return persona_trial.try_persona(
        session=caller.session, container=container, actor=caller.principal, persona_id=persona_id, data=body
    )
