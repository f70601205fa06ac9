"""Queries and updates over the recipient ledger shared by the sender, the inbound pipeline and the sweeper:
progress counts, progress events, a sent batch's outcomes, Meta's status webhooks, reply attribution, completion."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, literal, or_, select, text, update
from sqlalchemy.orm import Session

from masteria.campaigns import counts as counts_of
from masteria.campaigns import reply_leads, states
from masteria.campaigns.models import Campaign, CampaignRecipient
from masteria.campaigns.schemas import Progress
from masteria.channels.providers.port import SendOutcome, StatusUpdate
from masteria.event_payloads import (
    CampaignCompletedPayload,
    CampaignProgressPayload,
    CampaignRecipientStatusPayload,
    CampaignRepliedPayload,
)
from masteria.events import EventType, record_event
from masteria.outbound import bulk_ledger
from masteria.webhooks.subscriptions import subscribed

OPAQUE_PREFIX = "campaign-recipient:"
PROGRESS_INTERVAL = timedelta(seconds=1)
TABLE = bulk_ledger.Table("campaign_recipients", message_id="wamid")


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
    """The campaign's progress from its kept counts (``counts``): as fast at a million recipients as at ten."""
    kept = counts_of.read(session, campaign.id)
    counts, failed_by_reason, billed, replied = kept.by_status, kept.failed_by_reason, kept.segments, kept.replied
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
        segments=billed,
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
        payload=CampaignProgressPayload.model_validate(progress(session, campaign).model_dump(mode="json")),
    )
    return True


def remaining(session: Session, campaign_id: uuid.UUID) -> dict[str, int]:
    """Recipients not final yet, by status (pending, sending, unknown), from the kept counts."""
    by_status = counts_of.read(session, campaign_id).by_status
    return {status: by_status[status] for status in bulk_ledger.OPEN if by_status.get(status)}


def complete_if_done(session: Session, campaign: Campaign, now: datetime) -> bool:
    """Mark a running campaign completed once every recipient is final."""
    if campaign.status != "running" or remaining(session, campaign.id):
        return False
    states.move(campaign, "completed", now=now)
    session.flush()
    record_event(
        session,
        company_id=campaign.company_id,
        payload=CampaignCompletedPayload(campaign_id=campaign.id),
    )
    emit_progress(session, campaign.id, force=True)
    return True


def record_batch(
    session: Session, company_id: uuid.UUID, outcomes: list[tuple[int, SendOutcome]], now: datetime
) -> None:
    """Write a sent batch's outcomes, by recipient id, to the ledger (``bulk_ledger.record``: sent, unknown, pending
    again or failed), with their ``campaign.recipient.status`` events."""
    done = bulk_ledger.record(session, TABLE, outcomes, now)
    record_recipient_statuses(
        session,
        company_id,
        [(i, "sent", None, None) for i, _, _ in done.sent] + [(i, "failed", code, why) for i, code, why in done.failed],
    )


def apply_statuses(session: Session, statuses: list[StatusUpdate]) -> set[uuid.UUID]:
    """Apply the provider's statuses that carry our recipient ids (``opaque``) to the ledger, in one statement;
    the campaigns they belong to (their progress events are the caller's, once per webhook body). A status only
    moves a recipient forward, whatever order they come in; rows are locked in id order, as the sender does."""
    by_id = bulk_ledger.by_row(statuses, recipient_of)
    if not by_id:
        return set()
    rows = session.execute(
        select(
            CampaignRecipient.id,
            CampaignRecipient.status,
            CampaignRecipient.campaign_id,
            CampaignRecipient.wamid,
            CampaignRecipient.company_id,
        )
        .where(CampaignRecipient.id.in_(sorted(by_id)))
        .order_by(CampaignRecipient.id)
        .with_for_update()
    ).all()  # another company's ids are invisible here (RLS): ignored
    changes = bulk_ledger.merge([(row.id, row.status, row.wamid) for row in rows], by_id)
    bulk_ledger.write_statuses(session, TABLE, changes)
    campaign_of = {row.id: row.campaign_id for row in rows}
    moved = [
        (c.id, c.status, c.code, c.reason)
        for c in changes
        if c.status != c.before and c.status in ("sent", "delivered", "read", "failed")
    ]  # the moves as events (a repeated failure is no move)
    if moved:
        record_recipient_statuses(session, rows[0].company_id, moved)
    now = datetime.now(UTC)
    # an unknown one settled: its driver may be gone, the webhook may finish the campaign
    for campaign_id in sorted({campaign_of[c.id] for c in changes if bulk_ledger.settles(c) and c.before == "unknown"}):
        complete_if_done(session, session.get_one(Campaign, campaign_id), now)
    return {row.campaign_id for row in rows}


def record_recipient_statuses(
    session: Session, company_id: uuid.UUID, moves: list[tuple[int, str, int | None, str | None]]
) -> None:
    """``campaign.recipient.status`` for each ``(recipient id, status, error code, error reason)``, if one of the
    company's endpoints asks for it (a million-recipient campaign would otherwise add millions of events nobody
    reads). Every writer of a recipient's status calls it: the status webhooks, the sender, the sweeper."""
    if not moves or not subscribed(session, EventType.CAMPAIGN_RECIPIENT_STATUS):
        return
    rows = {
        row.id: row
        for row in session.execute(
            select(CampaignRecipient.id, CampaignRecipient.campaign_id, CampaignRecipient.contact_id).where(
                CampaignRecipient.id.in_([recipient_id for recipient_id, *_ in moves])
            )
        )
    }
    for recipient_id, status, code, reason in moves:
        row = rows[recipient_id]
        failed = status == "failed"
        payload = CampaignRecipientStatusPayload.model_validate(
            {
                "campaign_id": row.campaign_id,
                "recipient_id": recipient_id,
                "contact_id": row.contact_id,
                "status": status,
                "error_code": code if failed else None,
                "error_reason": reason if failed else None,
            }
        )
        record_event(session, company_id=company_id, payload=payload)


def attribute_reply(
    session: Session, *, contact_id: uuid.UUID, at: datetime, conversation_id: uuid.UUID | None = None
) -> int:
    """A contact wrote: the campaigns that messaged them within their reply window count a reply (Meta's
    timestamps are whole seconds: a reply in the second of the send counts), once per recipient; those that open
    a lead on a reply open it (linked to ``conversation_id``), in this transaction; ``campaign.replied`` for each."""
    updated = session.execute(
        text(
            "UPDATE campaign_recipients r SET replied_at = :at FROM campaigns c"
            " WHERE r.contact_id = :contact AND r.campaign_id = c.id AND r.replied_at IS NULL"
            " AND r.sent_at IS NOT NULL AND r.sent_at < CAST(:at AS timestamptz) + interval '1 second'"
            " AND r.sent_at > CAST(:at AS timestamptz) - make_interval(hours => c.reply_window_hours)"
            " RETURNING r.campaign_id, r.company_id"
        ),
        {"at": at, "contact": contact_id},
    ).all()
    for campaign_id, company_id in updated:
        emit_progress(session, campaign_id)
        replied = CampaignRepliedPayload(
            campaign_id=campaign_id, contact_id=contact_id, conversation_id=conversation_id
        )
        record_event(session, company_id=company_id, payload=replied)
    if updated:
        reply_leads.open_leads(
            session, contact_id=contact_id, campaign_ids=[c for c, _ in updated], conversation_id=conversation_id
        )
    return len(updated)
