"""Jobs through the transactional outbox: a queue message written in the caller's transaction, sent after commit.

``record_job`` adds an ``outbox_jobs`` row to the open transaction, so a job exists if and only if the change
that names its work committed (never a job for a rolled-back row, never a committed row without its job).
Right after the commit ``Database`` hands that transaction's jobs to the relay (``relay_company``, the fast
path); whatever the relay misses — the process died, the queue was down — the scheduled sweeper sends a
minute later (``sweep``). A job may be due later (``deliver_at``): it is sent with SQS's delay once it is due
within 15 minutes, so a job due in a day waits in the outbox. A job may expire (``expires_at``): work that is
redone another way once stale (a signed webhook request) is dropped, never sent late. Consumers see a job at
least once and recognise repeats by their own state.

Sending holds no row lock across a network call: a relay first claims its rows (``claimed_until``, in a short
transaction of its own), then sends them in batches and marks each batch in its own short transaction, relayed
or failed. A job the queue refuses when the sweeper sends it (the relay's own try is best effort, left to the
next sweep) counts a failed try (``attempts``, ``last_error``) and waits longer before
each next try; after ``MAX_ATTEMPTS`` it is parked: kept, logged as an error, never tried again by itself (set
its ``attempts`` back to 0 to try it again). So a job that can never be sent (an unknown queue, a body the
queue refuses) never holds up the others, and a partial batch failure sends again only what was refused.
"""

from __future__ import annotations

import math
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby

