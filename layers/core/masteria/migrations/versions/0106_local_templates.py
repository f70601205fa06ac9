"""Local message templates.

Revision ID: 0106
Revises: 0105
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from masteria.migrations.columns import TS, company_column, created_column, id_column
from masteria.migrations.rls import enable_tenant_rls

revision = "0106"
down_revision = "0105"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "local_templates",
        id_column(),
        company_column(),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("defaults", postgresql.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("header_media_type", sa.String(10)),
        sa.Column("header_media_url", sa.String(2048)),
        created_column(),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("header_media_type IN ('image', 'video', 'document')", name="header_media_type"),
    )
    op.create_index(
        "uq_local_templates_company_id_name", "local_templates", ["company_id", sa.text("lower(name)")], unique=True
    )
    enable_tenant_rls("local_templates")


def downgrade() -> None:
    op.drop_table("local_templates")
