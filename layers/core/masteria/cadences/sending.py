"""Queuing a cadence's send steps on its send ledger (``cadence_sends``), for the number's cadence sender.

The cadence engine hands each due send step here (``queue_send``, or ``queue_sends`` for a tick's batch): the
step becomes one ``pending`` row, once per (enrollment, step) whatever fires twice, due at the step's time, on the
cadence's number, and the enrollment is ``sending`` until the send is final for the cadence (sent, failed or
skipped: the sender then calls ``engine.send_settled``). The row's id travels with the message
(``opaque``: ``cadence-send:<id>``) and comes back with every status of it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from masteria.cadences.send_jobs import record_send
from masteria.outbound import bulk_ledger

OPAQUE_PREFIX = "cadence-send:"
TABLE = bulk_ledger.Table("cadence_sends", message_id="provider_message_id")


def opaque(send_id: int) -> str:
    """What travels to the provider with the message and comes back in every status of it."""
    return f"{OPAQUE_PREFIX}{send_id}"


def send_of(opaque_data: Any) -> int | None:
    """The cadence send a status is about (None: not one of ours)."""
    if isinstance(opaque_data, str) and opaque_data.startswith(OPAQUE_PREFIX):
        tail = opaque_data[len(OPAQUE_PREFIX) :]
        if tail.isdigit():
            return int(tail)
    return None


@dataclass(frozen=True)
class DueSend:
    """A send step of one enrollment, due at ``due_at``."""

    enrollment_id: uuid.UUID
    step_index: int
    due_at: datetime


def queue_send(session: Session, *, enrollment: Any, step_index: int, step: Any, due_at: datetime) -> None:
    """Queue one enrollment's send step (``step``: a send step of its version, rendered by the sender when it is
    claimed, from the version the enrollment runs on); the enrollment is ``sending`` until it is final."""
    queue_sends(session, [DueSend(enrollment_id=enrollment.id, step_index=step_index, due_at=due_at)])


def queue_sends(session: Session, items: Sequence[DueSend]) -> int:
    """Queue the send steps ``items`` in one statement, in the transaction's company: a row per (enrollment, step)
    that has none yet, on its cadence's number, and a drive of each number once this transaction commits (not
    before its first send is due). How many rows were new."""
    if not items:
        return 0
    inserted = session.execute(
        text(
            "INSERT INTO cadence_sends (company_id, cadence_id, enrollment_id, step_index, connection_id, contact_id,"
            " phone, next_attempt_at)"
            " SELECT e.company_id, e.cadence_id, e.id, d.step_index, c.connection_id, e.contact_id, ct.phone, d.due_at"
            " FROM unnest(CAST(:enrollments AS uuid[]), CAST(:steps AS integer[]), CAST(:dues AS timestamptz[]))"
            " AS d(enrollment_id, step_index, due_at)"
            " JOIN cadence_enrollments e ON e.id = d.enrollment_id"
            " JOIN cadences c ON c.id = e.cadence_id JOIN contacts ct ON ct.id = e.contact_id"
            " ON CONFLICT (enrollment_id, step_index) DO NOTHING"
            " RETURNING company_id, connection_id, next_attempt_at"
        ),
        {
            "enrollments": [i.enrollment_id for i in items],
            "steps": [i.step_index for i in items],
            "dues": [i.due_at for i in items],
        },
    ).all()
    session.execute(
        text(
            "UPDATE cadence_enrollments SET state = 'sending'"
            " WHERE id = ANY(CAST(:ids AS uuid[])) AND state IN ('active', 'sending')"
        ),
        {"ids": [i.enrollment_id for i in items]},
    )
    first: dict[tuple[uuid.UUID, uuid.UUID], datetime] = {}
    for company_id, connection_id, due_at in inserted:
        if connection_id is not None:  # none: the number was deleted; the sweeper skips its sends
            key = (company_id, connection_id)
            first[key] = min(first.get(key, due_at), due_at)
    for (company_id, connection_id), due_at in first.items():
        record_send(session, company_id, connection_id, at=due_at)
    return len(inserted)
