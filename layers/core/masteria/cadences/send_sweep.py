"""The cadence send sweeper: keeps every number's cadence sends moving after crashes and lost messages, exactly as
the campaign sweeper keeps a campaign's recipients (``outbound.bulk_ledger``'s steps):

- a send claimed and unanswered past its lease (its worker died between the claim and the record) may have gone
  out: unknown, never sent again;
- a send unknown for longer than the unknown timeout (no status came) fails as ``failed_unknown`` and is settled
  for its cadence (its enrollment moves on);
- a pending send whose number was deleted is skipped and settled;
- a number with sends due and left behind (a lost hand-off, sends due later than a queue's delay) and no driver
  gets one."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from masteria.cadences import send_ledger
from masteria.cadences.send_jobs import record_send
from masteria.cadences.send_models import CadenceSend
from masteria.cadences.sending import TABLE
from masteria.db import Database
from masteria.jobs import past
from masteria.outbound import bulk_ledger
from masteria.ports import Clock

# A pending send this long past its time with no driver of its number: that driver's job was lost.
OVERDUE = timedelta(minutes=1)


def sweep(*, db: Database, clock: Clock, unknown_timeout: timedelta, until: float | None = None) -> dict[str, int]:
    """Every company's cadence sends in hand, a company per transaction; companies left when the time budget
    ``until`` is spent wait for the next sweep."""
    with db.cadence_send_sweep() as session:  # ids only, read only
        companies = session.scalars(
            select(CadenceSend.company_id).where(CadenceSend.status.in_(bulk_ledger.OPEN)).distinct()
        ).all()
    counts = {"expired": 0, "requeued": 0, "failed_unknown": 0, "orphaned": 0, "restarted": 0}
    for company_id in companies:
        if past(until):
            break
        with db.tenant(company_id) as session:
            _sweep_company(session, company_id, clock, unknown_timeout, counts)
    return counts


def _sweep_company(
    session: Session, company_id: uuid.UUID, clock: Clock, unknown_timeout: timedelta, counts: dict[str, int]
) -> None:
    now = clock.now()
    expired = bulk_ledger.expire_claims(session, TABLE, now)
    counts["expired"] += len(expired.unknown)
    counts["requeued"] += len(expired.requeued)
    gone = bulk_ledger.fail_unknown(session, TABLE, now, unknown_timeout)
    counts["failed_unknown"] += len(gone)
    orphaned = [
        int(i)
        for (i,) in session.execute(
            text(
                "UPDATE cadence_sends SET status = 'skipped', error_reason = 'connection deleted', updated_at = :now"
                " WHERE status = 'pending' AND connection_id IS NULL RETURNING id"
            ),
            {"now": now},
        ).all()
    ]
    counts["orphaned"] += len(orphaned)
    failed = {"error_code": None, "error_reason": "failed_unknown"}
    send_ledger.settle(
        session,
        [(i, "failed", failed, now) for i in sorted(gone)]
        + [(i, "skipped", {"reason": "connection deleted"}, now) for i in sorted(orphaned)],
    )
    stalled = session.scalars(
        select(CadenceSend.connection_id)
        .where(
            CadenceSend.status == "pending",
            CadenceSend.connection_id.is_not(None),
            CadenceSend.next_attempt_at < now - OVERDUE,
        )
        .distinct()
    ).all()
    for connection_id in stalled:
        driving = session.scalar(
            text("SELECT driver_until > :now FROM cadence_senders WHERE connection_id = :connection"),
            {"now": now, "connection": connection_id},
        )
        if connection_id is not None and not driving:
            record_send(session, company_id, connection_id)  # sent once this transaction commits
            counts["restarted"] += 1
