"""Appointments of leads and their reminders (reserved).

Revision ID: 0123
Revises: 0122
Create Date: 2026-12-01
"""

from __future__ import annotations

revision = "0123"
down_revision = "0122"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
