"""Campaigns, their recipient ledger, per-number send lanes, the sender's dead letters, the local runtime's
one-time schedules, and the campaign sweeper's read policy.

Revision ID: 0113
Revises: 0112
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from masteria.campaigns.models import CAMPAIGN_STATUSES, RECIPIENT_STATUSES
from masteria.db import CAMPAIGN_SWEEP_SETTING
from masteria.migrations.columns import TS, UUID, company_column, created_column, id_column
from masteria.migrations.rls import enable_tenant_rls

revision = "0113"
down_revision = "0112"
branch_labels = None
depends_on = None


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _json(name: str) -> sa.Column[object]:
    return sa.Column(name, postgresql.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb"))


def upgrade() -> None:
    op.create_table(
        "campaigns",
        id_column(),
        company_column(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("connection_id", UUID, sa.ForeignKey("channel_connections.id", ondelete="SET NULL")),
        sa.Column("whatsapp_template_id", UUID, sa.ForeignKey("whatsapp_templates.id", ondelete="SET NULL")),
        _json("parameters"),
        _json("defaults"),
        _json("audience"),
        sa.Column("scheduled_at", TS),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("window_start", sa.Time),
        sa.Column("window_end", sa.Time),
        sa.Column("window_timezone", sa.String(16), nullable=False, server_default="company"),
        sa.Column("rate_per_second", sa.Integer, nullable=False, server_default="80"),
        sa.Column("current_rate", sa.Float, nullable=False, server_default="80"),
        sa.Column("reply_window_hours", sa.Integer, nullable=False, server_default="72"),
        sa.Column("status", sa.String(16), nullable=False, server_default="draft"),
        sa.Column("status_reason", sa.String(500)),
        sa.Column("total", sa.Integer),
        sa.Column("planned_at", TS),
        sa.Column("started_at", TS),
        sa.Column("paused_at", TS),
        sa.Column("finished_at", TS),
        sa.Column("driver_until", TS),
        sa.Column("progress_at", TS),
        sa.Column("created_by", UUID, sa.ForeignKey("users.id", ondelete="SET NULL")),
        created_column(),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint(f"status IN ({_in(CAMPAIGN_STATUSES)})", name="status"),
        sa.CheckConstraint("window_timezone IN ('company', 'contact')", name="window_timezone"),
        sa.CheckConstraint("rate_per_second BETWEEN 1 AND 1000", name="rate_per_second"),
    )
    op.create_index("ix_campaigns_company_id_created_at", "campaigns", ["company_id", "created_at", "id"])
    op.create_index(
        "ix_campaigns_status", "campaigns", ["status"], postgresql_where=sa.text("status IN ('running', 'scheduled')")
    )
    op.create_table(
        "campaign_recipients",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        company_column(),
        sa.Column("campaign_id", UUID, sa.ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False),
        sa.Column("contact_id", UUID, sa.ForeignKey("contacts.id", ondelete="SET NULL")),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.SmallInteger, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", TS),
        sa.Column("claimed_until", TS),
        sa.Column("wamid", sa.String(255)),
        sa.Column("error_code", sa.Integer),
        sa.Column("error_reason", sa.String(300)),
        sa.Column("sent_at", TS),
        sa.Column("delivered_at", TS),
        sa.Column("read_at", TS),
        sa.Column("replied_at", TS),
        sa.Column("failed_at", TS),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint(f"status IN ({_in(RECIPIENT_STATUSES)})", name="status"),
    )
    op.create_index(
        "uq_campaign_recipients_campaign_id_contact_id",
        "campaign_recipients",
        ["campaign_id", "contact_id"],
        unique=True,
    )
    op.create_index("ix_campaign_recipients_campaign_id_status", "campaign_recipients", ["campaign_id", "status"])
    op.create_index(
        "ix_campaign_recipients_pending",
        "campaign_recipients",
        ["campaign_id", "id"],
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        "ix_campaign_recipients_sending",
        "campaign_recipients",
        ["claimed_until"],
        postgresql_where=sa.text("status = 'sending'"),
    )
    op.create_index(
        "ix_campaign_recipients_unknown",
        "campaign_recipients",
        ["updated_at"],
        postgresql_where=sa.text("status = 'unknown'"),
    )
    op.create_index(
        "ix_campaign_recipients_contact_id_sent_at",
        "campaign_recipients",
        ["contact_id", "sent_at"],
        postgresql_where=sa.text("sent_at IS NOT NULL"),
    )
    op.create_table(
        "send_lanes",
        sa.Column(
            "connection_id",
            UUID,
            sa.ForeignKey("channel_connections.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        company_column(),
        sa.Column("next_slot_at", TS, nullable=False, server_default=sa.func.now()),
        sa.Column("backoff_until", TS),
    )
    op.create_table(
        "campaign_dead_letters",
        id_column(),
        company_column(),
        sa.Column("campaign_id", UUID, sa.ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False),
        sa.Column(
            "recipient_id", sa.BigInteger, sa.ForeignKey("campaign_recipients.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("retried_at", TS),
        created_column(),
    )
    op.create_index(
        "ix_campaign_dead_letters_company_id_created_at", "campaign_dead_letters", ["company_id", "created_at", "id"]
    )
    for table in ("campaigns", "campaign_recipients", "send_lanes", "campaign_dead_letters"):
        enable_tenant_rls(table)
    op.execute(
        "CREATE POLICY campaign_sweep_list ON campaigns FOR SELECT"
        f" USING (current_setting('{CAMPAIGN_SWEEP_SETTING}', true) = 'on')"
    )
    op.create_table(
        "scheduled_jobs",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("fire_at", TS, nullable=False),
        sa.Column("queue", sa.String(80), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_index("ix_scheduled_jobs_fire_at", "scheduled_jobs", ["fire_at"])


def downgrade() -> None:
    op.drop_table("scheduled_jobs")
    op.execute("DROP POLICY campaign_sweep_list ON campaigns")
    for table in ("campaign_dead_letters", "send_lanes", "campaign_recipients", "campaigns"):
        op.drop_table(table)
