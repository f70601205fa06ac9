"""The cadence tick: each company's due enrollments, in batches, each run through its due steps.

The schedule fires the tick every minute (``functions/workers/cadence_ticker``). It lists the companies with due
enrollments (the one cross-company read, ``Database.cadence_tick``) and, in each company's own transactions, takes
a batch of due enrollments ``FOR UPDATE SKIP LOCKED`` (a tick fired twice takes disjoint batches; an enrollment
moved on by another transaction no longer matches when its lock is granted). Each enrollment runs its non-send
steps inline — wait, branch, tag, move the lead, notify, emit an event — until a wait that ends later, a send step
or the end; a send step whose window is open is handed to the send ledger (``sending.queue_sends``: the enrollment
is ``sending`` until ``send_settled``), else it is due at the window's next opening. The batch's history rows go in
one statement without ``ON CONFLICT``: the history's unique (enrollment, step) is the last guard, a step that ran
already rolls the whole batch back. Before its step, an enrollment whose contact opted out, got the goal tag or
(``exit_on_reply``) wrote since enrolling exits, whatever the event consumer has done yet."""

from __future__ import annotations

import json
import time as clock_time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from masteria.cadences import sending
from masteria.cadences.actions import Actions
from masteria.cadences.due import Due, take
from masteria.cadences.enrollment import exit_where
from masteria.cadences.exits import mark_replied
from masteria.cadences.models import Cadence, CadenceVersion, Enrollment
from masteria.cadences.settled import Settled, send_settled, sends_settled
from masteria.cadences.steps import MAX_STEPS, Step, TagStep, WaitStep, is_send, parse
from masteria.cadences.timing import Timing
from masteria.db import Database
from masteria.observability import logger
from masteria.ports import Clock
from masteria.tenancy.models import Company

__all__ = ["BATCH", "Counts", "Settled", "run_batch", "send_settled", "sends_settled", "tick"]  # settled: the sender's

BATCH = 500
SLICE_SECONDS = 45.0  # a tick's work per run (the schedule fires every minute; the next run goes on)
# A batch's enrollments moved on alike (the same step, state and times: a batch's sends, its waits) in one statement
# each, by primary key (``= ANY``): no join whose plan depends on the statistics of a table enrolled a second ago.
_ADVANCE = text(
    "UPDATE cadence_enrollments SET step_index = :step, state = :state, next_due_at = :due, last_step_at = :last,"
    " ended_at = :ended, updated_at = now() WHERE id = ANY(CAST(:ids AS uuid[]))"
)
_HISTORY = text(
    "INSERT INTO cadence_enrollment_steps (company_id, enrollment_id, cadence_id, version, step_index, kind, outcome,"
    " detail, at)"
    " SELECT :company, d.* FROM unnest(CAST(:ids AS uuid[]), CAST(:cadences AS uuid[]), CAST(:versions AS integer[]),"
    " CAST(:steps AS integer[]), CAST(:kinds AS text[]), CAST(:outcomes AS text[]), CAST(CAST(:details AS text[]) AS"
    " jsonb[]), CAST(:ats AS timestamptz[])) AS d"
)


@dataclass
class Counts:
    enrollments: int = 0
    steps: int = 0
    sends: int = 0
    deferred: int = 0  # a send step waiting for its window
    completed: int = 0
    exited: int = 0

    def add(self, other: Counts) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class _Batch:
    """What a batch's enrollments did, written at its end in a few statements."""

    history: list[dict[str, Any]] = field(default_factory=list)
    moves: list[tuple[uuid.UUID, int, str, datetime | None, datetime | None, datetime | None]] = field(
        default_factory=list
    )
    sends: list[sending.DueSend] = field(default_factory=list)
    exits: dict[str, list[Due]] = field(default_factory=dict)
    counts: Counts = field(default_factory=Counts)


class Versions:
    """Versions are append-only: read once per tick, parsed once."""

    def __init__(self) -> None:
        self._found: dict[tuple[uuid.UUID, int], tuple[list[Step], CadenceVersion]] = {}

    def load(self, session: Session, keys: set[tuple[uuid.UUID, int]]) -> None:
        missing = keys - self._found.keys()
        if missing:
            for cadence_id, number in missing:
                chosen = (CadenceVersion.cadence_id == cadence_id, CadenceVersion.version == number)
                row = session.scalars(select(CadenceVersion).where(*chosen)).one()
                session.expunge(row)
                self._found[(cadence_id, number)] = (parse(row.steps), row)

    def __getitem__(self, key: tuple[uuid.UUID, int]) -> tuple[list[Step], CadenceVersion]:
        return self._found[key]


