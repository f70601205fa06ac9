"""The campaign engine's queue messages: start a scheduled campaign (the planner), drive its sending.

A message that follows a change (start now, resume, a retried dead letter, a planned campaign's first
driver) is an outbox job of that change's transaction (``record_start``, ``record_send``); the sender's own
hand-offs between slices go straight to the queue (a lost one is restarted by the campaign sweeper)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from masteria.jobs import record_job
from masteria.ports import Queue
from masteria.schemas import StrictModel

START_QUEUE = "campaign-start"
SEND_QUEUE = "campaign-send"


class StartJob(StrictModel):
    """Start (plan) a scheduled campaign. ``at`` is the schedule it was made for: a stale one is ignored."""

    company_id: uuid.UUID
    campaign_id: uuid.UUID
    at: datetime


class SendJob(StrictModel):
    """Drive a running campaign's sending for a while (one driver at a time holds the campaign's lease)."""

    company_id: uuid.UUID
    campaign_id: uuid.UUID


def schedule_name(campaign_id: uuid.UUID) -> str:
    return f"campaign-{campaign_id}"


def record_start(session: Session, job: StartJob) -> None:
    """Start ``job``'s campaign once this transaction commits."""
    record_job(session, company_id=job.company_id, queue=START_QUEUE, body=job.model_dump_json())


def record_send(session: Session, company_id: uuid.UUID, campaign_id: uuid.UUID) -> None:
    """Drive the campaign once this transaction commits."""
    body = SendJob(company_id=company_id, campaign_id=campaign_id).model_dump_json()
    record_job(session, company_id=company_id, queue=SEND_QUEUE, body=body)


def enqueue_send(queue: Queue, company_id: uuid.UUID, campaign_id: uuid.UUID, *, delay_seconds: int = 0) -> None:
    queue.send(
        SEND_QUEUE,
        SendJob(company_id=company_id, campaign_id=campaign_id).model_dump_json(),
        delay_seconds=max(0, min(delay_seconds, 900)),
    )
