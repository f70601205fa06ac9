"""Per-step statistics of one cadence version, read from the ledgers: what ran (the step history: sent, failed,
skipped for a send), what was delivered and read (the send ledger), who replied after which step, who exited
waiting for which step and who waits there now (the enrollments). A few grouped queries, whatever the size."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import text
from sqlalchemy.orm import Session

from masteria.cadences.models import Cadence, CadenceVersion
from masteria.cadences.schemas import CadenceStats, CadenceStepStats, EnrollmentCounts
from masteria.cadences.steps import parse

_OUTCOMES = text(
    "SELECT step_index, outcome, count(*) FROM cadence_enrollment_steps WHERE cadence_id = :cadence AND version = :v"
    " GROUP BY step_index, outcome"
)
_DELIVERY = text(
    "SELECT h.step_index, count(*) FILTER (WHERE s.delivered_at IS NOT NULL OR s.read_at IS NOT NULL),"
    " count(*) FILTER (WHERE s.read_at IS NOT NULL)"
    " FROM cadence_enrollment_steps h JOIN cadence_sends s"
    "   ON s.enrollment_id = h.enrollment_id AND s.step_index = h.step_index"
    " WHERE h.cadence_id = :cadence AND h.version = :v AND h.outcome = 'sent' GROUP BY h.step_index"
)
_ENROLLMENTS = text(
    "SELECT state, step_index, exit_reason, count(*) FROM cadence_enrollments WHERE cadence_id = :cadence"
    " AND version = :v GROUP BY state, step_index, exit_reason"
)
_REPLIES = text(
    "SELECT replied_after_step, count(*) FROM cadence_enrollments WHERE cadence_id = :cadence AND version = :v"
    " AND replied_after_step IS NOT NULL GROUP BY replied_after_step"
)


def cadence_stats(session: Session, cadence: Cadence, version: CadenceVersion) -> CadenceStats:
    params = {"cadence": cadence.id, "v": version.version}
    outcomes: Counter[tuple[int, str]] = Counter()
    for index, outcome, count in session.execute(_OUTCOMES, params):
        outcomes[(index, outcome)] += count
    delivery = {index: (delivered, read) for index, delivered, read in session.execute(_DELIVERY, params)}
    states: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    exited: Counter[int] = Counter()
    waiting: Counter[int] = Counter()
    for state, index, reason, count in session.execute(_ENROLLMENTS, params):
        states[state] += count
        if state == "exited":
            reasons[reason] += count
            exited[index] += count
        elif state in ("active", "sending"):
            waiting[index] += count
    replies: dict[int, int] = dict(session.execute(_REPLIES, params).all())
    steps = []
    for index, step in enumerate(parse(version.steps)):
        ran = sum(count for (i, _), count in outcomes.items() if i == index)
        delivered, read = delivery.get(index, (0, 0))
        steps.append(
            CadenceStepStats(
                step_index=index, kind=step.kind, ran=ran, sent=outcomes[(index, "sent")], delivered=delivered,
                read=read, failed=outcomes[(index, "failed")], skipped=outcomes[(index, "skipped")],
                replied=replies.get(index, 0), exited=exited[index], waiting=waiting[index],
            )
        )  # fmt: skip
    return CadenceStats(
        version=version.version,
        enrolled=sum(states.values()),
        states=EnrollmentCounts(**states),
        exit_reasons=dict(reasons),
        steps=steps,
    )
