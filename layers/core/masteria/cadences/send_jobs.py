"""The cadence sender's queue messages: drive one number's due cadence sends.

A message that follows a change (sends queued by the cadence tick) is an outbox job of that change's transaction
(``record_send``); the sender's own hand-offs between slices go straight to the queue (a lost one is restarted by
the cadence send sweeper)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from masteria.jobs import record_job
from masteria.ports import Queue
from masteria.schemas import StrictModel

SEND_QUEUE = "cadence-send"


class SendJob(StrictModel):
    """Send a number's due cadence steps for a while (one driver per number holds its lease)."""

    company_id: uuid.UUID
    connection_id: uuid.UUID


def record_send(
    session: Session, company_id: uuid.UUID, connection_id: uuid.UUID, *, at: datetime | None = None
) -> None:
    """Drive the number's cadence sends once this transaction commits (``at``: not before then)."""
    body = SendJob(company_id=company_id, connection_id=connection_id).model_dump_json()
    record_job(session, company_id=company_id, queue=SEND_QUEUE, body=body, deliver_at=at)


def enqueue_send(queue: Queue, company_id: uuid.UUID, connection_id: uuid.UUID, *, delay_seconds: int = 0) -> None:
    queue.send(
        SEND_QUEUE,
        SendJob(company_id=company_id, connection_id=connection_id).model_dump_json(),
        delay_seconds=max(0, min(delay_seconds, 900)),
    )
