"""CSV imports and their rejected rows.

Revision ID: 0103
Revises: 0102
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from masteria.migrations.rls import enable_tenant_rls

revision = "0103"
down_revision = "0102"
branch_labels = None
depends_on = None

UUID = postgresql.UUID(as_uuid=True)
TS = sa.DateTime(timezone=True)
JSONB = postgresql.JSONB


def upgrade() -> None:
    op.create_table(
        "contact_imports",
        sa.Column("id", UUID, primary_key=True, server_default=sa.text("gen_random_uuid()")),
        sa.Column("company_id", UUID, sa.ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_by", UUID),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("object_key", sa.String(300), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="awaiting_upload"),
        sa.Column("encoding", sa.String(20)),
        sa.Column("delimiter", sa.String(1)),
        sa.Column("headers", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("mapping", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("size_bytes", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("total", sa.Integer),
        sa.Column("processed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("inserted", sa.Integer, nullable=False, server_default="0"),
        sa.Column("updated", sa.Integer, nullable=False, server_default="0"),
        sa.Column("rejected", sa.Integer, nullable=False, server_default="0"),
        sa.Column("error", sa.String(500)),
        sa.Column("finished_at", TS),
        sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint(
            "status IN ('awaiting_upload', 'uploaded', 'queued', 'processing', 'completed', 'failed')", name="status"
        ),
    )
    enable_tenant_rls("contact_imports")
    op.create_table(
        "contact_import_rejections",
        sa.Column("import_id", UUID, sa.ForeignKey("contact_imports.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("row_number", sa.Integer, primary_key=True),
        sa.Column("company_id", UUID, sa.ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.Column("record", JSONB, nullable=False),
    )
    enable_tenant_rls("contact_import_rejections")


def downgrade() -> None:
    op.drop_table("contact_import_rejections")
    op.drop_table("contact_imports")
