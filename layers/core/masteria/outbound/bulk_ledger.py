"""The ledger discipline of the bulk senders, once for every ledger that has its columns (a campaign's recipients,
a cadence's sends): ``id``, ``status`` (pending, sending, unknown, sent, delivered, read, failed, skipped),
``attempts``, ``next_attempt_at``, ``claimed_until``, the provider's message id, ``error_code``,
``error_reason``, ``segments``, ``sent_at``, ``delivered_at``, ``read_at``, ``failed_at``, ``updated_at``.

- rows settled at the claim without a send (skipped, failed) or deferred to a later time;
- claimed rows marked ``sending`` with their lease and attempt;
- a dispatched batch's answers (``record``): sent, unknown (never resent), pending again, failed;
- the provider's statuses (``merge``, ``write_statuses``): a status moves a row forward only (a late
  ``delivered`` never undoes ``read``; failed is final);
- a batch marked posted before its first request (``mark_posting``);
- the sweeper's steps: claims unanswered past their lease become unknown when their batch was posted, pending
  again when it never was; unknowns too old fail as unknown.

Rows are locked in id order by every writer (the sender's record, the status webhooks): no deadlock between them.
The SQL names its table and message id column from ``Table``, the module's constants, never from input."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from masteria.channels.providers.port import Outcome, SendOutcome, StatusUpdate
from masteria.outbound.bulk import Batch, Claim, Sorting

# A status moves a row forward only (a late "delivered" never undoes "read"; failed is final).
RANK = {"pending": 0, "sending": 1, "unknown": 2, "sent": 3, "delivered": 4, "read": 5, "failed": 6, "skipped": 6}
WEBHOOK_STATUSES = frozenset({"sent", "delivered", "read", "played", "failed"})
OPEN = ("pending", "sending", "unknown")  # not final: sent, delivered, read, failed and skipped are


@dataclass(frozen=True)
class Table:
    """A ledger table and the name of its provider message id column."""

    name: str
    message_id: str


# ---- at the claim --------------------------------------------------------------------------------


def settle_unsent(session: Session, table: Table, rows: Sequence[tuple[int, str]], status: str, now: datetime) -> None:
    """Rows final without a send (``skipped``) or ``failed`` at the claim, each with its reason."""
    if not rows:
        return
    session.execute(
        text(
            f"UPDATE {table.name} r SET status = :status, error_reason = d.reason, updated_at = :now,"  # noqa: S608 - constant names
            " failed_at = CASE WHEN :status = 'failed' THEN CAST(:now AS timestamptz) END"
            " FROM unnest(CAST(:ids AS bigint[]), CAST(:reasons AS text[])) AS d(id, reason) WHERE r.id = d.id"
        ),
        {"status": status, "now": now, "ids": [i for i, _ in rows], "reasons": [r for _, r in rows]},
    )


def defer(session: Session, table: Table, rows: Sequence[tuple[int, datetime]]) -> None:
    """Pending rows not due until then (outside their sending window)."""
    if not rows:
        return
    session.execute(
        text(
            f"UPDATE {table.name} r SET next_attempt_at = d.at, updated_at = now()"  # noqa: S608 - constant names
            " FROM unnest(CAST(:ids AS bigint[]), CAST(:ats AS timestamptz[])) AS d(id, at) WHERE r.id = d.id"
        ),
        {"ids": [i for i, _ in rows], "ats": [a for _, a in rows]},
    )


def settle_sorted(session: Session, table: Table, sorting: Sorting, now: datetime) -> None:
    """A claim's rows settled on the way: skipped, failed (broken: ``worker_error``) or deferred."""
    settle_unsent(session, table, sorting.skipped, "skipped", now)
    settle_unsent(session, table, [(i, "worker_error") for i, _ in sorting.broken], "failed", now)
    defer(session, table, sorting.deferred)


def mark_sending(session: Session, table: Table, claim: Claim, now: datetime) -> None:
    """The claimed batch's rows ``sending`` under the claim's lease, one attempt more (``batch.attempts``), with
    their SMS segments."""
    batch = claim.batch
    if not batch.ids:
        return
    attempts = session.execute(
        text(
            f"UPDATE {table.name} SET status = 'sending', attempts = attempts + 1, claimed_until = :until,"  # noqa: S608 - constant names
            " posted_at = NULL, updated_at = :now WHERE id = ANY(CAST(:ids AS bigint[])) RETURNING id, attempts"
        ),
        {"until": claim.claimed_until, "now": now, "ids": batch.ids},
    ).all()
    batch.attempts = {int(i): int(a) for i, a in attempts}
    if batch.segments:
        session.execute(
            text(
                f"UPDATE {table.name} r SET segments = d.segments FROM unnest(CAST(:ids AS bigint[]),"  # noqa: S608 - constant names
                " CAST(:segments AS smallint[])) AS d(id, segments) WHERE r.id = d.id"
            ),
            {"ids": batch.ids, "segments": [batch.segments[i] for i in batch.ids]},
        )


