"""Campaigns, their per-recipient ledger and the dead letters of the sender (the per-number send lanes are the
outbound pacer's: masteria.outbound.models).

The ledger (``campaign_recipients``) is the truth of a campaign: pause, resume, crash recovery, progress
and analytics are queries over it. A recipient's status only moves forward:

    pending ──► sending ──► sent ──► delivered ──► read          (final once sent: no resend)
       ▲           │   └──► unknown ──► sent/… (status webhook) or failed (failed_unknown, timeout)
       └───────────┘ (Meta refused it: retried later)           failed / skipped (final)
"""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    Time,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from masteria.db import Base, Timestamped, company_fk, uuid_pk

CAMPAIGN_STATUSES = ("draft", "scheduled", "running", "paused", "completed", "cancelled", "failed")
RECIPIENT_STATUSES = ("pending", "sending", "unknown", "sent", "delivered", "read", "failed", "skipped")
# Recipients no longer waiting for anything of ours (an unknown one waits for Meta's status webhook).
FINAL_STATUSES = ("sent", "delivered", "read", "failed", "skipped")


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class Campaign(Timestamped, Base):
    __tablename__ = "campaigns"
    __table_args__ = (
        Index("ix_campaigns_company_id_created_at", "company_id", "created_at", "id"),
        Index("ix_campaigns_status", "status", postgresql_where=text("status IN ('running', 'scheduled')")),
        CheckConstraint(f"status IN ({_in(CAMPAIGN_STATUSES)})", name="status"),
        CheckConstraint("window_timezone IN ('company', 'contact')", name="window_timezone"),
        CheckConstraint("rate_per_second BETWEEN 1 AND 1000", name="rate_per_second"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    connection_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("channel_connections.id", ondelete="SET NULL")
    )
    whatsapp_template_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("whatsapp_templates.id", ondelete="SET NULL")
    )
    # on an SMS connection: the local text template it sends (rendered for each contact) instead of a WhatsApp one
    local_template_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("local_templates.id", ondelete="SET NULL")
    )
    # template parameter → contact variable, and parameter → default (``header.media``: the header's link)
    parameters: Mapped[dict[str, str]] = mapped_column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))
    defaults: Mapped[dict[str, str]] = mapped_column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))
    # {"tag_ids": [...], "list_ids": [...], "segment_ids": [...], "contact_ids": [...]}
    audience: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))
    scheduled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    timezone: Mapped[str] = mapped_column(String(64), nullable=False)
    window_start: Mapped[time | None] = mapped_column(Time)
    window_end: Mapped[time | None] = mapped_column(Time)
    window_timezone: Mapped[str] = mapped_column(String(16), nullable=False, server_default="company")
    rate_per_second: Mapped[int] = mapped_column(Integer, nullable=False, server_default="80")
    # lowered by Meta's 130429 (throughput reached); the campaign never sends faster than this
    current_rate: Mapped[float] = mapped_column(Float, nullable=False, server_default="80")
    reply_window_hours: Mapped[int] = mapped_column(Integer, nullable=False, server_default="72")
    status: Mapped[str] = mapped_column(String(16), nullable=False, server_default="draft")
    status_reason: Mapped[str | None] = mapped_column(String(500))
    total: Mapped[int | None] = mapped_column(Integer)
    planned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paused_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # one sender drives a campaign at a time: it holds this lease while it sends
    driver_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # the last progress event (at most one a second)
    progress_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    # a contact's reply opens a lead on this pipeline (None: it does not), in this stage (None: the first
    # open one) for this owner (None: unassigned); masteria.campaigns.reply_leads
    reply_lead_pipeline_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("pipelines.id", ondelete="SET NULL")
    )
    reply_lead_stage_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("pipeline_stages.id", ondelete="SET NULL")
    )
    reply_lead_owner_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


class CampaignRecipient(Base):
    """One row per contact of a campaign's audience (the ledger). ``id`` travels to Meta in
    ``biz_opaque_callback_data`` and comes back in every status webhook of that message."""

    __tablename__ = "campaign_recipients"
    __table_args__ = (
        Index("uq_campaign_recipients_campaign_id_contact_id", "campaign_id", "contact_id", unique=True),
        Index("ix_campaign_recipients_campaign_id_status", "campaign_id", "status"),
        Index("ix_campaign_recipients_pending", "campaign_id", "id", postgresql_where=text("status = 'pending'")),
        Index("ix_campaign_recipients_sending", "claimed_until", postgresql_where=text("status = 'sending'")),
        Index("ix_campaign_recipients_unknown", "updated_at", postgresql_where=text("status = 'unknown'")),
        # replies are attributed to sends: only rows that were sent (planning 1M rows skips this index)
        Index(
            "ix_campaign_recipients_contact_id_sent_at",
            "contact_id",
            "sent_at",
            postgresql_where=text("sent_at IS NOT NULL"),
        ),
        CheckConstraint(f"status IN ({_in(RECIPIENT_STATUSES)})", name="status"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    company_id: Mapped[uuid.UUID] = company_fk()
    campaign_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False
    )
    contact_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("contacts.id", ondelete="SET NULL")
    )
    phone: Mapped[str] = mapped_column(String(20), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, server_default="pending")
    attempts: Mapped[int] = mapped_column(SmallInteger, nullable=False, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # its batch's requests had started (written before them): past the lease it may have gone out (unknown);
    # claimed and never posted, it goes back to pending
    posted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    wamid: Mapped[str | None] = mapped_column(String(255))
    error_code: Mapped[int | None] = mapped_column(Integer)
    error_reason: Mapped[str | None] = mapped_column(String(300))
    segments: Mapped[int | None] = mapped_column(SmallInteger)  # SMS: the parts its message is sent in
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    replied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class CampaignDeadLetter(Timestamped, Base):
    """A recipient whose send broke the worker (our bug, not Meta's answer): kept for an admin to retry."""

    __tablename__ = "campaign_dead_letters"
    __table_args__ = (Index("ix_campaign_dead_letters_company_id_created_at", "company_id", "created_at", "id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    campaign_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False
    )
    recipient_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("campaign_recipients.id", ondelete="CASCADE"), nullable=False
    )
    error: Mapped[str] = mapped_column(Text, nullable=False)
    retried_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CampaignCount(Base):
    """A net change of a campaign's recipients per status (and failure reason), appended by the ledger's
    statement triggers (migration 0132): a campaign's counts are the sums of its rows, folded now and then
    (``counts.fold``)."""

    __tablename__ = "campaign_counts"
    __table_args__ = (Index("ix_campaign_counts_campaign_id", "campaign_id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    company_id: Mapped[uuid.UUID] = company_fk()
    campaign_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False
    )
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    reason: Mapped[str | None] = mapped_column(String(300))  # failed: Meta's code, or our reason
    n: Mapped[int] = mapped_column(BigInteger, nullable=False)
    segments: Mapped[int] = mapped_column(BigInteger, nullable=False)  # billed: of sent, delivered and read
    replied: Mapped[int] = mapped_column(BigInteger, nullable=False)
