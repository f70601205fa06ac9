"""Jobs through the transactional outbox: a queue message written in the caller's transaction, sent after commit.

``record_job`` adds an ``outbox_jobs`` row to the open transaction, so a job exists if and only if the change
that names its work committed (never a job for a rolled-back row, never a committed row without its job).
Right after the commit ``Database`` hands that transaction's jobs to the relay (``relay_company``, the fast
path); whatever the relay misses — the process died, the queue was down — the scheduled sweeper sends a
minute later (``sweep``). A job may be due later (``deliver_at``): it is sent with SQS's delay once it is due
within 15 minutes, so a job due in a day waits in the outbox. A job may expire (``expires_at``): work that is
redone another way once stale (a signed webhook request) is dropped, never sent late. Consumers see a job at
least once and recognise repeats by their own state.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from itertools import groupby

from sqlalchemy import BigInteger, DateTime, Identity, Index, Select, String, Text, delete, or_, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from masteria.db import RECORDED_JOBS, Base, Database, Timestamped, company_fk
from masteria.observability import logger
from masteria.ports import MAX_BATCH, MAX_DELAY_SECONDS, MAX_MESSAGE_BYTES, Clock, Queue

BATCH = 500
KEEP_RELAYED = timedelta(days=1)  # relayed rows are kept this long (to look into), then purged by the sweeper


class OutboxJob(Timestamped, Base):
    __tablename__ = "outbox_jobs"
    __table_args__ = (
        Index("ix_outbox_jobs_unrelayed", "id", postgresql_where=text("relayed_at IS NULL")),
        Index("ix_outbox_jobs_company_id_id", "company_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    company_id: Mapped[uuid.UUID] = company_fk()
    queue: Mapped[str] = mapped_column(String(80), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    deliver_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # not before (SQS's delay)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # dropped if not sent by then
    relayed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


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


def _delay(job: OutboxJob, now: datetime) -> int:
    if job.deliver_at is None:
        return 0
    return min(MAX_DELAY_SECONDS, max(0, math.ceil((job.deliver_at - now).total_seconds())))


def _batches(bodies: list[str]) -> Iterator[list[str]]:
    """SQS batches: at most 10 messages and 256 KiB in all."""
    batch: list[str] = []
    size = 0
    for body in bodies:
        length = len(body.encode())
        if batch and (len(batch) == MAX_BATCH or size + length > MAX_MESSAGE_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(body)
        size += length
    if batch:
        yield batch


def _relay(session: Session, queue: Queue, now: datetime, statement: Select[OutboxJob]) -> tuple[int, int]:
    """Send the jobs ``statement`` finds (dropping the expired) and mark them relayed: (found, sent)."""
    rows = list(session.scalars(statement))
    live = [row for row in rows if row.expires_at is None or row.expires_at > now]
    keyed = sorted(((row.queue, _delay(row, now)), row.id, row.body) for row in live)
    for (name, delay), group in groupby(keyed, key=lambda item: item[0]):
        for batch in _batches([body for _, _, body in group]):
            queue.send_batch(name, batch, delay_seconds=delay)
    for row in rows:
        row.relayed_at = now
    if len(live) < len(rows):
        logger.info("expired jobs dropped", extra={"dropped": len(rows) - len(live)})
    return len(rows), len(live)


def _unrelayed(now: datetime, ids: Sequence[int] | None = None) -> Select[OutboxJob]:
    statement = (
        select(OutboxJob)
        .where(
            OutboxJob.relayed_at.is_(None),
            or_(
                OutboxJob.deliver_at.is_(None),
                OutboxJob.deliver_at <= now + timedelta(seconds=MAX_DELAY_SECONDS),
            ),
        )
        .order_by(OutboxJob.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    return statement if ids is None else statement.where(OutboxJob.id.in_(ids))


def relay_company(db: Database, queue: Queue, clock: Clock, company_id: uuid.UUID, ids: Sequence[int]) -> int:
    """Send the jobs ``ids`` of ``company_id`` (a transaction's, right after it committed); the number sent."""
    sent = 0
    for start in range(0, len(ids), BATCH):
        with db.tenant(company_id, relay=False) as session:
            sent += _relay(session, queue, clock.now(), _unrelayed(clock.now(), ids[start : start + BATCH]))[1]
    return sent


def sweep(db: Database, queue: Queue, clock: Clock) -> int:
    """Send every company's jobs the relay missed, and those now due within SQS's delay; purge old ones."""
    total = 0
    while True:
        now = clock.now()
        with db.outbox_sweep() as session:
            found, sent = _relay(session, queue, now, _unrelayed(now))
        total += sent
        if found < BATCH:
            break
    with db.outbox_sweep() as session:
        old = select(OutboxJob.id).where(OutboxJob.relayed_at < clock.now() - KEEP_RELAYED).limit(10 * BATCH)
        session.execute(delete(OutboxJob).where(OutboxJob.id.in_(old)))
    if total:
        logger.info("job outbox swept", extra={"sent": total})
    return total