class _Runner:
    def __init__(self, session: Session, clock: Clock, now: datetime, company: Company, versions: Versions) -> None:
        self.session, self.now, self.versions = session, now, versions
        self.actions = Actions(session, clock, now)
        self.company_timezone = company.timezone
        self.timings: dict[tuple[uuid.UUID, int], Timing] = {}
        self.batch = _Batch()

    def exit(self, due: Due, reason: str) -> None:
        self.batch.exits.setdefault(reason, []).append(due)

    def advance(self, cadence: Cadence, due: Due) -> None:
        """Run ``due``'s steps from its next one until one waits (a later wait, a send, the window) or the end."""
        steps, version = self.versions[(due.cadence_id, due.version)]
        if due.opted_out:
            return self.exit(due, "opted_out")
        if due.goal_reached:
            return self.exit(due, "goal_tag")
        if cadence.exit_on_reply and due.replied_since(None):
            return self.exit(due, "replied")
        key = (due.cadence_id, due.version)
        timing = self.timings.get(key) or self.timings.setdefault(key, Timing.of(version, self.company_timezone))
        index, last_step_at, next_due, state = due.step_index, due.last_step_at, None, "active"
        for _ in range(MAX_STEPS + 1):  # branches only jump forward: at most every step once
            if index >= len(steps):
                state = "completed"
                break
            step = steps[index]
            if is_send(step):
                opens = timing.send_at(self.now, due.phone)
                if opens <= self.now:
                    self.batch.sends.append(sending.DueSend(enrollment_id=due.id, step_index=index, due_at=self.now))
                    self.batch.counts.sends += 1
                else:
                    next_due = opens
                    self.batch.counts.deferred += 1
                break
            if isinstance(step, WaitStep):
                ran_outcome, detail, next_index = "done", {}, index + 1
                next_due = timing.wait_until(self.now, step, due.phone)
                detail = {"until": next_due.isoformat()}
            else:
                ran = self.actions.run(cadence, due, index, step, last_step_at)
                ran_outcome, detail, next_index = ran.outcome, ran.detail, ran.next_index
            self._record(due, index, step.kind, ran_outcome, detail)
            index, last_step_at = next_index, self.now
            if isinstance(step, TagStep) and step.action == "add" and step.tag_id == cadence.goal_tag_id:
                self._move(due.id, index, "active", None, last_step_at)
                return self.exit(due, "goal_tag")
            if next_due is not None and next_due > self.now:
                break
            next_due = None
        self._move(due.id, index, state, next_due, last_step_at)
        return None

    def _record(self, due: Due, index: int, kind: str, outcome: str, detail: dict[str, Any]) -> None:
        self.batch.history.append(
            {"enrollment_id": due.id, "cadence_id": due.cadence_id, "version": due.version, "step_index": index,
             "kind": kind, "outcome": outcome, "detail": detail}
        )  # fmt: skip
        self.batch.counts.steps += 1

    def _move(
        self, enrollment_id: uuid.UUID, index: int, state: str, due: datetime | None, last: datetime | None
    ) -> None:
        ended = self.now if state == "completed" else None
        self.batch.moves.append((enrollment_id, index, state, due if state == "active" else None, last, ended))
        self.batch.counts.completed += state == "completed"

    def write(self, company_id: uuid.UUID) -> Counts:
        batch = self.batch
        if batch.history:
            rows = batch.history
            self.session.execute(
                _HISTORY,
                {"company": company_id, "ids": [r["enrollment_id"] for r in rows],
                 "cadences": [r["cadence_id"] for r in rows], "versions": [r["version"] for r in rows],
                 "steps": [r["step_index"] for r in rows], "kinds": [r["kind"] for r in rows],
                 "outcomes": [r["outcome"] for r in rows], "details": [json.dumps(r["detail"]) for r in rows],
                 "ats": [self.now] * len(rows)},
            )  # fmt: skip
        alike: dict[tuple[int, str, datetime | None, datetime | None, datetime | None], list[uuid.UUID]] = {}
        for enrollment_id, *values in batch.moves:
            alike.setdefault(tuple(values), []).append(enrollment_id)  # type: ignore[arg-type]
        for (step, state, due_at, last, ended), ids in alike.items():
            self.session.execute(
                _ADVANCE, {"ids": ids, "step": step, "state": state, "due": due_at, "last": last, "ended": ended}
            )
        # a send step's enrollment: its step index and last step written first, then handed over (``sending``)
        sending.queue_sends(self.session, batch.sends)
        for reason, dues in batch.exits.items():
            for due in dues if reason == "replied" else ():
                replied_at = max(t for t in (due.last_inbound_at, due.replied_at) if t is not None)
                mark_replied(self.session, contact_id=due.contact_id, at=replied_at)
            chosen = [Enrollment.id.in_([d.id for d in dues])]
            batch.counts.exited += exit_where(self.session, chosen=chosen, reason=reason, now=self.now)
        return batch.counts


def run_batch(
    session: Session, *, company_id: uuid.UUID, clock: Clock, versions: Versions, batch: int = BATCH
) -> Counts:
    """One batch of the transaction's company's due enrollments, run and written (in the caller's transaction)."""
    now = clock.now()
    cadences, due = take(session, now=now, batch=batch)
    if not due:
        return Counts()
    versions.load(session, {(d.cadence_id, d.version) for d in due})
    runner = _Runner(session, clock, now, session.get_one(Company, company_id), versions)
    for enrollment in due:
        runner.advance(cadences[enrollment.cadence_id], enrollment)
    counts = runner.write(company_id)
    counts.enrollments = len(due)
    return counts


def companies_due(db: Database, now: datetime) -> list[uuid.UUID]:
    with db.cadence_tick() as session:
        found = session.scalars(
            text("SELECT DISTINCT company_id FROM cadence_enrollments WHERE state = 'active' AND next_due_at <= :now"),
            {"now": now},
        )
        return list(found)


def tick(*, db: Database, clock: Clock, until: float | None = None, batch: int = BATCH) -> dict[str, int]:
    """Run every company's due steps, batch after batch, until none is due or the slice ends (``until``, a
    ``time.monotonic()`` deadline: the next tick goes on). Counts of what ran."""
    deadline = until if until is not None else clock_time.monotonic() + SLICE_SECONDS
    total, versions = Counts(), Versions()
    for company_id in companies_due(db, clock.now()):
        while clock_time.monotonic() < deadline:
            try:
                with db.tenant(company_id) as session:
                    counts = run_batch(session, company_id=company_id, clock=clock, versions=versions, batch=batch)
            except IntegrityError:
                # a step recorded twice: the batch rolled back whole (nothing ran twice); the next tick retries it
                logger.exception("cadence batch refused by the step history", extra={"company_id": str(company_id)})
                break
            total.add(counts)
            if counts.enrollments < batch:
                break
    return vars(total)
