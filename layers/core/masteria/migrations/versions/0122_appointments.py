"""Appointments of leads and their reminders; a notification may be for one user (an appointment's reminder
goes to its attendee).

Revision ID: 0122
Revises: 0121
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from masteria.appointments.models import LINK_MAX_LENGTH, MAX_REMINDER_MINUTES, STATUSES
from masteria.migrations.columns import TS, UUID, company_column, created_column, id_column
from masteria.migrations.rls import enable_tenant_rls

revision = "0122"
down_revision = "0121"
branch_labels = None
depends_on = None


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def upgrade() -> None:
    op.create_table(
        "appointments",
        id_column(),
        company_column(),
        sa.Column("lead_id", UUID, sa.ForeignKey("leads.id", ondelete="CASCADE"), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("starts_at", TS, nullable=False),
        sa.Column("ends_at", TS, nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("location", sa.String(300)),
        sa.Column("link", sa.String(LINK_MAX_LENGTH)),
        sa.Column("attendee_id", UUID, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("status", sa.String(16), nullable=False, server_default="scheduled"),
        sa.Column("reminder_minutes", sa.Integer),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("reminded_version", sa.Integer),
        sa.Column("created_by", UUID, sa.ForeignKey("users.id", ondelete="SET NULL")),
        created_column(),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint(f"status IN ({_in(STATUSES)})", name="status"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint(f"reminder_minutes BETWEEN 0 AND {MAX_REMINDER_MINUTES}", name="reminder_minutes"),
    )
    op.create_index("ix_appointments_lead_id_starts_at", "appointments", ["lead_id", "starts_at"])
    op.create_index("ix_appointments_attendee_id_starts_at", "appointments", ["attendee_id", "starts_at"])
    enable_tenant_rls("appointments")
    # NULL: for every user of the company (as every notification was)
    op.add_column("notifications", sa.Column("user_id", UUID, sa.ForeignKey("users.id", ondelete="CASCADE")))


def downgrade() -> None:
    op.drop_column("notifications", "user_id")
    op.drop_table("appointments")
