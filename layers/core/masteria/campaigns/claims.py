"""Claiming a campaign's due recipients: ``pending`` → ``sending``, with their send slots reserved on the number's
lane, committed *before* any request goes out (the bulk pipeline's claim, ``outbound.bulk``). Rows are locked with
``SKIP LOCKED``: a recipient is claimed by one worker only, whatever the queue delivers twice. Recipients that
cannot be sent are settled on the way, by the one outbound path's rules: skipped (contact deleted, opted out of
the campaign's channel, invalid number, values that do not fill the template, content the provider refuses),
deferred (outside their sending window), or failed into the dead letters (our bug). An SMS recipient's segments
are counted as it is claimed."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from masteria.campaigns import window
from masteria.campaigns.ledger import TABLE
from masteria.campaigns.messages import Content
from masteria.campaigns.models import Campaign, CampaignDeadLetter, CampaignRecipient
from masteria.channels.providers.port import Channel, OutboundMessage
from masteria.contacts import consent
from masteria.contacts.models import Contact
from masteria.db import Database
from masteria.errors import FieldError
from masteria.outbound import bulk, bulk_ledger
from masteria.outbound.bulk import Batch, Claim
from masteria.ports import Clock

__all__ = ["Batch", "Claim", "Scope", "claim"]


@dataclass(frozen=True)
class Scope:
    """What claiming needs of the campaign, read once per drive."""

    company_id: uuid.UUID
    campaign_id: uuid.UUID
    connection_id: uuid.UUID
    channel: Channel  # the connection's
    message: Content
    check: Callable[[OutboundMessage], Sequence[FieldError]]  # the provider's check of a message's content
    number_rate: float  # the number's messages per second (the provider's): a campaign never goes faster
    company_zone: ZoneInfo
    window: tuple[Any, Any, str] | None  # (start, end, "company" | "contact")
    # the number's rate units a message takes (``Limits.units``: an SMS's segments), 1 unless the provider says
    units: Callable[[OutboundMessage], int] = lambda _message: 1


def claim(
    db: Database,
    scope: Scope,
    *,
    clock: Clock,
    batch_seconds: float,
    max_batch: int,
    lease_seconds: float,
) -> Claim:
    """Claim the next due recipients (about ``batch_seconds`` of sending at the campaign's rate, at most
    ``max_batch``) and reserve their slots, in one committed transaction. A claimed recipient unanswered
    ``lease_seconds`` after its batch's last slot is the sweeper's to call unknown."""
    with db.tenant(scope.company_id) as session:
        campaign = session.get_one(Campaign, scope.campaign_id)
        if campaign.status != "running":
            return Claim(batch=Batch(), stop="paused" if campaign.status == "paused" else "not_running")
        rate = min(campaign.current_rate, scope.number_rate)
        now = clock.now()
        if scope.window is not None and scope.window[2] == "company":
            start, end, _ = scope.window
            opens = window.next_open(now, start, end, scope.company_zone)
            if opens > now:
                return Claim(batch=Batch(), next_due=opens)
        size = max(1, min(max_batch, int(rate * batch_seconds)))
        rows = session.execute(
            select(
                CampaignRecipient.id,
                CampaignRecipient.phone,
                Contact.id.label("contact_id"),
                Contact.name,
                Contact.email,
                Contact.language,
                Contact.custom_fields,
                Contact.is_valid,
                consent.opted_out(scope.channel, CampaignRecipient.contact_id).label("opted_out"),
            )
            .outerjoin(Contact, Contact.id == CampaignRecipient.contact_id)
            .where(
                CampaignRecipient.campaign_id == scope.campaign_id,
                CampaignRecipient.status == "pending",
                (CampaignRecipient.next_attempt_at.is_(None)) | (CampaignRecipient.next_attempt_at <= now),
            )
            .order_by(CampaignRecipient.id)
            .limit(size)
            .with_for_update(of=CampaignRecipient, skip_locked=True)
        ).all()
        if not rows:
            next_due = session.scalar(
                select(func.min(CampaignRecipient.next_attempt_at)).where(
                    CampaignRecipient.campaign_id == scope.campaign_id, CampaignRecipient.status == "pending"
                )
            )
            return Claim(batch=Batch(), next_due=next_due)
        sorting = bulk.Sorting()
        for row in rows:
            if row.contact_id is None or row.opted_out or not row.is_valid:
                why = (
                    "contact deleted" if row.contact_id is None else "opted out" if row.opted_out else "invalid number"
                )
                sorting.skipped.append((row.id, why))
                continue
            if scope.window is not None and scope.window[2] == "contact":
                start, end, _ = scope.window
                opens = window.next_open(now, start, end, window.contact_zone(row.phone, scope.company_zone))
                if opens > now:
                    sorting.deferred.append((row.id, opens))
                    continue
            sorting.take(row.id, partial(scope.message.message, row), scope.check, sms=scope.channel == "sms")
        bulk_ledger.settle_sorted(session, TABLE, sorting, now)
        for recipient_id, trace in sorting.broken:  # into the dead letters; the campaign goes on
            session.add(
                CampaignDeadLetter(
                    company_id=scope.company_id, campaign_id=scope.campaign_id, recipient_id=recipient_id, error=trace
                )
            )
        claimed = bulk.reserve(
            session,
            sorting.batch,
            company_id=scope.company_id,
            connection_id=scope.connection_id,
            rate=rate,
            units=scope.units,
            lease_seconds=lease_seconds,
        )
        bulk_ledger.mark_sending(session, TABLE, claimed, now)
        if not claimed.lane_wait:
            claimed.next_due = sorting.next_due
        return claimed
