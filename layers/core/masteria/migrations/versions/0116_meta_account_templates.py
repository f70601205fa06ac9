"""Template status/category history, account events and connection restrictions (Meta webhook kinds).

Revision ID: 0116
Revises: 0115
Create Date: 2026-12-01
"""

from __future__ import annotations

revision = "0116"
down_revision = "0115"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
