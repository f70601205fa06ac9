"""Contacts, custom field definitions, tags, consent.

Revision ID: 0101
Revises: 0002
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

revision = "0101"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contacts",
        _id(),
        _company(),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200)),
        sa.Column("email", sa.String(320)),
        sa.Column("language", sa.String(16)),
        sa.Column("notes", sa.Text),
        sa.Column("custom_fields", postgresql.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("is_valid", sa.Boolean, nullable=False, server_default=sa.text("true")),
        sa.Column("last_inbound_at", TS),
        _created(),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
    )
    op.create_index("uq_contacts_company_id_phone", "contacts", ["company_id", "phone"], unique=True)
    op.create_index("ix_contacts_company_id_created_at", "contacts", ["company_id", "created_at", "id"])
    for column in ("name", "email", "phone"):
        op.create_index(
            f"ix_contacts_{column}_trgm",
            "contacts",
            [column],
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
        )
    enable_tenant_rls("contacts")

    op.create_table(
        "custom_field_definitions",
        _id(),
        _company(),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("options", postgresql.JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        _created(),
        sa.CheckConstraint("type IN ('text', 'number', 'date', 'boolean', 'select')", name="type"),
    )
    op.create_index(
        "uq_custom_field_definitions_company_id_key", "custom_field_definitions", ["company_id", "key"], unique=True
    )
    enable_tenant_rls("custom_field_definitions")

    op.create_table(
        "tags",
        _id(),
        _company(),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("color", sa.String(7), nullable=False, server_default="#64748b"),
        _created(),
    )
    op.create_index("uq_tags_company_id_name", "tags", ["company_id", sa.text("lower(name)")], unique=True)
    enable_tenant_rls("tags")

    op.create_table(
        "contact_tags",
        sa.Column("contact_id", UUID, sa.ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("tag_id", UUID, sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
        _company(),
        _created(),
    )
    op.create_index("ix_contact_tags_tag_id", "contact_tags", ["tag_id"])
    enable_tenant_rls("contact_tags")

    op.create_table(
        "contact_consents",
        sa.Column("contact_id", UUID, sa.ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("channel", sa.String(16), primary_key=True),
        _company(),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("opted_in_at", TS),
        sa.Column("opt_in_source", sa.String(200)),
        sa.Column("opt_in_proof", sa.Text),
        sa.Column("opted_out_at", TS),
        sa.Column("opt_out_reason", sa.String(500)),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("channel IN ('whatsapp', 'sms')", name="channel"),
        sa.CheckConstraint("status IN ('opted_in', 'opted_out')", name="status"),
    )
    enable_tenant_rls("contact_consents")


def downgrade() -> None:
    for table in ("contact_consents", "contact_tags", "tags", "custom_field_definitions", "contacts"):
        op.drop_table(table)
