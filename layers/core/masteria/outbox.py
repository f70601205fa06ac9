"""The outbox relay: committed domain events out to the event bus, in order, at least once.

Right after a tenant transaction that recorded events commits, ``Database`` calls the relay for that
company (the fast path, so a frame reaches a browser in milliseconds). Whatever that misses — the
process died, the bus was down — the scheduled sweeper publishes a minute later. Consumers see an
event at least once and recognise repeats by ``event_id``. Queue messages (jobs) go through the outbox
too, in a table of their own relayed the same way (``masteria.jobs``).

Before an event is published it gets its company's next number (``company_sequence``, 1, 2, 3…), in a
transaction of its own that commits first: a number is never given twice, even when a publish is rolled
back, and the realtime cursor built from it says nothing about other companies' event volume.
"""

from __future__ import annotations

import uuid
from itertools import groupby

from sqlalchemy import BigInteger, cast, func, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.orm import Session

from masteria.db import Database
from masteria.events import EventSequence, OutboxEvent
from masteria.observability import logger
from masteria.ports import EventBus, EventCause, PublishedEvent

BATCH = 500


def _publish(session: Session, bus: EventBus, statement: object) -> int:
    rows = list(session.scalars(statement))  # type: ignore[call-overload]
    if rows:
        bus.publish(
            [
                PublishedEvent(
                    event_id=row.event_id, company_id=row.company_id, type=row.type, data=row.data,
                    occurred_at=row.occurred_at, sequence=row.company_sequence,
                    cause=EventCause.from_json(row.cause),
                )
                for row in rows
            ]
        )  # fmt: skip
        for row in rows:
            row.published_at = func.now()
    return len(rows)


def _number(session: Session) -> int:
    """Give the unnumbered events the transaction sees their company's next numbers, in the order they were
    recorded. Rows another relay is numbering are skipped (it numbers them); companies are taken in one order,
    so two sweeps never wait on each other's counters."""
    rows = session.execute(
        select(OutboxEvent.id, OutboxEvent.company_id)
        .where(OutboxEvent.company_sequence.is_(None))
        .order_by(OutboxEvent.company_id, OutboxEvent.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    ).all()
    for company_id, group in groupby(rows, key=lambda row: row.company_id):
        ids = [row.id for row in group]
        upsert = insert(EventSequence).values(company_id=company_id, last=len(ids))
        last = session.scalar(
            upsert.on_conflict_do_update(
                index_elements=[EventSequence.company_id], set_={"last": EventSequence.last + len(ids)}
            ).returning(EventSequence.last)
        )
        assert last is not None
        position = func.array_position(cast(ids, ARRAY(BigInteger)), OutboxEvent.id)
        session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id.in_(ids))
            .values(company_sequence=last - len(ids) + position)
            .execution_options(synchronize_session=False)
        )
    return len(rows)


def _publish_in_order(session: Session, bus: EventBus, company_id: uuid.UUID) -> int:
    """Publish the company's numbered events in their numbers' order. One publisher per company at a time (a
    transaction-scoped advisory lock): a client that keeps the highest cursor it saw and catches up after it
    never skips a number that a second relay was still publishing."""
    session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": f"masteria.outbox:{company_id}"}
    )
    statement = (
        select(OutboxEvent)
        .where(
            OutboxEvent.company_id == company_id,
            OutboxEvent.published_at.is_(None),
            OutboxEvent.company_sequence.is_not(None),
        )
        .order_by(OutboxEvent.company_sequence)
        .limit(BATCH)
        .with_for_update()
    )
    return _publish(session, bus, statement)


def publish_company(db: Database, bus: EventBus, company_id: uuid.UUID) -> int:
    """Publish the company's unpublished events (after its transaction committed)."""
    total = 0
    while True:
        with db.tenant(company_id, relay=False) as session:
            _number(session)
        with db.tenant(company_id, relay=False) as session:
            published = _publish_in_order(session, bus, company_id)
        total += published
        if published < BATCH:
            return total


def sweep(db: Database, bus: EventBus) -> int:
    """Publish every company's leftover events (the scheduled sweeper), company by company."""
    total = 0
    while True:
        with db.outbox_sweep() as session:
            numbered = _number(session)
        with db.outbox_sweep() as session:
            companies = list(
                session.scalars(
                    select(OutboxEvent.company_id)
                    .where(OutboxEvent.published_at.is_(None), OutboxEvent.company_sequence.is_not(None))
                    .distinct()
                    .limit(BATCH)
                )
            )
        published = 0
        for company_id in companies:
            with db.outbox_sweep() as session:
                published += _publish_in_order(session, bus, company_id)
        total += published
        if not published and numbered < BATCH:
            if total:
                logger.info("outbox swept", extra={"published": total})
            return total
