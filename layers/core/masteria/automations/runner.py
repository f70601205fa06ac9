"""Running the rules for one occurrence (a domain event, or a quiet period the no-reply sweep found).

- **In order**: the company's enabled rules with the occurrence's trigger type run one after the other by
  ``position``, each in its own transaction (a later rule's conditions see what an earlier one did).
- **Once**: a rule's run is one row of the run log, UNIQUE (rule_id, event_id): a redelivered event finds it and
  does nothing; two deliveries at once both run, but the second's insert waits on the first's and, finding it,
  rolls its whole transaction back (its actions with it). A failure of ours (the database…) raises: the event comes
  back and the rules that ran already are skipped, so none is lost.
- **Never a loop**: the actions run inside ``events.caused_by``, so every event they record names the chain of rules
  that caused it and its depth. A rule is not run by an event of its own chain (``loop``), and no rule runs for an
  event ``MAX_DEPTH`` rule runs deep (``depth_limit``): both are logged as skipped runs.
- **Logged**: what matched (the trigger's match, each condition and whether it held) and each action's result;
  ``automation.ran`` for a run whose conditions held (a skipped run records no event).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from masteria.automations import action_types, conditions, triggers
from masteria.automations.actions import Context, run_all
from masteria.automations.models import AutomationRule, AutomationRun
from masteria.automations.subjects import Subject, resolve
from masteria.automations.triggers import Occurrence
from masteria.db import Database
from masteria.event_payloads import AutomationRanPayload
from masteria.events import caused_by, record_event
from masteria.ports import Clock, EventCause, PublishedEvent

MAX_DEPTH = 3  # rule runs in one chain: an event this deep runs no rule


class _AlreadyRan(Exception):
    """Another delivery of the event ran the rule meanwhile: this transaction is rolled back."""


def rules_for(session: Session, trigger_type: str) -> list[uuid.UUID]:
    """The company's enabled rules of ``trigger_type``, in the order they run."""
    return list(
        session.scalars(
            select(AutomationRule.id)
            .where(AutomationRule.enabled.is_(True), AutomationRule.trigger["type"].astext == trigger_type)
            .order_by(AutomationRule.position, AutomationRule.created_at, AutomationRule.id)
        )
    )


def on_event(*, db: Database, clock: Clock, event: PublishedEvent) -> str:
    """Run the company's rules for one domain event; what happened (for the log)."""
    occurrence = Occurrence.of(event)
    if occurrence is None:
        return "ignored"
    return run(db=db, clock=clock, occurrence=occurrence)


def run(*, db: Database, clock: Clock, occurrence: Occurrence, rule_ids: Collection[uuid.UUID] | None = None) -> str:
    """Run the rules of the occurrence's trigger type (only ``rule_ids``, if given), each in its own transaction."""
    with db.tenant(occurrence.company_id) as session:
        chosen = [r for r in rules_for(session, occurrence.trigger_type) if rule_ids is None or r in rule_ids]
    counts: Counter[str] = Counter()
    for rule_id in chosen:
        try:
            with db.tenant(occurrence.company_id) as session:
                counts[run_rule(session, clock=clock, rule_id=rule_id, occurrence=occurrence)] += 1
        except _AlreadyRan:
            counts["duplicate"] += 1
    return ",".join(f"{name}:{count}" for name, count in sorted(counts.items())) or "none"


def _skip_reason(
    session: Session,
    *,
    rule: AutomationRule,
    occurrence: Occurrence,
    subject: Subject,
    logged: dict[str, Any],
    now: datetime,
) -> str | None:
    cause = occurrence.cause
    if cause is not None:
        logged["cause"] = cause.to_json()
        if rule.id in cause.rule_ids:
            return "loop"
        if cause.depth >= MAX_DEPTH:
            return "depth_limit"
    logged["conditions"] = conditions.evaluate(session, conditions.parse(rule.conditions), subject, now)
    return None if all(c["held"] for c in logged["conditions"]) else "conditions"


def run_rule(session: Session, *, clock: Clock, rule_id: uuid.UUID, occurrence: Occurrence) -> str:
    """Run one rule for ``occurrence`` in the caller's transaction: ``not_matched`` (its trigger's filters),
    ``duplicate``, ``disabled``, or the logged run's status (``succeeded``, ``failed``, ``skipped``)."""
    rule = session.get(AutomationRule, rule_id)
    if rule is None or not rule.enabled:
        return "disabled"
    ran = exists().where(AutomationRun.rule_id == rule_id, AutomationRun.event_id == occurrence.event_id)
    if session.scalar(select(ran)):
        return "duplicate"
    subject = resolve(session, occurrence)
    matched = triggers.match(triggers.parse(rule.trigger), occurrence, pipeline_id=subject.pipeline_id)
    if matched is None:
        return "not_matched"
    now = clock.now()
    logged: dict[str, Any] = {"trigger": matched}
    reason = _skip_reason(session, rule=rule, occurrence=occurrence, subject=subject, logged=logged, now=now)
    results: list[dict[str, Any]] = []
    cause = occurrence.cause
    depth = cause.depth if cause is not None else 0
    if reason is None:
        chain = EventCause(rule_ids=(*(cause.rule_ids if cause else ()), rule.id), depth=depth + 1)
        context = Context(session=session, clock=clock, now=now, rule=rule, occurrence=occurrence, subject=subject)
        with caused_by(session, chain):
            results = run_all(context, action_types.parse(rule.actions), stop_on_failure=rule.on_failure == "stop")
    failed = sum(1 for r in results if r["outcome"] == "failed")
    status = "skipped" if reason is not None else "failed" if failed else "succeeded"
    run_id = session.scalar(
        insert(AutomationRun)
        .values(
            company_id=rule.company_id,
            rule_id=rule.id,
            event_id=occurrence.event_id,
            event_type=occurrence.event_type,
            status=status,
            reason=reason,
            depth=depth,
            contact_id=subject.contact_id,
            conversation_id=subject.conversation_id,
            lead_id=subject.lead_id,
            matched=logged,
            actions=results,
        )
        .on_conflict_do_nothing(index_elements=[AutomationRun.rule_id, AutomationRun.event_id])
        .returning(AutomationRun.id)
    )
    if run_id is None:
        raise _AlreadyRan
    if reason is None:
        payload = AutomationRanPayload(
            automation_id=rule.id, run_id=run_id, trigger=occurrence.trigger_type, event_id=occurrence.event_id,
            status="failed" if failed else "succeeded", contact_id=subject.contact_id,
            conversation_id=subject.conversation_id, lead_id=subject.lead_id,
            actions_done=sum(1 for r in results if r["outcome"] == "done"), actions_failed=failed,
        )  # fmt: skip
        record_event(session, company_id=rule.company_id, payload=payload)
    return status
