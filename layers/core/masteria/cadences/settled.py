"""The send ledger's side of an enrollment: a send step is final for the cadence — sent (the provider took it),
failed or skipped — so its history records it and the enrollment moves on (``engine.send_settled``, which the cadence
sender calls; delivered and read are the ledger's own later facts)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Settled:
    enrollment_id: uuid.UUID
    step_index: int
    outcome: str  # sent | failed | skipped
    at: datetime
    detail: dict[str, Any] = field(default_factory=dict)


_SETTLED_HISTORY = text(
    "INSERT INTO cadence_enrollment_steps (company_id, enrollment_id, cadence_id, version, step_index, kind, outcome,"
    " detail, at)"
    " SELECT e.company_id, e.id, e.cadence_id, e.version, d.step_index, v.steps -> d.step_index ->> 'kind',"
    " d.outcome, CAST(d.detail AS jsonb), d.at"
    " FROM unnest(CAST(:ids AS uuid[]), CAST(:steps AS integer[]), CAST(:outcomes AS text[]),"
    " CAST(:details AS text[]), CAST(CAST(:ats AS text[]) AS timestamptz[])) AS d(id, step_index, outcome, detail, at)"
    " JOIN cadence_enrollments e ON e.id = d.id AND e.id = ANY(CAST(:ids AS uuid[]))"
    " JOIN cadence_versions v ON v.cadence_id = e.cadence_id AND v.version = e.version"
    " ON CONFLICT (enrollment_id, step_index) DO NOTHING"
)
# the step's position once it is settled: the next step, due at the outcome's time, or the end (a sender settles at
# most its number's rate a second: small batches)
_SETTLED_ADVANCE = text(
    "UPDATE cadence_enrollments e SET step_index = d.step_index + 1, last_step_at = d.at, updated_at = now(),"
    " state = CASE WHEN d.step_index + 1 >= jsonb_array_length(v.steps) THEN 'completed' ELSE 'active' END,"
    " ended_at = CASE WHEN d.step_index + 1 >= jsonb_array_length(v.steps) THEN d.at END,"
    " next_due_at = CASE WHEN d.step_index + 1 >= jsonb_array_length(v.steps) THEN NULL ELSE d.at END"
    " FROM unnest(CAST(:ids AS uuid[]), CAST(:steps AS integer[]), CAST(CAST(:ats AS text[]) AS timestamptz[]))"
    " AS d(id, step_index, at), cadence_versions v"
    " WHERE e.id = d.id AND e.id = ANY(CAST(:ids AS uuid[])) AND e.state = 'sending' AND e.step_index = d.step_index"
    " AND v.cadence_id = e.cadence_id AND v.version = e.version"
)


def sends_settled(session: Session, items: Sequence[Settled]) -> int:
    """Record each send step's outcome in its enrollment's history (once: a repeat changes nothing) and move each
    enrollment still ``sending`` that step on to its next one, due at the outcome's time (or complete it). An
    enrollment that exited meanwhile keeps its end. How many enrollments moved on."""
    if not items:
        return 0
    ids, steps, ats = [i.enrollment_id for i in items], [i.step_index for i in items], [i.at.isoformat() for i in items]
    session.execute(
        _SETTLED_HISTORY,
        {"ids": ids, "steps": steps, "outcomes": [i.outcome for i in items],
         "details": [json.dumps(i.detail) for i in items], "ats": ats},
    )  # fmt: skip
    moved = session.execute(_SETTLED_ADVANCE, {"ids": ids, "steps": steps, "ats": ats})
    return int(moved.rowcount)  # type: ignore[attr-defined]


def send_settled(
    session: Session,
    *,
    company_id: uuid.UUID,
    enrollment_id: uuid.UUID,
    step_index: int,
    outcome: str,
    at: datetime,
    detail: dict[str, Any],
) -> None:
    """``sends_settled`` for one send (in the transaction's company)."""
    del company_id  # RLS scopes the statements to the transaction's company
    sends_settled(session, [Settled(enrollment_id=enrollment_id, step_index=step_index, outcome=outcome, at=at,
                                    detail=detail)])  # fmt: skip
