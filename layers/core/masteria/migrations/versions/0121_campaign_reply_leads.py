"""Campaigns may open a lead for a contact who replies (reserved).

Revision ID: 0121
Revises: 0120
Create Date: 2026-12-01
"""

from __future__ import annotations

revision = "0121"
down_revision = "0120"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
