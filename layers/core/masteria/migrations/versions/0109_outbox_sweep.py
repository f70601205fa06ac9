"""The outbox sweeper's policy: inside a transaction that set ``app.outbox_sweep``, outbox rows of every
company can be read and marked published (and nothing else: other tables keep their tenant policy).

Revision ID: 0109
Revises: 0108
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

from masteria.db import OUTBOX_SWEEP_SETTING

revision = "0109"
down_revision = "0108"
branch_labels = None
depends_on = None


SWEEPING = f"current_setting('{OUTBOX_SWEEP_SETTING}', true) = 'on'"


def upgrade() -> None:
    op.execute(f"CREATE POLICY outbox_sweep_read ON outbox_events FOR SELECT USING ({SWEEPING})")
    op.execute(
        f"CREATE POLICY outbox_sweep_mark ON outbox_events FOR UPDATE USING ({SWEEPING}) WITH CHECK ({SWEEPING})"
    )


def downgrade() -> None:
    op.execute("DROP POLICY outbox_sweep_mark ON outbox_events")
    op.execute("DROP POLICY outbox_sweep_read ON outbox_events")
