"""Automation rules: a trigger, conditions and ordered actions; their order, enabling, and each rule's run log."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, status

from functions.api.deps import CallerDep, ContainerDep, PageDep
from functions.api.error_docs import problems
from masteria.automations import service
from masteria.automations.schemas import AutomationCreate, AutomationOrder, AutomationRead, AutomationUpdate, RunRead
from masteria.pagination import Page

router = APIRouter(prefix="/v1/automations", tags=["automations"])


@router.get("", responses=problems(403), response_model=list[AutomationRead])
def list_automations(caller: CallerDep) -> list[AutomationRead]:
    """Every rule, in the order they run for one event. Admins."""
    return service.list_automations(session=caller.session, actor=caller.principal)


@router.post("", responses=problems(403), status_code=status.HTTP_201_CREATED, response_model=AutomationRead)
def create_automation(body: AutomationCreate, caller: CallerDep, container: ContainerDep) -> AutomationRead:
    """A rule, last in the order. An unknown trigger, condition or action type, an unsafe regex, or an unknown (or
    another company's) tag, stage, user, cadence, template… is a 422 on its field. Admins."""
    return service.create_automation(
        session=caller.session, actor=caller.principal, data=body, now=container.clock.now()
    )


@router.put("/order", responses=problems(403), response_model=list[AutomationRead])
def reorder(body: AutomationOrder, caller: CallerDep) -> list[AutomationRead]:
    """Every rule's id once, in the new order (422 `order_mismatch` otherwise). Admins."""
    return service.reorder(session=caller.session, actor=caller.principal, data=body)


@router.get("/{automation_id}", responses=problems(403), response_model=AutomationRead)
def get_automation(automation_id: uuid.UUID, caller: CallerDep) -> AutomationRead:
    return service.get_automation(session=caller.session, actor=caller.principal, automation_id=automation_id)


@router.patch("/{automation_id}", responses=problems(403), response_model=AutomationRead)
def update_automation(
    automation_id: uuid.UUID, body: AutomationUpdate, caller: CallerDep, container: ContainerDep
) -> AutomationRead:
    """Change some fields (checked like a new rule's). Admins."""
    return service.update_automation(
        session=caller.session, actor=caller.principal, automation_id=automation_id, data=body,
        now=container.clock.now(),
    )  # fmt: skip


@router.delete("/{automation_id}", responses=problems(403), status_code=status.HTTP_204_NO_CONTENT)
def delete_automation(automation_id: uuid.UUID, caller: CallerDep) -> None:
    """The rule and its run log. Admins."""
    service.delete_automation(session=caller.session, actor=caller.principal, automation_id=automation_id)


@router.post("/{automation_id}/enable", responses=problems(403), response_model=AutomationRead)
def enable(automation_id: uuid.UUID, caller: CallerDep, container: ContainerDep) -> AutomationRead:
    """It runs for the events from now on (a no_reply rule: the quiet periods reaching its hours from now). Admins."""
    return service.set_enabled(
        session=caller.session, actor=caller.principal, automation_id=automation_id, enabled=True,
        now=container.clock.now(),
    )  # fmt: skip


@router.post("/{automation_id}/disable", responses=problems(403), response_model=AutomationRead)
def disable(automation_id: uuid.UUID, caller: CallerDep, container: ContainerDep) -> AutomationRead:
    return service.set_enabled(
        session=caller.session, actor=caller.principal, automation_id=automation_id, enabled=False,
        now=container.clock.now(),
    )  # fmt: skip


@router.get("/{automation_id}/runs", responses=problems(403), response_model=Page[RunRead])
def list_runs(
    automation_id: uuid.UUID,
    caller: CallerDep,
    page: PageDep,
    status: Literal["succeeded", "failed", "skipped"] | None = None,
) -> Page[RunRead]:
    """The rule's run log, newest first (`?status=`): what matched, each condition, each action's outcome (a send's
    message as it is now). Admins."""
    return service.list_runs(
        session=caller.session, actor=caller.principal, automation_id=automation_id, page=page, status=status
    )
