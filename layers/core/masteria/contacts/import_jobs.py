"""An import's job and its work in hand: queued through the outbox, held by one run at a time, never stuck.

Starting an import writes its job to the outbox in the same transaction (``queue_import``), so a committed
``queued`` import always has its message on the way. Work in hand expires:
- ``queued``: a job that has not started by ``expires_at`` (lost, or dead-lettered) is queued again;
- ``processing``: a run moves ``expires_at`` forward with each committed chunk (its heartbeat). A run that
  stopped (the function timed out or crashed, a lock wait timed out) stops moving it; the sweeper puts the
  import back to ``queued`` with a new job, and the next run resumes after the last committed chunk. After
  ``MAX_STALLS`` runs in a row that stopped without committing a chunk, the import fails with the reason.

``attempt`` fences runs: each run takes the next number, and a chunk commits only while its run's number is
the import's, so a run that was replaced (it was only slow) stops at its next chunk without writing it.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from masteria.contacts.models import ContactImport
from masteria.db import Database
from masteria.event_payloads import ContactsImportProgressPayload
from masteria.events import record_event
from masteria.jobs import past, record_job
from masteria.observability import logger
from masteria.ports import Clock
from masteria.schemas import StrictModel

QUEUE = "contacts-import"
QUEUED_EXPIRY = timedelta(minutes=30)  # imports wait their turn (two run at once): a long wait is not a loss
HEARTBEAT_EXPIRY = timedelta(minutes=10)  # a chunk commits every few seconds
MAX_STALLS = 3
SWEEP_BATCH = 200
IN_HAND = ("queued", "processing")
PROGRESS_FIELDS = ("status", "total", "processed", "inserted", "updated", "rejected")


def progress_payload(row: ContactImport) -> ContactsImportProgressPayload:
    """``contacts.import.progress`` as ``row`` stands now."""
    return ContactsImportProgressPayload.model_validate(
        {"id": row.id, **{name: getattr(row, name) for name in PROGRESS_FIELDS}}
    )


class ImportJob(StrictModel):
    """The queue message: which import of which company to run."""

    company_id: uuid.UUID
    import_id: uuid.UUID


class Superseded(Exception):
    """This run's import was taken up by another run: it stops without writing."""


def queue_import(session: Session, row: ContactImport, now: datetime) -> ImportJob:
    """Mark ``row`` queued and write its job to the outbox, in the caller's transaction."""
    row.status, row.expires_at = "queued", now + QUEUED_EXPIRY
    job = ImportJob(company_id=row.company_id, import_id=row.id)
    record_job(session, company_id=row.company_id, queue=QUEUE, body=job.model_dump_json())
    return job


def held(row: ContactImport, now: datetime) -> bool:
    """Whether another run is processing ``row`` (its heartbeat has not expired)."""
    return row.status == "processing" and row.expires_at is not None and row.expires_at > now


def take(row: ContactImport, now: datetime) -> int:
    """This run holds ``row`` from now: its fencing number."""
    row.status, row.attempt, row.expires_at = "processing", row.attempt + 1, now + HEARTBEAT_EXPIRY
    return row.attempt


def beat(row: ContactImport, attempt: int, now: datetime) -> None:
    """A chunk of run ``attempt`` is committing: refuse it if the run was replaced, else move the expiry on."""
    if row.attempt != attempt:
        raise Superseded(f"import {row.id}: run {attempt} replaced by run {row.attempt}")
    row.expires_at, row.stalls = now + HEARTBEAT_EXPIRY, 0


def release(db: Database, job: ImportJob, attempt: int, clock: Clock) -> None:
    """A run that failed lets go of its import at once (the sweeper or a redelivery takes it up)."""
    with db.tenant(job.company_id) as session:
        row = session.get(ContactImport, job.import_id, with_for_update=True)
        if row is not None and row.status == "processing" and row.attempt == attempt:
            row.expires_at = clock.now()


def sweep(*, db: Database, clock: Clock, until: float | None = None) -> dict[str, int]:
    """Every company's imports in hand past their expiry: queued again, or failed after ``MAX_STALLS``; those
    left when the time budget ``until`` is spent wait for the next sweep."""
    now = clock.now()
    with db.job_sweep() as session:
        found = session.execute(
            select(ContactImport.company_id, ContactImport.id)
            .where(
                ContactImport.status.in_(IN_HAND),
                or_(ContactImport.expires_at.is_(None), ContactImport.expires_at < now),
            )
            .limit(SWEEP_BATCH)
        ).all()
    counts = {"requeued": 0, "failed": 0}
    for company_id, import_id in found:
        if past(until):
            break
        with db.tenant(company_id) as session:
            row = session.get(ContactImport, import_id, with_for_update=True)
            if row is None or row.status not in IN_HAND or (row.expires_at is not None and row.expires_at >= now):
                continue  # finished or moving meanwhile
            if row.status == "processing":
                row.stalls += 1
            if row.stalls >= MAX_STALLS:
                row.status, row.finished_at, row.expires_at = "failed", now, None
                row.error = f"the import stopped {row.stalls} times without progress; start a new import to retry"
                counts["failed"] += 1
            else:
                queue_import(session, row, now)
                counts["requeued"] += 1
            record_event(session, company_id=company_id, payload=progress_payload(row))
    if any(counts.values()):
        logger.info("imports swept", extra=counts)
    return counts
