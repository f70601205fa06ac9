"""Message edits, deletions, reactions, errors, pending statuses and calls (Meta webhook kinds).

- ``messages.edited_at`` / ``deleted_at``: when the contact edited or deleted (revoked) the message;
  ``messages.reactions``: the reactions on it (``[{by, emoji, at}]``, one per sender).
- ``pending_message_updates``: a status, edit, deletion or reaction for a wamid we do not know yet, kept
  until the message appears (a status may come before the send that made it has committed); read by its
  message's wamid only, and cleared per company by age (``company_id, created_at``).
- ``meta_error_reports``: an error Meta reported about a connection's account or app (``value.errors``),
  by its digest: a redelivery of it notifies no one.

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
    op.create_index(
        "ix_pending_message_updates_company_id_created_at", "pending_message_updates", ["company_id", "created_at"]
    )
    enable_tenant_rls("pending_message_updates")
    op.create_table(
        "meta_error_reports",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        company_column(),
        sa.Column("connection_id", UUID, sa.ForeignKey("channel_connections.id", ondelete="CASCADE"), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("reported_at", TS, nullable=False, server_default=sa.func.now()),
        created_column(),
    )
    op.create_index(
        "uq_meta_error_reports_connection_id_digest", "meta_error_reports", ["connection_id", "digest"], unique=True
    )
    enable_tenant_rls("meta_error_reports")


def downgrade() -> None:
    op.drop_table("meta_error_reports")
    op.drop_table("pending_message_updates")
    op.drop_column("messages", "reactions")
    op.drop_column("messages", "deleted_at")
    op.drop_column("messages", "edited_at")
