"""Consent history: one append-only row per change of a contact's consent on a channel.

Revision ID: 0114
Revises: 0113
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from masteria.contacts.models import CHANNELS, CONSENT_SOURCES, CONSENT_STATUSES
from masteria.migrations.columns import UUID, company_column, created_column
from masteria.migrations.rls import enable_tenant_rls

revision = "0114"
down_revision = "0113"
branch_labels = None
depends_on = None


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def upgrade() -> None:
    op.create_table(
        "consent_events",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        company_column(),
        sa.Column("contact_id", UUID, sa.ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("opt_in_source", sa.String(200)),
        sa.Column("proof", sa.Text),
        sa.Column("reason", sa.String(500)),
        sa.Column("actor_user_id", UUID, sa.ForeignKey("users.id", ondelete="SET NULL")),
        created_column(),
        sa.CheckConstraint(f"channel IN ({_in(CHANNELS)})", name="channel"),
        sa.CheckConstraint(f"status IN ({_in(CONSENT_STATUSES)})", name="status"),
        sa.CheckConstraint(f"source IN ({_in(CONSENT_SOURCES)})", name="source"),
    )
    op.create_index(
        "ix_consent_events_company_id_contact_id_created_at",
        "consent_events",
        ["company_id", "contact_id", "created_at", "id"],
    )
    enable_tenant_rls("consent_events")


def downgrade() -> None:
    op.drop_table("consent_events")
