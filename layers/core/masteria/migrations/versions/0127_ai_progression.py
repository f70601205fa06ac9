"""AI lead progression: stage proposals and the pipelines' AI thresholds (issue 18).

Revision ID: 0127
Revises: 0126
Create Date: 2026-12-02
"""

from __future__ import annotations

revision = "0127"
down_revision = "0126"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
