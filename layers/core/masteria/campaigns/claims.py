"""Claiming a campaign's due recipients: ``pending`` → ``sending``, with their send slots reserved on the number's
lane, committed *before* any request goes out. Rows are locked with ``SKIP LOCKED``: a recipient is claimed by
one worker only, whatever the queue delivers twice. Recipients that cannot be sent are settled on the way, by
the one outbound path's rules: skipped (contact deleted, opted out of the campaign's channel, invalid number,
values that do not fill the template, content the provider refuses), deferred (outside their sending window),
or failed into the dead letters (our bug). An SMS recipient's segments are counted as it is claimed."""

from __future__ import annotations

import time
import traceback
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from masteria.campaigns import window
from masteria.campaigns.messages import Content
from masteria.campaigns.models import Campaign, CampaignDeadLetter, CampaignRecipient
from masteria.channels.providers.port import Channel, OutboundMessage
from masteria.channels.providers.sms import segments
from masteria.contacts import consent
from masteria.contacts.models import Contact
from masteria.db import Database
from masteria.errors import FieldError, Invalid
from masteria.outbound import pacer
from masteria.ports import Clock


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


@dataclass
class Batch:
    ids: list[int] = field(default_factory=list)
    messages: list[OutboundMessage] = field(default_factory=list)
    segments: dict[int, int] = field(default_factory=dict)  # SMS: the parts of each recipient's message
    attempts: dict[int, int] = field(default_factory=dict)  # this claim's attempt number, by recipient


@dataclass
class Claim:
    status: str  # the campaign's status
    batch: Batch
    first_slot: float = 0.0  # local time.time() of the first slot
    interval: float = 0.0
    next_due: datetime | None = None  # nothing due now: when the next pending recipient is due
    # recipients are due but the number's line is held ahead by other bulk sends: claim again this much later
    lane_wait: float = 0.0


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
            return Claim(status=campaign.status, batch=Batch())
        rate = min(campaign.current_rate, scope.number_rate)
        now = clock.now()
        if scope.window is not None and scope.window[2] == "company":
            start, end, _ = scope.window
            opens = window.next_open(now, start, end, scope.company_zone)
            if opens > now:
                return Claim(status="running", batch=Batch(), next_due=opens)
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
            return Claim(status="running", batch=Batch(), next_due=next_due)
        batch = Batch()
        skipped: list[tuple[int, str]] = []
        deferred: list[tuple[int, datetime]] = []
        broken: list[tuple[int, str]] = []
        for row in rows:
            if row.contact_id is None or row.opted_out or not row.is_valid:
                why = (
                    "contact deleted" if row.contact_id is None else "opted out" if row.opted_out else "invalid number"
                )
                skipped.append((row.id, why))
                continue
            if scope.window is not None and scope.window[2] == "contact":
                start, end, _ = scope.window
                opens = window.next_open(now, start, end, window.contact_zone(row.phone, scope.company_zone))
                if opens > now:
                    deferred.append((row.id, opens))
                    continue
            try:
                message = scope.message.message(row)
                refused = scope.check(message)
                if refused:
                    raise Invalid("the provider refuses this message", list(refused))
            except Invalid as error:
                skipped.append((row.id, f"{error.detail}: {', '.join(e.field for e in error.errors)}"[:300]))
                continue
            except Exception:  # our bug: the recipient goes to the dead letters, the campaign goes on
                broken.append((row.id, traceback.format_exc()[-4000:]))
                continue
            batch.ids.append(row.id)
            batch.messages.append(message)
            if scope.channel == "sms":
                batch.segments[row.id] = segments.count(message.text or "").count
        _finish(session, skipped, "skipped", now)
        _finish(session, [(i, "worker_error") for i, _ in broken], "failed", now)
        for recipient_id, trace in broken:
            session.add(
                CampaignDeadLetter(
                    company_id=scope.company_id, campaign_id=scope.campaign_id, recipient_id=recipient_id, error=trace
                )
            )
        if deferred:
            session.execute(
                text(
                    "UPDATE campaign_recipients r SET next_attempt_at = d.at, updated_at = now()"
                    " FROM unnest(CAST(:ids AS bigint[]), CAST(:ats AS timestamptz[])) AS d(id, at) WHERE r.id = d.id"
                ),
                {"ids": [i for i, _ in deferred], "ats": [a for _, a in deferred]},
            )
        claimed = Claim(status="running", batch=batch)
        if batch.ids:
            # each message of the batch gets a slot as wide as its widest one's units (an SMS's segments: the
            # number's MPS counts message parts), so the batch never takes the number over its rate
            units = max(scope.units(message) for message in batch.messages)
            slots = pacer.reserve(
                session,
                company_id=scope.company_id,
                connection_id=scope.connection_id,
                count=len(batch.ids),
                rate=rate / units,
            )
            # the line holds less than a second of bulk sends: the rest stays pending, claimed again next
            del batch.ids[slots.count :], batch.messages[slots.count :]
            claimed.lane_wait = slots.retry_in.total_seconds()
        if batch.ids:
            first = slots.first
            claimed.interval = slots.interval
            claimed.first_slot = time.time() + (first - slots.now).total_seconds()
            claimed_until = first + timedelta(seconds=len(batch.ids) * claimed.interval + lease_seconds)
            attempts = session.execute(
                update(CampaignRecipient)
                .where(CampaignRecipient.id.in_(batch.ids))
                .values(
                    status="sending",
                    attempts=CampaignRecipient.attempts + 1,
                    claimed_until=claimed_until,
                    updated_at=now,
                )
                .returning(CampaignRecipient.id, CampaignRecipient.attempts)
            ).all()
            batch.attempts = {int(i): int(a) for i, a in attempts}
            if batch.segments:
                session.execute(
                    text(
                        "UPDATE campaign_recipients r SET segments = d.segments FROM unnest(CAST(:ids AS bigint[]),"
                        " CAST(:segments AS smallint[])) AS d(id, segments) WHERE r.id = d.id"
                    ),
                    {"ids": batch.ids, "segments": [batch.segments[i] for i in batch.ids]},
                )
        elif not skipped and not broken and not claimed.lane_wait:
            claimed.next_due = min((a for _, a in deferred), default=None)
        return claimed


def _finish(session: Session, rows: list[tuple[int, str]], status: str, now: datetime) -> None:
    """Recipients final without a send (skipped) or failed, each with its reason."""
    if not rows:
        return
    session.execute(
        text(
            "UPDATE campaign_recipients r SET status = :status, error_reason = d.reason, updated_at = :now,"
            " failed_at = CASE WHEN :status = 'failed' THEN CAST(:now AS timestamptz) END"
            " FROM unnest(CAST(:ids AS bigint[]), CAST(:reasons AS text[])) AS d(id, reason) WHERE r.id = d.id"
        ),
        {"status": status, "now": now, "ids": [i for i, _ in rows], "reasons": [r for _, r in rows]},
    )
