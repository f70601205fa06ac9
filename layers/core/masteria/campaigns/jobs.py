"""The campaign engine's queue messages: start a scheduled campaign (the planner), drive its sending."""

from __future__ import annotations

import uuid
from datetime import datetime

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


def enqueue_send(queue: Queue, company_id: uuid.UUID, campaign_id: uuid.UUID, *, delay_seconds: int = 0) -> None:
    queue.send(
        SEND_QUEUE,
        SendJob(company_id=company_id, campaign_id=campaign_id).model_dump_json(),
        delay_seconds=max(0, min(delay_seconds, 900)),
    )
