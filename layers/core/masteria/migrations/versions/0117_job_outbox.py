"""Jobs relayed through the outbox, and expiries of work in hand.

Revision ID: 0117
Revises: 0116
Create Date: 2026-12-01
"""

from __future__ import annotations

revision = "0117"
down_revision = "0116"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
