"""Conversations, messages, internal notes and dead-lettered webhook bodies.

Revision ID: 0111
Revises: 0110
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from masteria.migrations.columns import TS, UUID, company_column, created_column, id_column
from masteria.migrations.rls import enable_tenant_rls

revision = "0111"
down_revision = "0110"
branch_labels = None
depends_on = None


def _fk(column: str, table: str, *, nullable: bool = False, ondelete: str = "CASCADE") -> sa.Column[object]:
    return sa.Column(column, UUID, sa.ForeignKey(f"{table}.id", ondelete=ondelete), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "conversations",
        id_column(),
        company_column(),
        _fk("connection_id", "channel_connections"),
        _fk("contact_id", "contacts"),
        sa.Column("channel", sa.String(16), nullable=False, server_default="whatsapp"),
        sa.Column("status", sa.String(16), nullable=False, server_default="open"),
        _fk("assignee_id", "users", nullable=True, ondelete="SET NULL"),
        sa.Column("last_message_at", TS),
        sa.Column("last_inbound_at", TS),
        sa.Column("window_expires_at", TS),
        sa.Column("unread_count", sa.Integer, nullable=False, server_default="0"),
        created_column(),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("status IN ('open', 'pending', 'closed')", name="status"),
    )
    op.create_index(
        "uq_conversations_connection_id_contact_id", "conversations", ["connection_id", "contact_id"], unique=True
    )
    op.create_index(
        "ix_conversations_company_id_last_message_at", "conversations", ["company_id", "last_message_at", "id"]
    )
    op.create_table(
        "messages",
        id_column(),
        company_column(),
        _fk("connection_id", "channel_connections"),
        _fk("conversation_id", "conversations"),
        _fk("contact_id", "contacts"),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column("wamid", sa.String(255), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("text", sa.Text),
        sa.Column("content", postgresql.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("reply_to_wamid", sa.String(255)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_at", TS),
        sa.Column("errors", postgresql.JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("pricing", postgresql.JSONB),
        sa.Column("sent_at", TS, nullable=False),
        created_column(),
        sa.CheckConstraint("direction IN ('in', 'out')", name="direction"),
    )
    op.create_index("uq_messages_connection_id_wamid", "messages", ["connection_id", "wamid"], unique=True)
    op.create_index("ix_messages_conversation_id_sent_at", "messages", ["conversation_id", "sent_at", "id"])
    op.create_table(
        "inbound_dead_letters",
        id_column(),
        company_column(),
        sa.Column("connection_id", UUID),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("error", sa.String(500), nullable=False),
        created_column(),
    )
    op.create_table(
        "conversation_notes",
        id_column(),
        company_column(),
        _fk("conversation_id", "conversations"),
        _fk("author_id", "users", nullable=True, ondelete="SET NULL"),
        sa.Column("body", sa.Text, nullable=False),
        created_column(),
    )
    op.create_index(
        "ix_conversation_notes_conversation_id_created_at", "conversation_notes", ["conversation_id", "created_at"]
    )
    for table in ("conversations", "messages", "inbound_dead_letters", "conversation_notes"):
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in ("conversation_notes", "inbound_dead_letters", "messages", "conversations"):
        op.drop_table(table)
