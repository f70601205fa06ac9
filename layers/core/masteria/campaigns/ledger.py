"""Queries and updates over the recipient ledger shared by the sender, the inbound pipeline and the sweeper:
progress counts, progress events, a sent batch's outcomes, Meta's status webhooks, reply attribution, completion."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, func, literal, or_, select, text, update
from sqlalchemy.orm import Session

from masteria.campaigns import reply_leads, states
from masteria.campaigns.models import Campaign, CampaignRecipient
from masteria.campaigns.schemas import Progress
from masteria.channels.providers.port import Outcome, SendOutcome, StatusUpdate
from masteria.event_payloads import (
    CampaignCompletedPayload,
    CampaignProgressPayload,
    CampaignRecipientStatusPayload,
)
from masteria.events import EventType, record_event
from masteria.webhooks.subscriptions import subscribed

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
    rows = session.execute(
        select(CampaignRecipient.status, func.count(), func.coalesce(func.sum(CampaignRecipient.segments), 0))
        .where(CampaignRecipient.campaign_id == campaign.id)
        .group_by(CampaignRecipient.status)
    ).all()
    counts: dict[str, int] = {str(row[0]): int(row[1]) for row in rows}
    billed = sum(int(row[2] or 0) for row in rows if row[0] in ("sent", "delivered", "read"))
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
    """Write a sent batch's outcomes, by recipient id, to the ledger: sent (with its message id), unknown
    (never resent: a status webhook or the sweeper settles it), pending again (retried later) or failed. A
    status webhook may have come first: a row is written only while it is still ``sending`` or ``unknown``
    (a sent one only takes the message id it lacks)."""
    sent: list[tuple[int, str, int | None]] = []  # id, the provider's id, the segments it billed (SMS)
    unknown: list[int] = []
    retry: list[tuple[int, datetime, int | None, str | None, bool]] = []  # id, when, code, reason, counts
    failed: list[tuple[int, int | None, str | None]] = []
    for recipient_id, outcome in outcomes:
        if outcome.category is Outcome.SENT:
            sent.append((recipient_id, outcome.message_id or "", outcome.segments))
        elif outcome.category is Outcome.UNKNOWN:
            unknown.append(recipient_id)
        elif outcome.category in (Outcome.RETRY_AFTER, Outcome.CAMPAIGN_STOPPING):
            retry.append(
                (recipient_id, now + outcome.retry_in, outcome.code, outcome.reason, outcome.counts_as_attempt)
            )
        else:
            failed.append((recipient_id, outcome.code, outcome.reason))
    # lock the batch's rows in id order first, as the status webhooks do: no deadlock between the two
    session.execute(
        select(CampaignRecipient.id)
        .where(CampaignRecipient.id.in_([i for i, _ in outcomes]))
        .order_by(CampaignRecipient.id)
        .with_for_update()
    ).all()
    if sent:
        session.execute(
            text(
                "UPDATE campaign_recipients r SET status = CASE WHEN r.status IN ('sending', 'unknown')"
                " THEN 'sent' ELSE r.status END, wamid = COALESCE(r.wamid, d.wamid),"
                " sent_at = COALESCE(r.sent_at, :now), claimed_until = NULL, updated_at = :now,"
                " segments = COALESCE(d.segments, r.segments),"
                # an error of an earlier attempt is no longer the recipient's: it was sent
                " error_code = CASE WHEN r.status IN ('sending', 'unknown') THEN NULL ELSE r.error_code END,"
                " error_reason = CASE WHEN r.status IN ('sending', 'unknown') THEN NULL ELSE r.error_reason END"
                " FROM unnest(CAST(:ids AS bigint[]), CAST(:wamids AS text[]), CAST(:segments AS smallint[]))"
                " AS d(id, wamid, segments) WHERE r.id = d.id"
            ),
            {
                "now": now,
                "ids": [i for i, _, _ in sent],
                "wamids": [w for _, w, _ in sent],
                "segments": [n for _, _, n in sent],
            },
        )
    if unknown:
        session.execute(
            update(CampaignRecipient)
            .where(CampaignRecipient.id.in_(unknown), CampaignRecipient.status == "sending")
            .values(status="unknown", claimed_until=None, updated_at=now)
        )
    if retry:
        session.execute(
            text(
                "UPDATE campaign_recipients r SET status = 'pending', next_attempt_at = d.at,"
                " error_code = d.code, error_reason = d.reason, claimed_until = NULL, updated_at = :now,"
                " attempts = r.attempts - CASE WHEN d.counts THEN 0 ELSE 1 END"
                " FROM unnest(CAST(:ids AS bigint[]), CAST(:ats AS timestamptz[]), CAST(:codes AS integer[]),"
                " CAST(:reasons AS text[]), CAST(:counts AS boolean[])) AS d(id, at, code, reason, counts)"
                " WHERE r.id = d.id AND r.status IN ('sending', 'unknown')"
            ),
            {
                "now": now,
                "ids": [r[0] for r in retry],
                "ats": [r[1] for r in retry],
                "codes": [r[2] for r in retry],
                "reasons": [r[3] for r in retry],
                "counts": [r[4] for r in retry],
            },
        )
    if failed:
        session.execute(
            text(
                "UPDATE campaign_recipients r SET status = 'failed', error_code = d.code, error_reason = d.reason,"
                " failed_at = :now, claimed_until = NULL, updated_at = :now"
                " FROM unnest(CAST(:ids AS bigint[]), CAST(:codes AS integer[]), CAST(:reasons AS text[]))"
                " AS d(id, code, reason) WHERE r.id = d.id AND r.status IN ('sending', 'unknown')"
            ),
            {
                "now": now,
                "ids": [f[0] for f in failed],
                "codes": [f[1] for f in failed],
                "reasons": [f[2] for f in failed],
            },
        )
    record_recipient_statuses(
        session,
        company_id,
        [(i, "sent", None, None) for i, _, _ in sent] + [(i, "failed", code, reason) for i, code, reason in failed],
    )


def apply_statuses(session: Session, statuses: list[StatusUpdate]) -> set[uuid.UUID]:
    """Apply the provider's statuses that carry our recipient ids (``opaque``) to the ledger, in one statement;
    the campaigns they belong to (their progress events are the caller's, once per webhook body). A status only
    moves a recipient forward, whatever order they come in; rows are locked in id order, as the sender does."""
    by_id: dict[int, list[StatusUpdate]] = {}
    for status in statuses:
        recipient_id = recipient_of(status.opaque)
        if recipient_id is not None and status.status in _WEBHOOK_STATUSES:
            by_id.setdefault(recipient_id, []).append(status)
    if not by_id:
        return set()
    rows = session.execute(
        select(
            CampaignRecipient.id,
            CampaignRecipient.status,
            CampaignRecipient.campaign_id,
            CampaignRecipient.wamid,
            CampaignRecipient.company_id,
            CampaignRecipient.contact_id,
        )
        .where(CampaignRecipient.id.in_(sorted(by_id)))
        .order_by(CampaignRecipient.id)
        .with_for_update()
    ).all()  # another company's ids are invisible here (RLS): ignored
    changes: list[dict[str, Any]] = []
    settled: set[uuid.UUID] = set()
    for row in rows:
        change: dict[str, Any] = {"id": row.id, "status": row.status, "wamid": None, "code": None, "reason": None}
        for key in ("sent", "delivered", "read", "failed"):
            change[key] = None
        for status in by_id[row.id]:
            new = "read" if status.status == "played" else status.status
            at = status.at
            change["wamid"] = change["wamid"] or status.message_id[:255]
            if new == "failed":
                change["code"] = status.error_code
                change["reason"] = (status.error_title or "failed")[:300]
                change["failed"] = change["failed"] or at
            else:
                for step in ("sent", "delivered", "read")[: ("sent", "delivered", "read").index(new) + 1]:
                    change[step] = change[step] or at
            if RANK[new] > RANK[change["status"]]:
                change["status"] = new
        # nothing to write when it says what the row says already (a "sent" after the sender recorded the
        # send): a status moves a recipient forward, a failure brings its error, a wamid may be new
        if change["status"] != row.status or change["reason"] is not None or (change["wamid"] and not row.wamid):
            change["row"] = row
            changes.append(change)
            if row.status == "unknown" and RANK[change["status"]] > RANK["unknown"]:
                settled.add(row.campaign_id)  # its driver may be gone: the webhook may finish the campaign
    if changes:
        session.execute(
            text(
                "UPDATE campaign_recipients r SET status = d.status, wamid = COALESCE(r.wamid, d.wamid),"
                " sent_at = COALESCE(r.sent_at, d.sent), delivered_at = COALESCE(r.delivered_at, d.delivered),"
                " read_at = COALESCE(r.read_at, d.read), failed_at = COALESCE(r.failed_at, d.failed),"
                # a failure reported now is the recipient's error; once sent, an earlier attempt's error is not
                " error_code = CASE WHEN d.reason IS NOT NULL THEN d.code"
                " WHEN d.status IN ('sent', 'delivered', 'read') THEN NULL ELSE r.error_code END,"
                " error_reason = CASE WHEN d.reason IS NOT NULL THEN d.reason"
                " WHEN d.status IN ('sent', 'delivered', 'read') THEN NULL ELSE r.error_reason END,"
                " updated_at = now()"
                " FROM unnest(CAST(:ids AS bigint[]), CAST(:statuses AS text[]), CAST(:wamids AS text[]),"
                " CAST(:sent AS timestamptz[]), CAST(:delivered AS timestamptz[]), CAST(:read AS timestamptz[]),"
                " CAST(:failed AS timestamptz[]), CAST(:codes AS integer[]), CAST(:reasons AS text[]))"
                " AS d(id, status, wamid, sent, delivered, read, failed, code, reason) WHERE r.id = d.id"
            ),
            {
                "ids": [c["id"] for c in changes],
                "statuses": [c["status"] for c in changes],
                "wamids": [c["wamid"] for c in changes],
                "sent": [c["sent"] for c in changes],
                "delivered": [c["delivered"] for c in changes],
                "read": [c["read"] for c in changes],
                "failed": [c["failed"] for c in changes],
                "codes": [c["code"] for c in changes],
                "reasons": [c["reason"] for c in changes],
            },
        )
        _recipient_events(session, changes)
    now = datetime.now(UTC)
    for campaign_id in sorted(settled):
        complete_if_done(session, session.get_one(Campaign, campaign_id), now)
    return {row.campaign_id for row in rows}


def _recipient_events(session: Session, changes: list[dict[str, Any]]) -> None:
    """The status webhooks' moves as ``campaign.recipient.status`` events (a repeated failure is no move)."""
    moved = [
        (c["row"].id, c["status"], c["code"], c["reason"])
        for c in changes
        if c["status"] != c["row"].status and c["status"] in ("sent", "delivered", "read", "failed")
    ]
    if moved:
        record_recipient_statuses(session, changes[0]["row"].company_id, moved)


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
    a lead on a reply open it (linked to ``conversation_id``), in this transaction."""
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
    if updated:
        reply_leads.open_leads(
            session, contact_id=contact_id, campaign_ids=[c for (c,) in updated], conversation_id=conversation_id
        )
    return len(updated)
