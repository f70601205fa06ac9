"""The one outbound path (reserved).

Revision ID: 0120
Revises: 0119
Create Date: 2026-12-01
"""

from __future__ import annotations

revision = "0120"
down_revision = "0119"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