from sqlalchemy import (
    BigInteger,
    DateTime,
    Identity,
    Index,
    Integer,
    Select,
    String,
    Text,
    delete,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from masteria.db import RECORDED_JOBS, Base, Database, Timestamped, company_fk
from masteria.observability import logger
from masteria.ports import MAX_BATCH, MAX_DELAY_SECONDS, MAX_MESSAGE_BYTES, BatchRefused, Clock, Queue

BATCH = 500
PURGE_BATCH = 5000
KEEP_RELAYED = timedelta(days=1)  # relayed rows are kept this long (to look into), then purged by the sweeper
CLAIM = timedelta(minutes=2)  # a relay sends what it claimed within this; one that died lets go after it
MAX_ATTEMPTS = 10  # failed tries before a job is parked (the waits between them add up to about four hours)
MAX_RETRY_WAIT = timedelta(hours=1)


class OutboxJob(Timestamped, Base):
    __tablename__ = "outbox_jobs"
    __table_args__ = (
        Index("ix_outbox_jobs_unrelayed", "id", postgresql_where=text("relayed_at IS NULL")),
        Index("ix_outbox_jobs_relayed", "relayed_at", postgresql_where=text("relayed_at IS NOT NULL")),
        Index("ix_outbox_jobs_company_id_id", "company_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    company_id: Mapped[uuid.UUID] = company_fk()
    queue: Mapped[str] = mapped_column(String(80), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    deliver_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # not before (SQS's delay)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # dropped if not sent by then
    relayed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # being sent, or waiting a retry
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")  # failed tries to send
    last_error: Mapped[str | None] = mapped_column(String(300))


def record_job(
    session: Session,
    *,
    company_id: uuid.UUID,
    queue: str,
    body: str,
    deliver_at: datetime | None = None,
    expires_at: datetime | None = None,
) -> OutboxJob:
    """Write a message for ``queue`` inside the caller's transaction (sent once it commits). A body larger than
    a queue message is refused here, in its caller's transaction, so that it never holds up the relay."""
    size = len(body.encode())
    if size > MAX_MESSAGE_BYTES:
        raise ValueError(f"a job for {queue} holds {size} bytes; a queue message holds at most {MAX_MESSAGE_BYTES}")
    job = OutboxJob(company_id=company_id, queue=queue, body=body, deliver_at=deliver_at, expires_at=expires_at)
    session.add(job)
    session.info.setdefault(RECORDED_JOBS, []).append(job)
    return job


def past(until: float | None) -> bool:
    """Whether the time budget ``until`` (a ``time.monotonic()`` instant; ``None``: no budget) is spent."""
    return until is not None and time.monotonic() >= until


@dataclass(frozen=True)
class _Claimed:
    id: int
    company_id: uuid.UUID
    queue: str
    body: str
    delay: int
    attempts: int


def _delay(job: OutboxJob, now: datetime) -> int:
    if job.deliver_at is None:
        return 0
    return min(MAX_DELAY_SECONDS, max(0, math.ceil((job.deliver_at - now).total_seconds())))


def _retry_wait(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: 1, 2, 4… minutes, an hour at most."""
    return min(MAX_RETRY_WAIT, timedelta(minutes=2 ** min(attempts - 1, 10)))


def _claim(session: Session, now: datetime, ids: Sequence[int] | None = None) -> tuple[int, list[_Claimed]]:
    """Claim the due jobs (``ids`` only, if given) nobody is sending and none parked, dropping the expired:
    (rows found, the live ones claimed). Run in a transaction of its own, which commits before any send."""
    statement = (
        select(OutboxJob)
        .where(
            OutboxJob.relayed_at.is_(None),
            OutboxJob.attempts < MAX_ATTEMPTS,
            or_(OutboxJob.claimed_until.is_(None), OutboxJob.claimed_until <= now),
            or_(OutboxJob.deliver_at.is_(None), OutboxJob.deliver_at <= now + timedelta(seconds=MAX_DELAY_SECONDS)),
        )
        .order_by(OutboxJob.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    if ids is not None:
        statement = statement.where(OutboxJob.id.in_(ids))
    rows = list(session.scalars(statement))
    claimed: list[_Claimed] = []
    for row in rows:
        if row.expires_at is not None and row.expires_at <= now:
            row.relayed_at = now  # stale: dropped, never sent
            continue
        row.claimed_until = now + CLAIM
        claimed.append(_Claimed(row.id, row.company_id, row.queue, row.body, _delay(row, now), row.attempts))
    if len(claimed) < len(rows):
        logger.info("expired jobs dropped", extra={"dropped": len(rows) - len(claimed)})
    return len(rows), claimed


def _batches(jobs: list[_Claimed]) -> Iterator[list[_Claimed]]:
    """SQS batches: at most 10 messages and 256 KiB in all."""
    batch: list[_Claimed] = []
    size = 0
    for job in jobs:
        length = len(job.body.encode())
        if batch and (len(batch) == MAX_BATCH or size + length > MAX_MESSAGE_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(job)
        size += length
    if batch:
        yield batch


def _mark(session: Session, batch: list[_Claimed], refused: dict[int, str], now: datetime, *, count: bool) -> int:
    """Mark ``batch`` relayed, but for the jobs ``refused`` (id: reason): a failed try each if ``count`` (the
    sweeper's), else (the relay's, best effort) left to the next sweep at once. The number parked."""
    sent = [job.id for job in batch if job.id not in refused]
    if sent:
        session.execute(update(OutboxJob).where(OutboxJob.id.in_(sent)).values(relayed_at=now, claimed_until=None))
    parked = 0
    for job in batch:
        if job.id not in refused:
            continue
        attempts, reason = job.attempts + int(count), refused[job.id][:300]
        retry_at = now + _retry_wait(attempts) if count else None
        session.execute(
            update(OutboxJob)
            .where(OutboxJob.id == job.id)
            .values(attempts=attempts, last_error=reason, claimed_until=retry_at)
        )
        if not count:
            continue
        if attempts >= MAX_ATTEMPTS:
            parked += 1
            logger.error(
                "outbox job parked: the queue refused it every time; set its attempts to 0 to try it again",
                extra={"job_id": job.id, "company_id": str(job.company_id), "queue": job.queue, "error": reason},
            )
    return parked


def _send(
    transaction: Callable[[], AbstractContextManager[Session]],
    queue: Queue,
    claimed: list[_Claimed],
    now: datetime,
    *,
    count: bool,
) -> Counter[str]:
    """Send the claimed jobs, batch by batch, each batch marked in its own ``transaction()`` (failed tries counted
    if ``count``). A queue that fails a whole batch is not tried again in this round: the sweeper's other jobs for
    it wait for their claim to lapse, the relay's are left to the next sweep at once."""
    counts: Counter[str] = Counter()
    down: set[str] = set()
    skipped: list[int] = []
    ordered = sorted(claimed, key=lambda job: (job.queue, job.delay, job.id))
    for (name, delay), group in groupby(ordered, key=lambda job: (job.queue, job.delay)):
        for batch in _batches(list(group)):
            if name in down:
                skipped += [job.id for job in batch]
                continue
            try:
                queue.send_batch(name, [job.body for job in batch], delay_seconds=delay)
                refused: dict[int, str] = {}
            except BatchRefused as partial:
                refused = {batch[index].id: reason for index, reason in partial.refused.items()}
            except Exception as error:  # whatever the queue failed with, these jobs wait for a retry
                logger.warning("a batch of jobs was not sent", extra={"queue": name, "jobs": len(batch)}, exc_info=True)
                refused = {job.id: f"{type(error).__name__}: {error}" for job in batch}
                down.add(name)
            with transaction() as session:
                counts["parked"] += _mark(session, batch, refused, now, count=count)
            counts["sent"] += len(batch) - len(refused)
            counts["failed"] += len(refused)
    if skipped and not count:
        with transaction() as session:
            session.execute(update(OutboxJob).where(OutboxJob.id.in_(skipped)).values(claimed_until=None))
    return counts


def relay_company(db: Database, queue: Queue, clock: Clock, company_id: uuid.UUID, ids: Sequence[int]) -> int:
    """Send the jobs ``ids`` of ``company_id`` (a transaction's, right after it committed); the number sent."""
    sent = 0
    for start in range(0, len(ids), BATCH):
        now = clock.now()
        with db.tenant(company_id, relay=False) as session:
            _, claimed = _claim(session, now, ids[start : start + BATCH])
        sent += _send(lambda: db.tenant(company_id, relay=False), queue, claimed, now, count=False)["sent"]
    return sent


def sweep(db: Database, queue: Queue, clock: Clock, *, until: float | None = None) -> int:
    """``relay_due``: the number of jobs sent."""
    return relay_due(db, queue, clock, until=until)["sent"]


def relay_due(db: Database, queue: Queue, clock: Clock, *, until: float | None = None) -> dict[str, int]:
    """Send every company's jobs the relay missed, and those now due within SQS's delay, until none is left or
    the time budget ``until`` is spent (a first round always runs): how many were sent, failed and parked."""
    counts: Counter[str] = Counter()
    while True:
        now = clock.now()
        with db.outbox_sweep() as session:
            found, claimed = _claim(session, now)
        counts += _send(db.outbox_sweep, queue, claimed, now, count=True)
        if found < BATCH or past(until):
            break
    result = {name: counts[name] for name in ("sent", "failed", "parked")}
    if any(result.values()):
        logger.info("job outbox swept", extra=result)
    return result


def purgeable(now: datetime) -> Select[int]:
    """A batch of the jobs relayed more than ``KEEP_RELAYED`` ago (served by ``ix_outbox_jobs_relayed``)."""
    return (
        select(OutboxJob.id)
        .where(OutboxJob.relayed_at.is_not(None), OutboxJob.relayed_at < now - KEEP_RELAYED)
        .limit(PURGE_BATCH)
    )


def purge(db: Database, clock: Clock, *, until: float | None = None) -> int:
    """Delete the jobs relayed more than ``KEEP_RELAYED`` ago, a batch at a time, until fewer than a batch are
    left or the time budget ``until`` is spent: the number deleted."""
    total = 0
    while True:
        with db.outbox_sweep() as session:
            result = session.execute(delete(OutboxJob).where(OutboxJob.id.in_(purgeable(clock.now()))))
            deleted = int(result.rowcount or 0)  # type: ignore[attr-defined]
        total += deleted
        if deleted < PURGE_BATCH or past(until):
            return total
