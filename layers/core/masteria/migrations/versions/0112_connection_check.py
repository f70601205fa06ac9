"""The scheduled token check's policy: inside a transaction that set ``app.connection_check``, every
company's connection rows can be listed (read only; the check itself runs in each company's transaction).

Revision ID: 0112
Revises: 0111
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

from masteria.db import CONNECTION_CHECK_SETTING

revision = "0112"
down_revision = "0111"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "CREATE POLICY connection_check_list ON channel_connections FOR SELECT"
        f" USING (current_setting('{CONNECTION_CHECK_SETTING}', true) = 'on')"
    )


def downgrade() -> None:
    op.execute("DROP POLICY connection_check_list ON channel_connections")
