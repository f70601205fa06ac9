"""WhatsApp templates mirrored from Meta, with their parameter mapping.

Revision ID: 0108
Revises: 0107
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from masteria.migrations.columns import TS, company_column, created_column, id_column
from masteria.migrations.rls import enable_tenant_rls

revision = "0108"
down_revision = "0107"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "whatsapp_templates",
        id_column(),
        company_column(),
        sa.Column("waba_id", sa.String(64), nullable=False),
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
        "uq_whatsapp_templates_company_id_waba_id_meta_id",
        "whatsapp_templates",
        ["company_id", "waba_id", "meta_id"],
        unique=True,
    )
    op.create_index("ix_whatsapp_templates_company_id_name", "whatsapp_templates", ["company_id", "name", "language"])
    enable_tenant_rls("whatsapp_templates")


def downgrade() -> None:
    op.drop_table("whatsapp_templates")
