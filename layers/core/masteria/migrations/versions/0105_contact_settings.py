"""Per-company opt-out and opt-in keywords.

Revision ID: 0105
Revises: 0104
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from masteria.migrations.columns import TS, UUID
from masteria.migrations.rls import enable_tenant_rls

revision = "0105"
down_revision = "0104"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_settings",
        sa.Column("company_id", UUID, sa.ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("stop_keywords", postgresql.JSONB, nullable=False),
        sa.Column("opt_in_keywords", postgresql.JSONB, nullable=False),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
    )
    enable_tenant_rls("contact_settings")


def downgrade() -> None:
    op.drop_table("contact_settings")
