"""Queries and updates over the recipient ledger shared by the sender, the inbound pipeline and the sweeper:
progress counts, progress events, Meta's status webhooks, reply attribution, completion."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, func, literal, or_, select, text, update
from sqlalchemy.orm import Session

from masteria.campaigns.models import Campaign, CampaignRecipient
from masteria.campaigns.schemas import Progress
from masteria.events import EventType, record_event

OPAQUE_PREFIX = "campaign-recipient:"
PROGRESS_INTERVAL = timedelta(seconds=1)
# A status moves a recipient forward only (a late "delivered" never undoes "read"; failed is final).
RANK = {"pending": 0, "sending": 1, "unknown": 2, "sent": 3, "delivered": 4, "read": 5, "failed": 6, "skipped": 6}
_WEBHOOK_STATUSES = {"sent", "delivered", "read", "played", "failed"}


def opaque(recipient_id: int) -> str:
    """What travels to Meta in ``biz_opaque_callback_data`` and comes back in every status of the message."""
    return f"{OPAQUE_PREFIX}{recipient_id}"


def recipient_of(opaque_data: Any) -> int | None:
    if isinstance(opaque_data, str) and opaque_data.startswith(OPAQUE_PREFIX):
        tail = opaque_data[len(OPAQUE_PREFIX) :]
        if tail.isdigit():
            return int(tail)
    return None


def progress(session: Session, campaign: Campaign) -> Progress:
    counts: dict[str, int] = {
        str(status): int(n)
        for status, n in session.execute(
            select(CampaignRecipient.status, func.count())
            .where(CampaignRecipient.campaign_id == campaign.id)
            .group_by(CampaignRecipient.status)
        ).all()
    }
    reason = func.coalesce(cast(CampaignRecipient.error_code, String), CampaignRecipient.error_reason)
    failed_by_reason: dict[str, int] = {
        str(why or "unknown"): int(n)
        for why, n in session.execute(
            select(reason, func.count())
            .where(CampaignRecipient.campaign_id == campaign.id, CampaignRecipient.status == "failed")
            .group_by(reason)
        ).all()
    }
    replied = session.scalar(
        select(func.count()).where(
            CampaignRecipient.campaign_id == campaign.id, CampaignRecipient.replied_at.is_not(None)
        )
    )
    read = counts.get("read", 0)
    delivered = counts.get("delivered", 0) + read
    return Progress(
        campaign_id=campaign.id,
        status=campaign.status,
        total=sum(counts.values()),
        queued=counts.get("pending", 0),
        sending=counts.get("sending", 0),
        unknown=counts.get("unknown", 0),
        sent=counts.get("sent", 0) + delivered,
        delivered=delivered,
        read=read,
        replied=int(replied or 0),
        failed=counts.get("failed", 0),
        failed_by_reason=failed_by_reason,
        skipped=counts.get("skipped", 0),
    )


def emit_progress(session: Session, campaign_id: uuid.UUID, *, force: bool = False) -> bool:
    """Record a ``campaign.progress`` event unless one was recorded less than a second ago (or ``force``)."""
    claimed = session.execute(
        update(Campaign)
        .where(
            Campaign.id == campaign_id,
            or_(
                literal(force),
                Campaign.progress_at.is_(None),
                Campaign.progress_at < func.clock_timestamp() - PROGRESS_INTERVAL,
            ),
        )
        .values(progress_at=func.clock_timestamp())
        .returning(Campaign.id)
    ).scalar_one_or_none()
    if claimed is None:
        return False
    campaign = session.get_one(Campaign, campaign_id, populate_existing=True)
    record_event(
        session,
        company_id=campaign.company_id,
        type=EventType.CAMPAIGN_PROGRESS,
        data=progress(session, campaign).model_dump(mode="json"),
    )
    return True


def remaining(session: Session, campaign_id: uuid.UUID) -> dict[str, int]:
    """Recipients not final yet, by status (pending, sending, unknown)."""
    rows = session.execute(
        select(CampaignRecipient.status, func.count())
        .where(
            CampaignRecipient.campaign_id == campaign_id,
            CampaignRecipient.status.in_(("pending", "sending", "unknown")),
        )
        .group_by(CampaignRecipient.status)
    ).all()
    return {str(status): int(n) for status, n in rows}


def complete_if_done(session: Session, campaign: Campaign, now: datetime) -> bool:
    """Mark a running campaign completed once every recipient is final."""
    if campaign.status != "running" or remaining(session, campaign.id):
        return False
    campaign.status, campaign.finished_at, campaign.status_reason = "completed", now, None
    session.flush()
    record_event(
        session,
        company_id=campaign.company_id,
        type=EventType.CAMPAIGN_COMPLETED,
        data={"campaign_id": str(campaign.id), "reason": None},
    )
    emit_progress(session, campaign.id, force=True)
    return True


def apply_status(session: Session, status: dict[str, Any], at: datetime) -> uuid.UUID | None:
    """Apply one of Meta's status webhooks to the ledger when it carries our recipient id: the campaign's id
    (its progress event is the caller's, once per webhook body), else None."""
    recipient_id = recipient_of(status.get("biz_opaque_callback_data"))
    new = str(status.get("status"))
    if recipient_id is None or new not in _WEBHOOK_STATUSES:
        return None
    new = "read" if new == "played" else new
    row = session.get(CampaignRecipient, recipient_id, with_for_update=True)
    if row is None:
        return None  # another company's id (invisible under RLS), or a deleted campaign
    if row.wamid is None and status.get("id"):
        row.wamid = str(status["id"])[:255]
    if RANK[new] > RANK[row.status]:
        was_unknown = row.status in ("sending", "unknown")
        row.status, row.updated_at = new, at
        if new == "failed":
            errors = status.get("errors") or [{}]
            code = errors[0].get("code")
            row.error_code = code if isinstance(code, int) else None
            row.error_reason = str(errors[0].get("title") or errors[0].get("message") or "failed")[:300]
            row.failed_at = at
        else:
            row.sent_at = row.sent_at or at
            if new in ("delivered", "read"):
                row.delivered_at = row.delivered_at or at
            if new == "read":
                row.read_at = row.read_at or at
        session.flush()
        if was_unknown:
            complete_if_done(session, session.get_one(Campaign, row.campaign_id), at)
    return row.campaign_id


def attribute_reply(session: Session, *, contact_id: uuid.UUID, at: datetime) -> int:
    """A contact wrote: the campaigns that messaged them within their reply window count a reply (Meta's
    timestamps are whole seconds: a reply in the second of the send counts)."""
    updated = session.execute(
        text(
            "UPDATE campaign_recipients r SET replied_at = :at FROM campaigns c"
            " WHERE r.contact_id = :contact AND r.campaign_id = c.id AND r.replied_at IS NULL"
            " AND r.sent_at IS NOT NULL AND r.sent_at < CAST(:at AS timestamptz) + interval '1 second'"
            " AND r.sent_at > CAST(:at AS timestamptz) - make_interval(hours => c.reply_window_hours)"
            " RETURNING r.campaign_id"
        ),
        {"at": at, "contact": contact_id},
    ).all()
    for (campaign_id,) in updated:
        emit_progress(session, campaign_id)
    return len(updated)