def mark_posting(session: Session, table: Table, batch: Batch, now: datetime) -> list[int]:
    """The batch's requests are about to start: its rows still under this claim (still ``sending``, their lease
    not run out, this attempt's) marked posted, one write for the batch. Only those may be posted: a row whose
    lease ran out meanwhile went back to pending (the sweeper's ``expire_claims``) and is another claim's."""
    if not batch.ids:
        return []
    return [
        int(i)
        for (i,) in session.execute(
            text(
                f"UPDATE {table.name} r SET posted_at = :now FROM unnest(CAST(:ids AS bigint[]),"  # noqa: S608 - constant names
                " CAST(:attempts AS smallint[])) AS d(id, attempts) WHERE r.id = d.id AND r.status = 'sending'"
                " AND r.attempts = d.attempts AND r.claimed_until >= :now RETURNING r.id"
            ),
            {"now": now, "ids": batch.ids, "attempts": [batch.attempts.get(i, 1) for i in batch.ids]},
        ).all()
    ]


# ---- a dispatched batch's answers ----------------------------------------------------------------


@dataclass
class Recorded:
    """A batch's answers by kind, and each row's status before they were written."""

    sent: list[tuple[int, str, int | None]] = field(default_factory=list)  # id, the provider's id, segments billed
    unknown: list[int] = field(default_factory=list)
    retry: list[tuple[int, datetime, int | None, str | None, bool]] = field(default_factory=list)
    failed: list[tuple[int, int | None, str | None]] = field(default_factory=list)  # id, code, reason
    before: dict[int, str] = field(default_factory=dict)


