"""The AI responder's delayed jobs on ``ai-replies``, through the transactional outbox (``masteria.jobs``): a burst's
timer (answer it once its debounce has passed) and each part of an answer (send it once its humanized delay has
passed). The job names the burst's ``due_at`` it was made for: a newer message moved it later, and this job does
nothing (the newer one acts)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, TypeAdapter
from sqlalchemy.orm import Session

from masteria.jobs import record_job
from masteria.schemas import StrictModel

QUEUE = "ai-replies"


class BurstJob(StrictModel):
    """Answer the burst if it is still pending and still due at ``due_at``."""

    kind: Literal["burst"] = "burst"
    company_id: uuid.UUID
    burst_id: uuid.UUID
    due_at: datetime


class PartJob(StrictModel):
    """Send one part of an answer if it is still planned (and the AI still answers there)."""

    kind: Literal["part"] = "part"
    company_id: uuid.UUID
    part_id: uuid.UUID


ReplyJob = Annotated[BurstJob | PartJob, Field(discriminator="kind")]
_JOB: TypeAdapter[BurstJob | PartJob] = TypeAdapter(ReplyJob)


def parse(body: str) -> BurstJob | PartJob:
    return _JOB.validate_json(body)


def record_burst(session: Session, *, company_id: uuid.UUID, burst_id: uuid.UUID, due_at: datetime) -> None:
    body = BurstJob(company_id=company_id, burst_id=burst_id, due_at=due_at).model_dump_json()
    record_job(session, company_id=company_id, queue=QUEUE, body=body, deliver_at=due_at)


def record_part(session: Session, *, company_id: uuid.UUID, part_id: uuid.UUID, send_at: datetime) -> None:
    body = PartJob(company_id=company_id, part_id=part_id).model_dump_json()
    record_job(session, company_id=company_id, queue=QUEUE, body=body, deliver_at=send_at)
