"""Connections keep their provider's settings in one sealed configuration (reserved).

Revision ID: 0119
Revises: 0118
Create Date: 2026-12-01
"""

from __future__ import annotations

revision = "0119"
down_revision = "0118"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
