"""Outgoing webhooks (endpoints, messages, deliveries, the attempt log) and in-app notifications.

Revision ID: 0110
Revises: 0109
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from masteria.migrations.columns import TS, UUID, company_column, created_column, id_column
from masteria.migrations.rls import enable_tenant_rls

revision = "0110"
down_revision = "0109"
branch_labels = None
depends_on = None

JSONB_EMPTY = sa.text("'{}'::jsonb")


def upgrade() -> None:
    op.create_table(
        "webhook_endpoints",
        id_column(),
        company_column(),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("description", sa.String(500)),
        sa.Column("event_types", postgresql.JSONB, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.text("true")),
        sa.Column("disabled_reason", sa.String(300)),
        sa.Column("secret", sa.LargeBinary, nullable=False),
        sa.Column("previous_secret", sa.LargeBinary),
        sa.Column("previous_secret_expires_at", TS),
        sa.Column("failing_since", TS),
        created_column(),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_webhook_endpoints_company_id", "webhook_endpoints", ["company_id"])
    op.create_table(
        "webhook_messages",
        id_column(),
        company_column(),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("event_type", sa.String(80), nullable=False),
        sa.Column("body", sa.String, nullable=False),
        created_column(),
    )
    op.create_index(
        "uq_webhook_messages_company_id_message_id", "webhook_messages", ["company_id", "message_id"], unique=True
    )
    op.create_table(
        "webhook_deliveries",
        id_column(),
        company_column(),
        sa.Column("endpoint_id", UUID, sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), nullable=False),
        sa.Column("message_id", UUID, sa.ForeignKey("webhook_messages.id", ondelete="CASCADE"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("in_flight", sa.Integer),
        sa.Column("next_attempt_at", TS),
        sa.Column("last_error", sa.String(300)),
        created_column(),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("status IN ('pending', 'succeeded', 'failed')", name="status"),
    )
    op.create_index(
        "ix_webhook_deliveries_endpoint_id_created_at", "webhook_deliveries", ["endpoint_id", "created_at", "id"]
    )
    op.create_table(
        "webhook_attempts",
        id_column(),
        company_column(),
        sa.Column("endpoint_id", UUID, sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), nullable=False),
        sa.Column("delivery_id", UUID, sa.ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("attempted_at", TS, nullable=False),
        sa.Column("status_code", sa.Integer),
        sa.Column("latency_ms", sa.Integer, nullable=False),
        sa.Column("response", sa.String(2048)),
        sa.Column("error", sa.String(300)),
        sa.Column("details", postgresql.JSONB, nullable=False, server_default=JSONB_EMPTY),
    )
    op.create_index(
        "ix_webhook_attempts_endpoint_id_attempted_at", "webhook_attempts", ["endpoint_id", "attempted_at", "id"]
    )
    op.create_table(
        "notifications",
        id_column(),
        company_column(),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.String(1000), nullable=False),
        sa.Column("data", postgresql.JSONB, nullable=False, server_default=JSONB_EMPTY),
        sa.Column("read_at", TS),
        created_column(),
    )
    op.create_index("ix_notifications_company_id_created_at", "notifications", ["company_id", "created_at", "id"])
    for table in ("webhook_endpoints", "webhook_messages", "webhook_deliveries", "webhook_attempts", "notifications"):
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in ("notifications", "webhook_attempts", "webhook_deliveries", "webhook_messages", "webhook_endpoints"):
        op.drop_table(table)
