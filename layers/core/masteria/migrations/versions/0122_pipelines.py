"""Pipelines, stages, leads and their history (reserved).

Revision ID: 0122
Revises: 0121
Create Date: 2026-12-01
"""

from __future__ import annotations

revision = "0122"
down_revision = "0121"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
