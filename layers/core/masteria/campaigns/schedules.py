"""A campaign's one-time schedule (EventBridge Scheduler on AWS, the local scheduler's table locally), kept in
line with the campaign: scheduling, moving or cancelling it writes, in the same transaction, a job for
``campaign_scheduler``, which creates, moves or deletes the schedule from the campaign as it is then.

The job names the campaign, not the time: a repeat, or an older job run after a newer one, applies the
campaign's current state (masteria.mirror). A scheduled campaign whose time has come (started now by the
API, or a job run late) has its schedule removed and a start job instead: the planner starts a campaign once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from masteria.campaigns.jobs import START_QUEUE, StartJob, record_start, schedule_name
from masteria.campaigns.models import Campaign
from masteria.db import Database
from masteria.jobs import record_job
from masteria.mirror import converge
from masteria.ports import Clock, Scheduler
from masteria.schemas import StrictModel

QUEUE = "campaign-schedule"
IMMEDIATE = timedelta(seconds=2)  # a schedule this close to now starts at once, without the scheduler


class ScheduleJob(StrictModel):
    """Bring the campaign's schedule in line with the campaign."""

    company_id: uuid.UUID
    campaign_id: uuid.UUID


def record_schedule(session: Session, campaign: Campaign) -> None:
    """Create, move or delete ``campaign``'s schedule once this transaction commits."""
    body = ScheduleJob(company_id=campaign.company_id, campaign_id=campaign.id).model_dump_json()
    record_job(session, company_id=campaign.company_id, queue=QUEUE, body=body)


@dataclass(frozen=True)
class Wanted:
    """What the scheduler should hold: a schedule at ``at``, or none (``start``: none, and start it now)."""

    at: datetime | None = None
    start: StartJob | None = None


def sync(*, db: Database, scheduler: Scheduler, clock: Clock, job: ScheduleJob) -> Wanted:
    """Create or move the schedule of a campaign scheduled for later; delete it otherwise (and start a
    scheduled campaign whose time has come). The state it applied."""
    now, name = clock.now(), schedule_name(job.campaign_id)

    def current() -> Wanted:
        with db.tenant(job.company_id) as session:
            row = session.get(Campaign, job.campaign_id)
            if row is None or row.status != "scheduled" or row.scheduled_at is None:
                return Wanted()
            if row.scheduled_at > now + IMMEDIATE:
                return Wanted(at=row.scheduled_at)
            return Wanted(start=StartJob(company_id=row.company_id, campaign_id=row.id, at=row.scheduled_at))

    def apply(wanted: Wanted) -> None:
        if wanted.at is not None:
            body = StartJob(company_id=job.company_id, campaign_id=job.campaign_id, at=wanted.at).model_dump_json()
            scheduler.schedule(name, at=wanted.at, queue=START_QUEUE, body=body)
            return
        scheduler.cancel(name)
        if wanted.start is not None:
            with db.tenant(job.company_id) as session:
                record_start(session, wanted.start)

    return converge(current, apply)
