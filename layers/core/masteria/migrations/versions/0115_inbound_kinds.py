"""Message edits, deletions, reactions, errors, pending statuses and calls (Meta webhook kinds).

Revision ID: 0115
Revises: 0114
Create Date: 2026-12-01
"""

from __future__ import annotations

revision = "0115"
down_revision = "0114"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
