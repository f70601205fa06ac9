"""Webhook deliveries stuck in hand, taken up by the scheduled sweeper (``functions/workers/outbox_sweeper``).

An attempt with the dispatcher past its expiry (``in_flight_until``) becomes a failed attempt ("no answer"), then
the retry schedule goes on. A pending delivery due more than ``LOST_AFTER`` ago whose current job (``job_id``)
left the outbox as long ago has lost that job (dead-lettered, say) and gets a new one; a job still in the outbox
(the queue down) is not lost, and a queue lagging by less than ``LOST_AFTER`` is not fed duplicates. Each question
has its partial index (``ix_webhook_deliveries_in_flight``, ``ix_webhook_deliveries_due``), so a sweep reads
only what it acts on, not every retry scheduled days ahead.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from masteria.db import Database
from masteria.jobs import OutboxJob, past
from masteria.observability import logger
from masteria.ports import Clock
from masteria.webhooks.delivery import IN_FLIGHT_EXPIRY, DeliverJob, Outcome, record_deliver, record_outcome
from masteria.webhooks.models import WebhookDelivery

# Longer than a lag of the webhooks queue worth its alarm (15 minutes), so that a lagging queue is not fed a
# duplicate of every pending delivery.
LOST_AFTER = timedelta(hours=1)
SWEEP_BATCH = 500


def _due() -> ColumnElement[datetime]:
    """When a pending delivery not in flight is due (``ix_webhook_deliveries_due`` indexes this expression)."""
    return func.coalesce(WebhookDelivery.next_attempt_at, WebhookDelivery.created_at)


def expired_attempts(now: datetime) -> Select[uuid.UUID, uuid.UUID, int | None]:
    """Attempts with the dispatcher past their expiry (served by ``ix_webhook_deliveries_in_flight``)."""
    return (
        select(WebhookDelivery.company_id, WebhookDelivery.id, WebhookDelivery.in_flight)
        .where(
            WebhookDelivery.in_flight.is_not(None),
            WebhookDelivery.in_flight_until < now,
            WebhookDelivery.status == "pending",
        )
        .limit(SWEEP_BATCH)
    )


def lost_jobs(now: datetime) -> Select[uuid.UUID, uuid.UUID]:
    """Pending deliveries due more than ``LOST_AFTER`` ago whose job left the outbox as long ago (or is gone:
    purged, or never named), served by ``ix_webhook_deliveries_due``."""
    cutoff = now - LOST_AFTER
    return (
        select(WebhookDelivery.company_id, WebhookDelivery.id)
        .outerjoin(OutboxJob, OutboxJob.id == WebhookDelivery.job_id)
        .where(
            WebhookDelivery.status == "pending",
            WebhookDelivery.in_flight.is_(None),
            _due() < cutoff,
            or_(OutboxJob.id.is_(None), OutboxJob.relayed_at < cutoff),
        )
        .limit(SWEEP_BATCH)
    )


def _lost(session: Session, delivery: WebhookDelivery | None, now: datetime) -> bool:
    """Whether ``delivery`` (locked) has lost its job, seen in its company's transaction."""
    if delivery is None or delivery.status != "pending" or delivery.in_flight is not None:
        return False
    cutoff = now - LOST_AFTER
    if (delivery.next_attempt_at or delivery.created_at) >= cutoff:
        return False  # tried meanwhile
    job = None if delivery.job_id is None else session.get(OutboxJob, delivery.job_id)
    return job is None or (job.relayed_at is not None and job.relayed_at < cutoff)


def sweep(*, db: Database, clock: Clock, until: float | None = None) -> dict[str, int]:
    """Every company's deliveries stuck in hand: an attempt with the dispatcher past its expiry becomes a failed
    attempt (then the retry schedule); a pending delivery whose job was lost gets its job again. Those left when
    the time budget ``until`` is spent wait for the next sweep."""
    now = clock.now()
    with db.job_sweep() as session:
        expired = session.execute(expired_attempts(now)).all()
        lost = session.execute(lost_jobs(now)).all()
    counts = {"expired": 0, "requeued": 0}
    for company_id, delivery_id, in_flight in expired:
        if past(until):
            break
        assert in_flight is not None
        minutes = int(IN_FLIGHT_EXPIRY.total_seconds() // 60)
        unanswered = Outcome(
            company_id=company_id, delivery_id=delivery_id, attempt=in_flight, attempted_at=now,
            status_code=None, latency_ms=0, response=None,
            error=f"no answer from the dispatcher within {minutes} minutes",
        )  # fmt: skip
        record_outcome(db=db, clock=clock, outcome=unanswered)  # a repeat if the answer came meanwhile
        counts["expired"] += 1
    for company_id, delivery_id in lost:
        if past(until):
            break
        with db.tenant(company_id) as session:
            delivery = session.get(WebhookDelivery, delivery_id, with_for_update=True)
            if delivery is None or not _lost(session, delivery, now):
                continue
            delivery.next_attempt_at = now  # due now, with a job that leaves the outbox now
            job = DeliverJob(company_id=company_id, delivery_id=delivery.id, attempt=delivery.attempts + 1)
            delivery.job_id = record_deliver(session, job)
            counts["requeued"] += 1
    if any(counts.values()):
        logger.info("webhook deliveries swept", extra=counts)
    return counts
