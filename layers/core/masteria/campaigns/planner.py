"""Starting a scheduled campaign: its audience becomes the recipient ledger, once, whatever fires twice;
and the sweeper that keeps running campaigns moving after crashes and lost messages."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Select, exists, func, literal, or_, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from masteria.campaigns import counts as kept_counts
from masteria.campaigns import ledger, states
from masteria.campaigns.jobs import START_QUEUE, StartJob, record_send
from masteria.campaigns.models import Campaign, CampaignRecipient
from masteria.campaigns.schemas import Audience
from masteria.channels.models import PROVIDER_CHANNELS, ChannelConnection
from masteria.channels.providers.port import Channel
from masteria.contacts import service as contacts
from masteria.contacts.models import Contact
from masteria.db import Database
from masteria.event_payloads import CampaignStartedPayload
from masteria.events import record_event
from masteria.outbound import bulk_ledger
from masteria.ports import Clock, Queue

# A scheduled campaign this late has lost its schedule's message: the sweeper starts it.
LATE_START = timedelta(minutes=2)
# An outcome still unknown this long after the send is failed as unknown (never resent).
UNKNOWN_TIMEOUT = timedelta(minutes=15)
# A recipient waiting for a later attempt has a delayed send job coming for it; this long past its time
# with no driver, that job was lost: the sweeper starts a driver.
OVERDUE = timedelta(minutes=1)


def channel_of(session: Session, campaign: Campaign) -> Channel:
    """The channel the campaign sends on: its connection's (WhatsApp while it has none yet)."""
    connection = session.get(ChannelConnection, campaign.connection_id) if campaign.connection_id else None
    return cast(Channel, PROVIDER_CHANNELS[connection.provider]) if connection is not None else "whatsapp"


def audience_query(session: Session, audience: Audience, *, channel: Channel) -> Select[Any]:
    """The campaign's audience on ``channel`` through the CRM's one audience builder (ids and phones): nobody
    the consent rules keep from that channel."""
    filters = [contacts.segment_filter(session=session, segment_id=s) for s in audience.segment_ids]
    return contacts.sendable_audience(
        channel=channel,
        tag_ids=audience.tag_ids,
        list_ids=audience.list_ids,
        segment_filters=filters,
        contact_ids=audience.contact_ids,
    )


def plan(session: Session, campaign: Campaign) -> int:
    """Write one ledger row per audience contact (planning again adds nothing); the ledger's size."""
    audience = Audience.model_validate(campaign.audience)
    source = audience_query(session, audience, channel=channel_of(session, campaign)).with_only_columns(
        literal(campaign.company_id), literal(campaign.id), Contact.id, Contact.phone
    )
    session.execute(
        insert(CampaignRecipient)
        .from_select(["company_id", "campaign_id", "contact_id", "phone"], source)
        .on_conflict_do_nothing(index_elements=["campaign_id", "contact_id"])
    )
    total = session.scalar(select(func.count()).where(CampaignRecipient.campaign_id == campaign.id))
    return int(total or 0)


def start(*, db: Database, clock: Clock, job: StartJob) -> bool:
    """Start the campaign the schedule ``job`` was made for; False when it is not (or no longer) due."""
    with db.tenant(job.company_id) as session:
        campaign = session.get(Campaign, job.campaign_id, with_for_update=True)
        if campaign is None or campaign.status != "scheduled" or campaign.scheduled_at != job.at:
            return False  # fired twice, rescheduled or cancelled since
        now = clock.now()
        session.execute(text("SET LOCAL synchronous_commit = off"))  # redone on a crash: planning is idempotent
        campaign.total = plan(session, campaign)
        states.move(campaign, "running", now=now)
        campaign.planned_at = now
        record_event(
            session,
            company_id=campaign.company_id,
            payload=CampaignStartedPayload(campaign_id=campaign.id),
        )
        session.flush()
        ledger.emit_progress(session, campaign.id, force=True)
        record_send(session, job.company_id, job.campaign_id)
    return True


def sweep(*, db: Database, queue: Queue, clock: Clock, unknown_timeout: timedelta = UNKNOWN_TIMEOUT) -> dict[str, int]:
    """For every company's scheduled and running campaigns: start the late ones, turn expired claims into
    unknown outcomes (posted) or pending again (never posted), old unknowns into failures, complete the finished,
    and restart stalled drivers."""
    with db.campaign_sweep() as session:
        found = session.execute(
            select(Campaign.company_id, Campaign.id, Campaign.status, Campaign.scheduled_at).where(
                Campaign.status.in_(("scheduled", "running"))
            )
        ).all()
    counts = {"started": 0, "expired": 0, "requeued": 0, "failed_unknown": 0, "completed": 0, "restarted": 0}
    now = clock.now()
    for company_id, campaign_id, status, scheduled_at in found:
        if status == "scheduled":
            if scheduled_at is not None and scheduled_at < now - LATE_START:
                job = StartJob(company_id=company_id, campaign_id=campaign_id, at=scheduled_at)
                queue.send(START_QUEUE, job.model_dump_json())
                counts["started"] += 1
            continue
        with db.tenant(company_id) as session:
            _sweep_running(session, campaign_id, now, unknown_timeout, counts)
    return counts


def _sweep_running(
    session: Session,
    campaign_id: uuid.UUID,
    now: datetime,
    unknown_timeout: timedelta,
    counts: dict[str, int],
) -> None:
    where, params = "campaign_id = :campaign", {"campaign": campaign_id}
    expired = bulk_ledger.expire_claims(session, ledger.TABLE, now, where=where, params=params)
    gone = bulk_ledger.fail_unknown(session, ledger.TABLE, now, unknown_timeout, where=where, params=params)
    counts["expired"] += len(expired.unknown)
    counts["requeued"] += len(expired.requeued)
    counts["failed_unknown"] += len(gone)
    company_id = session.scalar(select(Campaign.company_id).where(Campaign.id == campaign_id))
    if gone and company_id is not None:
        ledger.record_recipient_statuses(session, company_id, [(i, "failed", None, "failed_unknown") for i in gone])
    kept_counts.fold(session, campaign_id)  # its kept counts back to one row per status
    campaign = session.get_one(Campaign, campaign_id, with_for_update=True)
    if ledger.complete_if_done(session, campaign, now):
        counts["completed"] += 1
        return
    if expired.unknown or expired.requeued or gone:
        ledger.emit_progress(session, campaign_id)
    driving = campaign.driver_until is not None and campaign.driver_until > now
    stalled = exists().where(
        CampaignRecipient.campaign_id == campaign_id,
        CampaignRecipient.status == "pending",
        or_(CampaignRecipient.next_attempt_at.is_(None), CampaignRecipient.next_attempt_at < now - OVERDUE),
    )
    if not driving and session.scalar(select(stalled)):
        record_send(session, campaign.company_id, campaign_id)  # sent once this transaction commits
        counts["restarted"] += 1
