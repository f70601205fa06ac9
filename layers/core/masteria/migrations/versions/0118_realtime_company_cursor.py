"""A per-company realtime cursor.

Revision ID: 0118
Revises: 0117
Create Date: 2026-12-01
"""

from __future__ import annotations

revision = "0118"
down_revision = "0117"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
