"""Static lists, segments (saved filters), and the audit log.

Revision ID: 0102
Revises: 0101
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from masteria.migrations.columns import TS, UUID
from masteria.migrations.columns import company_column as _company
from masteria.migrations.columns import created_column as _created
from masteria.migrations.columns import id_column as _id
from masteria.migrations.rls import enable_tenant_rls

revision = "0102"
down_revision = "0101"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_lists",
        _id(),
        _company(),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("description", sa.String(500)),
        _created(),
    )
    op.create_index(
        "uq_contact_lists_company_id_name", "contact_lists", ["company_id", sa.text("lower(name)")], unique=True
    )
    enable_tenant_rls("contact_lists")

    op.create_table(
        "contact_list_members",
        sa.Column("list_id", UUID, sa.ForeignKey("contact_lists.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("contact_id", UUID, sa.ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
        _company(),
        _created(),
    )
    op.create_index("ix_contact_list_members_contact_id", "contact_list_members", ["contact_id"])
    enable_tenant_rls("contact_list_members")

    op.create_table(
        "segments",
        _id(),
        _company(),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("filter", postgresql.JSONB, nullable=False),
        _created(),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
    )
    op.create_index("uq_segments_company_id_name", "segments", ["company_id", sa.text("lower(name)")], unique=True)
    enable_tenant_rls("segments")

    op.create_table(
        "audit_log",
        _id(),
        _company(),
        sa.Column("actor_user_id", UUID),
        sa.Column("action", sa.String(80), nullable=False),
        sa.Column("target_type", sa.String(40)),
        sa.Column("target_id", UUID),
        sa.Column("count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("details", postgresql.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        _created(),
    )
    op.create_index("ix_audit_log_company_id_created_at", "audit_log", ["company_id", "created_at", "id"])
    enable_tenant_rls("audit_log")


def downgrade() -> None:
    for table in ("audit_log", "segments", "contact_list_members", "contact_lists"):
        op.drop_table(table)
