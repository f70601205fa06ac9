"""The bulk ledgers tell a claimed row whose request had started (``posted_at``, written once per batch before its
requests) from one claimed but never posted: after a worker dies, only the first may have gone out (issue 20).

Revision ID: 0131
Revises: 0130
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0131"
down_revision = "0130"
branch_labels = None
depends_on = None

TABLES = ("campaign_recipients", "cadence_sends")


def upgrade() -> None:
    for table in TABLES:  # nullable, no default: no rewrite of the ledgers
        op.add_column(table, sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        op.drop_column(table, "posted_at")
