"""Automation rules' use cases (admins and owners): create, read, change, delete, enable and disable, put in order,
and read a rule's run log with each send action's message as it is now."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from masteria.automations import action_types, checks, conditions, triggers
from masteria.automations.models import AutomationRule, AutomationRun, AutomationSend
from masteria.automations.schemas import (
    AutomationCreate,
    AutomationOrder,
    AutomationRead,
    AutomationUpdate,
    RunRead,
)
from masteria.automations.sweep import start_at
from masteria.db import get_or_404
from masteria.errors import FieldError, Invalid
from masteria.pagination import Page, PageRequest, paginate
from masteria.tenancy.models import Role
from masteria.tenancy.service import Principal

RunStatus = Literal["succeeded", "failed", "skipped"]


def _read(row: AutomationRule) -> AutomationRead:
    return AutomationRead(
        id=row.id, name=row.name, description=row.description, enabled=row.enabled, position=row.position,
        trigger=triggers.parse(row.trigger), conditions=conditions.parse(row.conditions),
        actions=action_types.parse(row.actions), on_failure=row.on_failure,
        created_at=row.created_at, updated_at=row.updated_at,
    )  # fmt: skip


def _rule_or_404(session: Session, actor: Principal, automation_id: uuid.UUID) -> AutomationRule:
    actor.require(Role.ADMIN)
    return get_or_404(session, AutomationRule, automation_id, "automation")


def _restart_sweep(row: AutomationRule, now: datetime) -> None:
    """A ``no_reply`` rule created, enabled again or given new hours sweeps the periods that reach them from now."""
    if row.trigger.get("type") == triggers.NO_REPLY:
        row.swept_at, row.swept_conversation_id = start_at(now, int(row.trigger["hours"])), None


def list_automations(*, session: Session, actor: Principal) -> list[AutomationRead]:
    """Every rule, in the order they run."""
    actor.require(Role.ADMIN)
    rows = session.scalars(
        select(AutomationRule).order_by(AutomationRule.position, AutomationRule.created_at, AutomationRule.id)
    )
    return [_read(row) for row in rows]


def create_automation(*, session: Session, actor: Principal, data: AutomationCreate, now: datetime) -> AutomationRead:
    """A rule, last in the order; everything it names checked (422 on the field)."""
    actor.require(Role.ADMIN)
    checks.check(session, trigger=data.trigger, conditions=data.conditions, actions=data.actions)
    last = session.scalar(select(func.max(AutomationRule.position)))
    row = AutomationRule(
        company_id=actor.company_id, name=data.name, description=data.description, enabled=data.enabled,
        position=0 if last is None else last + 1, trigger=triggers.dump(data.trigger),
        conditions=conditions.dump(data.conditions), actions=action_types.dump(data.actions),
        on_failure=data.on_failure, created_by=actor.user_id,
    )  # fmt: skip
    _restart_sweep(row, now)
    session.add(row)
    session.flush()
    session.refresh(row)
    return _read(row)


def get_automation(*, session: Session, actor: Principal, automation_id: uuid.UUID) -> AutomationRead:
    return _read(_rule_or_404(session, actor, automation_id))


def update_automation(
    *, session: Session, actor: Principal, automation_id: uuid.UUID, data: AutomationUpdate, now: datetime
) -> AutomationRead:
    row = _rule_or_404(session, actor, automation_id)
    trigger = data.trigger or triggers.parse(row.trigger)
    found = conditions.parse(row.conditions) if data.conditions is None else data.conditions
    actions = data.actions or action_types.parse(row.actions)
    checks.check(session, trigger=trigger, conditions=found, actions=actions)
    new_trigger = triggers.dump(trigger)
    restart = new_trigger != row.trigger
    row.trigger, row.conditions, row.actions = new_trigger, conditions.dump(found), action_types.dump(actions)
    for name in ("name", "description", "on_failure"):
        if name in data.model_fields_set and getattr(data, name) is not None:
            setattr(row, name, getattr(data, name))
    if "description" in data.model_fields_set and data.description is None:
        row.description = None
    if restart:
        _restart_sweep(row, now)
    row.updated_at = now
    session.flush()
    return _read(row)


def delete_automation(*, session: Session, actor: Principal, automation_id: uuid.UUID) -> None:
    """The rule and its run log."""
    session.delete(_rule_or_404(session, actor, automation_id))


def set_enabled(
    *, session: Session, actor: Principal, automation_id: uuid.UUID, enabled: bool, now: datetime
) -> AutomationRead:
    row = _rule_or_404(session, actor, automation_id)
    if enabled and not row.enabled:
        _restart_sweep(row, now)  # not the periods it missed while disabled
    row.enabled, row.updated_at = enabled, now
    session.flush()
    return _read(row)


def reorder(*, session: Session, actor: Principal, data: AutomationOrder) -> list[AutomationRead]:
    """Put every rule in the order of ``data.ids`` (each rule of the company exactly once)."""
    actor.require(Role.ADMIN)
    rows = {row.id: row for row in session.scalars(select(AutomationRule).with_for_update())}
    if len(set(data.ids)) != len(data.ids) or set(data.ids) != set(rows):
        raise Invalid(
            "name every rule once",
            [FieldError("ids", f"the company's {len(rows)} rules, each once, in order", code="order_mismatch")],
        )
    for position, rule_id in enumerate(data.ids):
        rows[rule_id].position = position
    session.flush()
    return [_read(rows[rule_id]) for rule_id in data.ids]


def list_runs(
    *, session: Session, actor: Principal, automation_id: uuid.UUID, page: PageRequest, status: RunStatus | None
) -> Page[RunRead]:
    """The rule's run log, newest first, each send action with its message as it is now."""
    _rule_or_404(session, actor, automation_id)
    statement = select(AutomationRun).where(AutomationRun.rule_id == automation_id)
    if status is not None:
        statement = statement.where(AutomationRun.status == status)
    rows, cursor = paginate(session, statement, keys=[AutomationRun.id], page=page)
    found = session.scalars(
        select(AutomationSend).where(
            AutomationSend.rule_id == automation_id, AutomationSend.event_id.in_([r.event_id for r in rows])
        )
    )
    sent = {
        (s.event_id, s.action_index): {"status": s.status, "reason": s.reason, "message_id": s.id, "sent_at": s.sent_at}
        for s in found
    }
    items = [
        RunRead.model_validate(
            {
                "id": row.id, "automation_id": row.rule_id, "event_id": row.event_id, "event_type": row.event_type,
                "status": row.status, "reason": row.reason, "depth": row.depth, "contact_id": row.contact_id,
                "conversation_id": row.conversation_id, "lead_id": row.lead_id,
                "matched": row.matched.get("trigger") or {}, "conditions": row.matched.get("conditions", []),
                "cause": row.matched.get("cause"), "created_at": row.created_at,
                "actions": [{**result, "send": sent.get((row.event_id, result["index"]))} for result in row.actions],
            }
        )
        for row in rows
    ]  # fmt: skip
    return Page[RunRead](items=items, next_cursor=cursor)
