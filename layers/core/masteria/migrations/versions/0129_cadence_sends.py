"""Cadence sends: the send ledger of cadence steps and the lease of each number's cadence sender (issue 19).

Revision ID: 0129
Revises: 0128
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from masteria.cadences.send_models import SEND_STATUSES
from masteria.db import CADENCE_SEND_SWEEP_SETTING
from masteria.migrations.columns import TS, UUID, company_column, created_column
from masteria.migrations.rls import enable_tenant_rls

revision = "0129"
down_revision = "0128"
branch_labels = None
depends_on = None


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def upgrade() -> None:
    op.create_table(
        "cadence_sends",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        company_column(),
        sa.Column("cadence_id", UUID, sa.ForeignKey("cadences.id", ondelete="CASCADE"), nullable=False),
        sa.Column("enrollment_id", UUID, sa.ForeignKey("cadence_enrollments.id", ondelete="CASCADE"), nullable=False),
        sa.Column("step_index", sa.Integer, nullable=False),
        sa.Column("connection_id", UUID, sa.ForeignKey("channel_connections.id", ondelete="SET NULL")),
        sa.Column("contact_id", UUID, sa.ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.SmallInteger, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", TS, nullable=False),
        sa.Column("claimed_until", TS),
        sa.Column("provider_message_id", sa.String(255)),
        sa.Column("error_code", sa.Integer),
        sa.Column("error_reason", sa.String(300)),
        sa.Column("segments", sa.SmallInteger),
        sa.Column("sent_at", TS),
        sa.Column("delivered_at", TS),
        sa.Column("read_at", TS),
        sa.Column("failed_at", TS),
        created_column(),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint(f"status IN ({_in(SEND_STATUSES)})", name="status"),
    )
    op.create_index(
        "uq_cadence_sends_enrollment_id_step_index", "cadence_sends", ["enrollment_id", "step_index"], unique=True
    )
    op.create_index(
        "ix_cadence_sends_connection_id_next_attempt_at_pending", "cadence_sends", ["connection_id", "next_attempt_at"],
        postgresql_where=sa.text("status = 'pending'"),
    )  # fmt: skip
    op.create_index(
        "ix_cadence_sends_sending", "cadence_sends", ["claimed_until"], postgresql_where=sa.text("status = 'sending'")
    )
    op.create_index(
        "ix_cadence_sends_unknown", "cadence_sends", ["updated_at"], postgresql_where=sa.text("status = 'unknown'")
    )
    op.create_index("ix_cadence_sends_cadence_id_step_index", "cadence_sends", ["cadence_id", "step_index"])
    op.create_index(
        "ix_cadence_sends_provider_message_id", "cadence_sends", ["provider_message_id"],
        postgresql_where=sa.text("provider_message_id IS NOT NULL"),
    )  # fmt: skip
    op.create_table(
        "cadence_senders",
        sa.Column("connection_id", UUID, sa.ForeignKey("channel_connections.id", ondelete="CASCADE"), primary_key=True),
        company_column(),
        sa.Column("driver_until", TS),
    )
    for table in ("cadence_sends", "cadence_senders"):
        enable_tenant_rls(table)
    # the sweeper lists the companies and numbers with sends in hand (ids only), then works in each company's own
    # transaction
    op.execute(
        "CREATE POLICY cadence_send_sweep_list ON cadence_sends FOR SELECT"
        f" USING (current_setting('{CADENCE_SEND_SWEEP_SETTING}', true) = 'on')"
    )


def downgrade() -> None:
    op.execute("DROP POLICY cadence_send_sweep_list ON cadence_sends")
    op.drop_table("cadence_senders")
    op.drop_table("cadence_sends")
