"""The outbox relay: committed domain events out to the event bus, in order, at least once.

Right after a tenant transaction that recorded events commits, ``Database`` calls the relay for that
company (the fast path, so a frame reaches a browser in milliseconds). Whatever that misses — the
process died, the bus was down — the scheduled sweeper publishes a minute later. Consumers see an
event at least once and recognise repeats by ``event_id``.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from masteria.db import Database
from masteria.events import OutboxEvent
from masteria.observability import logger
from masteria.ports import EventBus, PublishedEvent

BATCH = 500


def _publish(session: Session, bus: EventBus, statement: object) -> int:
    rows = list(session.scalars(statement))  # type: ignore[call-overload]
    if rows:
        bus.publish(
            [
                PublishedEvent(
                    event_id=row.event_id, company_id=row.company_id, type=row.type, data=row.data,
                    occurred_at=row.occurred_at, sequence=row.id,
                )
                for row in rows
            ]
        )  # fmt: skip
        for row in rows:
            row.published_at = func.now()
    return len(rows)


def _unpublished() -> object:
    return (
        select(OutboxEvent)
        .where(OutboxEvent.published_at.is_(None))
        .order_by(OutboxEvent.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )


def publish_company(db: Database, bus: EventBus, company_id: uuid.UUID) -> int:
    """Publish the company's unpublished events (after its transaction committed)."""
    total = 0
    while True:
        with db.tenant(company_id, relay=False) as session:
            published = _publish(session, bus, _unpublished())
        total += published
        if published < BATCH:
            return total


def sweep(db: Database, bus: EventBus) -> int:
    """Publish every company's leftover events (the scheduled sweeper)."""
    total = 0
    while True:
        with db.outbox_sweep() as session:
            published = _publish(session, bus, _unpublished())
        total += published
        if published < BATCH:
            if total:
                logger.info("outbox swept", extra={"published": total})
            return total