def record(session: Session, table: Table, outcomes: Sequence[tuple[int, SendOutcome]], now: datetime) -> Recorded:
    """Write a sent batch's outcomes, by row id: sent (with the provider's id), unknown (never resent: a status or
    the sweeper settles it), pending again (retried later) or failed. A status may have come first: a row is
    written only while it is still ``sending`` or ``unknown`` (a sent one only takes the message id it lacks)."""
    done = Recorded()
    for row_id, outcome in outcomes:
        if outcome.category is Outcome.SENT:
            done.sent.append((row_id, outcome.message_id or "", outcome.segments))
        elif outcome.category is Outcome.UNKNOWN:
            done.unknown.append(row_id)
        elif outcome.category in (Outcome.RETRY_AFTER, Outcome.CAMPAIGN_STOPPING):
            done.retry.append((row_id, now + outcome.retry_in, outcome.code, outcome.reason, outcome.counts_as_attempt))
        else:
            done.failed.append((row_id, outcome.code, outcome.reason))
    t, mid = table.name, table.message_id
    done.before = {
        int(i): str(s)
        for i, s in session.execute(
            text(f"SELECT id, status FROM {t} WHERE id = ANY(CAST(:ids AS bigint[])) ORDER BY id FOR UPDATE"),  # noqa: S608 - constant names
            {"ids": [i for i, _ in outcomes]},
        ).all()
    }
    if done.sent:
        session.execute(
            text(
                f"UPDATE {t} r SET status = CASE WHEN r.status IN ('sending', 'unknown')"  # noqa: S608 - constant names
                f" THEN 'sent' ELSE r.status END, {mid} = COALESCE(r.{mid}, d.mid),"
                " sent_at = COALESCE(r.sent_at, :now), claimed_until = NULL, updated_at = :now,"
                " segments = COALESCE(d.segments, r.segments),"
                # an error of an earlier attempt is no longer the row's: it was sent
                " error_code = CASE WHEN r.status IN ('sending', 'unknown') THEN NULL ELSE r.error_code END,"
                " error_reason = CASE WHEN r.status IN ('sending', 'unknown') THEN NULL ELSE r.error_reason END"
                " FROM unnest(CAST(:ids AS bigint[]), CAST(:mids AS text[]), CAST(:segments AS smallint[]))"
                " AS d(id, mid, segments) WHERE r.id = d.id"
            ),
            {
                "now": now,
                "ids": [i for i, _, _ in done.sent],
                "mids": [m for _, m, _ in done.sent],
                "segments": [n for _, _, n in done.sent],
            },
        )
    if done.unknown:
        session.execute(
            text(
                f"UPDATE {t} SET status = 'unknown', claimed_until = NULL, updated_at = :now"  # noqa: S608 - constant names
                " WHERE id = ANY(CAST(:ids AS bigint[])) AND status = 'sending'"
            ),
            {"now": now, "ids": done.unknown},
        )
    if done.retry:
        session.execute(
            text(
                f"UPDATE {t} r SET status = 'pending', next_attempt_at = d.at,"  # noqa: S608 - constant names
                " error_code = d.code, error_reason = d.reason, claimed_until = NULL, updated_at = :now,"
                " attempts = r.attempts - CASE WHEN d.counts THEN 0 ELSE 1 END"
                " FROM unnest(CAST(:ids AS bigint[]), CAST(:ats AS timestamptz[]), CAST(:codes AS integer[]),"
                " CAST(:reasons AS text[]), CAST(:counts AS boolean[])) AS d(id, at, code, reason, counts)"
                " WHERE r.id = d.id AND r.status IN ('sending', 'unknown')"
            ),
            {
                "now": now,
                "ids": [r[0] for r in done.retry],
                "ats": [r[1] for r in done.retry],
                "codes": [r[2] for r in done.retry],
                "reasons": [r[3] for r in done.retry],
                "counts": [r[4] for r in done.retry],
            },
        )
    if done.failed:
        session.execute(
            text(
                f"UPDATE {t} r SET status = 'failed', error_code = d.code, error_reason = d.reason,"  # noqa: S608 - constant names
                " failed_at = :now, claimed_until = NULL, updated_at = :now"
                " FROM unnest(CAST(:ids AS bigint[]), CAST(:codes AS integer[]), CAST(:reasons AS text[]))"
                " AS d(id, code, reason) WHERE r.id = d.id AND r.status IN ('sending', 'unknown')"
            ),
            {
                "now": now,
                "ids": [f[0] for f in done.failed],
                "codes": [f[1] for f in done.failed],
                "reasons": [f[2] for f in done.failed],
            },
        )
    return done


# ---- the provider's statuses ---------------------------------------------------------------------


def by_row(statuses: Iterable[StatusUpdate], row_of: Callable[[Any], int | None]) -> dict[int, list[StatusUpdate]]:
    """The statuses that carry one of this ledger's row ids (``row_of(status.opaque)``), by row."""
    found: dict[int, list[StatusUpdate]] = {}
    for status in statuses:
        row_id = row_of(status.opaque)
        if row_id is not None and status.status in WEBHOOK_STATUSES:
            found.setdefault(row_id, []).append(status)
    return found


@dataclass
class Change:
    """What a row's statuses say, to write: its status then (``before``) and now, the times of each step."""

    id: int
    before: str
    status: str
    message_id: str | None = None
    sent: datetime | None = None
    delivered: datetime | None = None
    read: datetime | None = None
    failed: datetime | None = None
    code: int | None = None
    reason: str | None = None


def merge(rows: Iterable[tuple[int, str, str | None]], statuses: dict[int, list[StatusUpdate]]) -> list[Change]:
    """The changes the statuses make to the locked rows ``(id, status, message id)``: a status only moves a row
    forward, whatever order they come in. Nothing for a row when they say what it says already (a "sent" after the
    sender recorded the send): a status moves a row forward, a failure brings its error, a message id may be new."""
    changes: list[Change] = []
    steps = ("sent", "delivered", "read")
    for row_id, status, message_id in rows:
        change = Change(id=row_id, before=status, status=status)
        for update in statuses.get(row_id, ()):
            new = "read" if update.status == "played" else update.status
            at = update.at
            change.message_id = change.message_id or update.message_id[:255]
            if new == "failed":
                change.code = update.error_code
                change.reason = (update.error_title or "failed")[:300]
                change.failed = change.failed or at
            else:
                for step in steps[: steps.index(new) + 1]:
                    setattr(change, step, getattr(change, step) or at)
            if RANK[new] > RANK[change.status]:
                change.status = new
        if change.status != status or change.reason is not None or (change.message_id and not message_id):
            changes.append(change)
    return changes


