"""Channel connections (secrets sealed per company), and WhatsApp templates mirrored from Meta.

Revision ID: 0108
Revises: 0107
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from masteria.migrations.columns import TS, UUID, company_column, created_column, id_column
from masteria.migrations.rls import enable_tenant_rls

revision = "0108"
down_revision = "0107"
branch_labels = None
depends_on = None

# the sealed columns of this revision (0119 moves them into one sealed ``config``)
SECRET_COLUMNS = ("phone_number_id", "waba_id", "access_token", "app_secret", "verify_token")


def upgrade() -> None:
    op.create_table(
        "company_keys",
        sa.Column("company_id", UUID, sa.ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("wrapped_key", sa.LargeBinary, nullable=False),
        created_column(),
    )
    enable_tenant_rls("company_keys")
    op.create_table(
        "channel_connections",
        id_column(),
        company_column(),
        sa.Column("provider", sa.String(16), nullable=False, server_default="meta_cloud"),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="active"),
        sa.Column("webhook_key", sa.String(64), nullable=False),
        *(sa.Column(column, sa.LargeBinary, nullable=False) for column in SECRET_COLUMNS),
        sa.Column("display_phone_number", sa.String(32)),
        sa.Column("verified_name", sa.String(200)),
        sa.Column("quality_rating", sa.String(16)),
        sa.Column("throughput_level", sa.String(32)),
        sa.Column("messaging_limit", sa.String(32)),
        sa.Column("token_expires_at", TS),
        sa.Column("last_checked_at", TS),
        sa.Column("last_error", sa.String(500)),
        created_column(),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("provider IN ('meta_cloud')", name="provider"),
        sa.CheckConstraint("status IN ('active', 'failing')", name="status"),
    )
    op.create_index("uq_channel_connections_webhook_key", "channel_connections", ["webhook_key"], unique=True)
    op.create_index(
        "uq_channel_connections_company_id_name",
        "channel_connections",
        ["company_id", sa.text("lower(name)")],
        unique=True,
    )
    enable_tenant_rls("channel_connections")
    op.create_table(
        "whatsapp_templates",
        id_column(),
        company_column(),
        sa.Column("connection_id", UUID, sa.ForeignKey("channel_connections.id", ondelete="CASCADE"), nullable=False),
        sa.Column("meta_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(512), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("quality", sa.String(16)),
        sa.Column("rejected_reason", sa.String(200)),
        sa.Column("parameter_format", sa.String(16), nullable=False, server_default="POSITIONAL"),
        sa.Column("components", postgresql.JSONB, nullable=False),
        sa.Column("parameters", postgresql.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("defaults", postgresql.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("synced_at", TS, nullable=False, server_default=sa.func.now()),
        created_column(),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
    )
    op.create_index(
        "uq_whatsapp_templates_connection_id_meta_id", "whatsapp_templates", ["connection_id", "meta_id"], unique=True
    )
    op.create_index("ix_whatsapp_templates_company_id_name", "whatsapp_templates", ["company_id", "name", "language"])
    enable_tenant_rls("whatsapp_templates")


def downgrade() -> None:
    op.drop_table("whatsapp_templates")
    op.drop_table("channel_connections")
    op.drop_table("company_keys")
