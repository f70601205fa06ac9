"""The ``no_reply`` trigger's sweep (``automation_sweeper``, on a schedule): conversations where we wrote and the
customer has not answered for the rule's hours.

A conversation's quiet period starts with our first message (not a failed one) after the customer's last; it ends
when the customer writes. Each rule keeps how far it has swept (``swept_at``, ``swept_conversation_id``: the
periods are taken in the order of their start), so each period runs the rule once: its occurrence's id is derived
from the rule's trigger, the conversation and the period's start (the run log's UNIQUE (rule_id, event_id) is the
last word). A rule starts from the periods that reach its hours after it was created, enabled or given new hours."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select, text

from masteria.automations import runner
from masteria.automations.models import AutomationRule
from masteria.automations.triggers import NO_REPLY, Occurrence
from masteria.db import Database
from masteria.jobs import past
from masteria.observability import logger
from masteria.ports import Clock

BATCH = 200
_NAMESPACE = uuid.UUID("6f1f1c52-3c58-4d8e-9b0e-2a5f3c7d9e10")
_LOWEST = uuid.UUID(int=0)
_QUIET = text(
    "SELECT c.id, c.contact_id, q.since FROM conversations c"
    " CROSS JOIN LATERAL (SELECT min(m.sent_at) AS since FROM messages m"
    "   WHERE m.conversation_id = c.id AND m.direction = 'out' AND m.status <> 'failed'"
    "   AND (c.last_inbound_at IS NULL OR m.sent_at > c.last_inbound_at)) q"
    " WHERE c.last_message_at >= :after AND q.since IS NOT NULL AND q.since <= :cutoff"
    " AND (q.since, c.id) > (CAST(:after AS timestamptz), CAST(:after_id AS uuid))"
    " ORDER BY q.since, c.id LIMIT :batch"
)


def start_at(now: datetime, hours: int) -> datetime:
    """Where a rule's sweep starts: the periods that reach ``hours`` from ``now`` on."""
    return now - timedelta(hours=hours)


def occurrence_id(rule_id: uuid.UUID, hours: int, conversation_id: uuid.UUID, since: datetime) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"{rule_id}:{hours}:{conversation_id}:{since.isoformat()}")


def _sweep_rule(db: Database, clock: Clock, company_id: uuid.UUID, rule_id: uuid.UUID, until: float | None) -> int:
    fired = 0
    while True:
        now = clock.now()
        with db.tenant(company_id) as session:
            rule = session.get(AutomationRule, rule_id)
            if rule is None or not rule.enabled or rule.trigger.get("type") != NO_REPLY:
                return fired
            hours = int(rule.trigger["hours"])
            after = rule.swept_at or start_at(rule.created_at, hours)
            params = {"after": after, "after_id": str(rule.swept_conversation_id or _LOWEST),
                      "cutoff": now - timedelta(hours=hours), "batch": BATCH}  # fmt: skip
            quiet = session.execute(_QUIET, params).all()
        for conversation_id, contact_id, since in quiet:
            occurrence = Occurrence(
                event_id=occurrence_id(rule_id, hours, conversation_id, since), company_id=company_id,
                event_type=NO_REPLY, trigger_type=NO_REPLY, occurred_at=now,
                data={"conversation_id": str(conversation_id), "contact_id": str(contact_id),
                      "since": since.isoformat(), "hours": hours},
            )  # fmt: skip
            runner.run(db=db, clock=clock, occurrence=occurrence, rule_ids={rule_id})
            fired += 1
        if quiet:
            with db.tenant(company_id) as session:
                row = session.get_one(AutomationRule, rule_id, with_for_update=True)
                row.swept_at, row.swept_conversation_id = quiet[-1].since, quiet[-1].id
        if len(quiet) < BATCH or past(until):
            return fired


def sweep(*, db: Database, clock: Clock, until: float | None = None) -> int:
    """Every company's enabled ``no_reply`` rules, each over the quiet periods that reached its hours since its last
    sweep: how many periods ran a rule."""
    with db.automation_sweep() as session:  # ids only, read only
        rules = session.execute(
            select(AutomationRule.company_id, AutomationRule.id).where(
                AutomationRule.enabled.is_(True), AutomationRule.trigger["type"].astext == NO_REPLY
            )
        ).all()
    fired = 0
    for company_id, rule_id in rules:
        if past(until):
            break
        fired += _sweep_rule(db, clock, company_id, rule_id, until)
    if fired:
        logger.info("quiet conversations swept", extra={"fired": fired})
    return fired
