"""Message edits, deletions, reactions, errors, pending statuses and calls (Meta webhook kinds).

- ``messages.edited_at`` / ``deleted_at``: when the contact edited or deleted (revoked) the message;
  ``messages.reactions``: the reactions on it (``[{by, emoji, at}]``, one per sender).
- ``pending_message_updates``: a status, edit, deletion or reaction for a wamid we do not know yet, kept
  until the message appears (a status may come before the send that made it has committed).

Revision ID: 0115
Revises: 0114
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from masteria.migrations.columns import TS, UUID, company_column, created_column
from masteria.migrations.rls import enable_tenant_rls

revision = "0115"
down_revision = "0114"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("messages", sa.Column("edited_at", TS))
    op.add_column("messages", sa.Column("deleted_at", TS))
    op.add_column(
        "messages",
        sa.Column("reactions", postgresql.JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
    )
    op.create_table(
        "pending_message_updates",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        company_column(),
        sa.Column("connection_id", UUID, sa.ForeignKey("channel_connections.id", ondelete="CASCADE"), nullable=False),
        sa.Column("wamid", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("body", postgresql.JSONB, nullable=False),
        created_column(),
        sa.CheckConstraint("kind IN ('status', 'edit', 'revoke', 'reaction')", name="kind"),
    )
    op.create_index(
        "ix_pending_message_updates_connection_id_wamid", "pending_message_updates", ["connection_id", "wamid"]
    )
    op.create_index("ix_pending_message_updates_created_at", "pending_message_updates", ["created_at"])
    enable_tenant_rls("pending_message_updates")


def downgrade() -> None:
    op.drop_table("pending_message_updates")
    op.drop_column("messages", "reactions")
    op.drop_column("messages", "deleted_at")
    op.drop_column("messages", "edited_at")
