"""The cadence send ledger's writers besides the claim: a dispatched batch's answers (the sender), the provider's
statuses (the inbound pipeline) and the sweeper's settling of lost answers, each through the bulk senders' one
ledger discipline (``outbound.bulk_ledger``).

A send is *settled* for its cadence once it is final: sent (the provider accepted it), failed or skipped. The
writer that moves a row from ``sending``/``unknown`` to a final status — under the row's lock, taken in id order by
every writer — hands it to the cadence engine (``engine.sends_settled``) in the same transaction, so each send
advances its enrollment exactly once, whichever writer comes first; a ``sent`` one also records
``cadence.step_sent``. Delivered and read arrive later and are the ledger's statistics only."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from masteria.cadences import engine
from masteria.cadences.send_models import CadenceSend
from masteria.cadences.sending import TABLE, send_of
from masteria.channels.providers.port import SendOutcome, StatusUpdate
from masteria.event_payloads import CadenceStepSentPayload
from masteria.events import record_event
from masteria.outbound import bulk_ledger

SENT = ("sent", "delivered", "read")
Final = tuple[int, str, dict[str, Any], datetime]  # a send now final: its id, outcome, detail, and when


def record_batch(session: Session, outcomes: Sequence[tuple[int, SendOutcome]], now: datetime) -> None:
    """Write a sent batch's outcomes (``bulk_ledger.record``) and settle the sends they made final."""
    done = bulk_ledger.record(session, TABLE, outcomes, now)
    open_before = {i for i, status in done.before.items() if status in ("sending", "unknown")}
    final: list[Final] = [(i, "sent", {}, now) for i, _, _ in done.sent if i in open_before]
    final += [(i, "failed", _failure(code, reason), now) for i, code, reason in done.failed if i in open_before]
    settle(session, final)


def by_send(session: Session, statuses: Sequence[StatusUpdate]) -> dict[int, list[StatusUpdate]]:
    """The provider's statuses of cadence sends, by send: those that carry a send's id (``opaque``) and those that
    carry none but the provider's id of a send's message (a kind the provider takes no reference on)."""
    found = bulk_ledger.by_row(statuses, send_of)
    bare = {s.message_id: s for s in statuses if s.opaque is None and s.status in bulk_ledger.WEBHOOK_STATUSES}
    if bare:
        sends = session.execute(
            select(CadenceSend.provider_message_id, CadenceSend.id).where(
                CadenceSend.provider_message_id.in_(list(bare))
            )
        ).all()
        for message_id, send_id in sends:
            found.setdefault(send_id, []).extend(s for s in statuses if s.opaque is None and s.message_id == message_id)
    return found


def apply_statuses(session: Session, statuses: dict[int, list[StatusUpdate]]) -> None:
    """Apply the provider's statuses of cadence sends (``by_send``) to the ledger, in one statement: a status only
    moves a send forward (a late ``delivered`` never undoes ``read``), whatever order they come in; one that
    settles a send left unknown (or still sending) settles it for its cadence."""
    if not statuses:
        return
    rows = session.execute(
        select(CadenceSend.id, CadenceSend.status, CadenceSend.provider_message_id)
        .where(CadenceSend.id.in_(sorted(statuses)))
        .order_by(CadenceSend.id)
        .with_for_update()
    ).all()  # another company's ids are invisible here (RLS): ignored
    changes = bulk_ledger.merge([(row.id, row.status, row.provider_message_id) for row in rows], statuses)
    bulk_ledger.write_statuses(session, TABLE, changes)
    now = datetime.now(UTC)
    final: list[Final] = [
        (c.id, "sent", {}, c.sent or now) if c.status in SENT else (c.id, "failed", _failure(c.code, c.reason), now)
        for c in changes
        if bulk_ledger.settles(c)
    ]
    settle(session, final)


def settle(session: Session, sends: Sequence[Final]) -> None:
    """Hand the sends ``(id, outcome, detail, at)`` now final to the cadence engine, which records each step's outcome
    and moves its enrollment on (one still ``sending`` that step), in this transaction; a sent one is a
    ``cadence.step_sent`` event."""
    if not sends:
        return
    rows = {
        row.id: row
        for row in session.execute(
            text(
                "SELECT s.id, s.company_id, s.cadence_id, s.enrollment_id, s.step_index, s.contact_id, e.version,"
                " v.steps -> s.step_index ->> 'kind' AS kind"
                " FROM cadence_sends s JOIN cadence_enrollments e ON e.id = s.enrollment_id"
                " JOIN cadence_versions v ON v.cadence_id = e.cadence_id AND v.version = e.version"
                " WHERE s.id = ANY(CAST(:ids AS bigint[]))"
            ),
            {"ids": [i for i, *_ in sends]},
        )
    }
    items = []
    for send_id, outcome, detail, at in sends:
        row = rows[send_id]
        items.append(
            engine.Settled(
                enrollment_id=row.enrollment_id,
                step_index=row.step_index,
                outcome=outcome,
                at=at,
                detail={"send_id": send_id, **detail},
            )
        )
        if outcome == "sent":
            payload = CadenceStepSentPayload(
                cadence_id=row.cadence_id,
                enrollment_id=row.enrollment_id,
                contact_id=row.contact_id,
                version=row.version,
                step_index=row.step_index,
                kind=row.kind,
                send_id=send_id,
            )
            record_event(session, company_id=row.company_id, payload=payload)
    engine.sends_settled(session, items)


def _failure(code: int | None, reason: str | None) -> dict[str, Any]:
    return {"error_code": code, "error_reason": reason}