def write_statuses(session: Session, table: Table, changes: Sequence[Change]) -> None:
    """Write ``merge``'s changes, in one statement."""
    if not changes:
        return
    t, mid = table.name, table.message_id
    session.execute(
        text(
            f"UPDATE {t} r SET status = d.status, {mid} = COALESCE(r.{mid}, d.mid),"  # noqa: S608 - constant names
            " sent_at = COALESCE(r.sent_at, d.sent), delivered_at = COALESCE(r.delivered_at, d.delivered),"
            " read_at = COALESCE(r.read_at, d.read), failed_at = COALESCE(r.failed_at, d.failed),"
            # a failure reported now is the row's error; once sent, an earlier attempt's error is not
            " error_code = CASE WHEN d.reason IS NOT NULL THEN d.code"
            " WHEN d.status IN ('sent', 'delivered', 'read') THEN NULL ELSE r.error_code END,"
            " error_reason = CASE WHEN d.reason IS NOT NULL THEN d.reason"
            " WHEN d.status IN ('sent', 'delivered', 'read') THEN NULL ELSE r.error_reason END,"
            " updated_at = now()"
            " FROM unnest(CAST(:ids AS bigint[]), CAST(:statuses AS text[]), CAST(:mids AS text[]),"
            " CAST(:sent AS timestamptz[]), CAST(:delivered AS timestamptz[]), CAST(:read AS timestamptz[]),"
            " CAST(:failed AS timestamptz[]), CAST(:codes AS integer[]), CAST(:reasons AS text[]))"
            " AS d(id, status, mid, sent, delivered, read, failed, code, reason) WHERE r.id = d.id"
        ),
        {
            "ids": [c.id for c in changes],
            "statuses": [c.status for c in changes],
            "mids": [c.message_id for c in changes],
            "sent": [c.sent for c in changes],
            "delivered": [c.delivered for c in changes],
            "read": [c.read for c in changes],
            "failed": [c.failed for c in changes],
            "codes": [c.code for c in changes],
            "reasons": [c.reason for c in changes],
        },
    )


def settles(change: Change) -> bool:
    """Whether a status change settles a row the sender left unknown (or still sending): it is final now."""
    return change.before in ("sending", "unknown") and RANK[change.status] > RANK["unknown"]


# ---- the sweeper ---------------------------------------------------------------------------------


@dataclass
class Expired:
    """Claims unanswered past their lease, by what they may have done."""

    unknown: list[int] = field(default_factory=list)  # posted: may have gone out
    requeued: list[int] = field(default_factory=list)  # never posted: pending again


def expire_claims(
    session: Session, table: Table, now: datetime, *, where: str = "TRUE", params: dict[str, Any] | None = None
) -> Expired:
    """Claimed rows unanswered past their lease (their worker died between the claim and the record): those whose
    batch had started posting may have gone out, unknown from now on and never sent again; those never posted go
    back to pending, as due as they were, the claim's attempt not counted. ``where`` narrows the rows (a constant
    condition, its values in ``params``)."""
    rows = session.execute(
        text(
            f"UPDATE {table.name} SET status = CASE WHEN posted_at IS NULL THEN 'pending' ELSE 'unknown' END,"  # noqa: S608 - constant names
            " attempts = attempts - CASE WHEN posted_at IS NULL THEN 1 ELSE 0 END, claimed_until = NULL,"
            f" updated_at = :now WHERE status = 'sending' AND claimed_until < :now AND ({where})"
            " RETURNING id, status"
        ),
        {**(params or {}), "now": now},
    ).all()
    expired = Expired()
    for row_id, status in rows:
        (expired.unknown if status == "unknown" else expired.requeued).append(int(row_id))
    return expired


def fail_unknown(
    session: Session,
    table: Table,
    now: datetime,
    timeout: timedelta,
    *,
    where: str = "TRUE",
    params: dict[str, Any] | None = None,
) -> list[int]:
    """Rows unknown for longer than ``timeout`` (no status came) fail as ``failed_unknown``: never resent."""
    return [
        int(i)
        for (i,) in session.execute(
            text(
                f"UPDATE {table.name} SET status = 'failed', error_code = NULL, error_reason = 'failed_unknown',"  # noqa: S608 - constant names
                " failed_at = :now, updated_at = :now"
                f" WHERE status = 'unknown' AND updated_at < :before AND ({where}) RETURNING id"
            ),
            {**(params or {}), "now": now, "before": now - timeout},
        ).all()
    ]
