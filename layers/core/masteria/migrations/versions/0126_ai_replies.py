"""The AI's conversation state, bursts and decision records, stage proposals (issue 18).

Revision ID: 0126
Revises: 0125
Create Date: 2026-12-02
"""

from __future__ import annotations

revision = "0126"
down_revision = "0125"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
