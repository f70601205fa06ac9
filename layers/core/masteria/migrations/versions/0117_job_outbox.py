"""Jobs relayed through the outbox, and expiries of work in hand.

``outbox_jobs``: a queue message written in the caller's transaction, sent after commit by the relay (and
by the sweeper when the relay missed it). A delivery handed to the dispatcher and an import queued or
processing get an expiry the sweeper acts on; the rows in hand when this runs expire at once, so work left
stuck before it is picked up again. The sweeper lists them (ids only, and a delivery's job's relay time)
across companies under ``app.job_sweep``, and reads and marks every company's jobs under ``app.outbox_sweep``.
A job the queue refuses counts its failed tries (``attempts``, ``last_error``) and waits (``claimed_until``,
also the claim of a relay sending it); relayed jobs are purged by ``relayed_at``.

Revision ID: 0117
Revises: 0116
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from masteria.db import JOB_SWEEP_SETTING, OUTBOX_SWEEP_SETTING
from masteria.migrations.columns import TS, company_column, created_column
from masteria.migrations.rls import enable_tenant_rls

revision = "0117"
down_revision = "0116"
branch_labels = None
depends_on = None

SWEEPING = f"current_setting('{OUTBOX_SWEEP_SETTING}', true) = 'on'"
LISTING = f"current_setting('{JOB_SWEEP_SETTING}', true) = 'on'"


def upgrade() -> None:
    op.create_table(
        "outbox_jobs",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        company_column(),
        sa.Column("queue", sa.String(80), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("deliver_at", TS),
        sa.Column("expires_at", TS),
        created_column(),
        sa.Column("relayed_at", TS),
        sa.Column("claimed_until", TS),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.String(300)),
    )
    op.create_index("ix_outbox_jobs_unrelayed", "outbox_jobs", ["id"], postgresql_where=sa.text("relayed_at IS NULL"))
    op.create_index(
        "ix_outbox_jobs_relayed", "outbox_jobs", ["relayed_at"], postgresql_where=sa.text("relayed_at IS NOT NULL")
    )
    op.create_index("ix_outbox_jobs_company_id_id", "outbox_jobs", ["company_id", "id"])
    enable_tenant_rls("outbox_jobs")
    op.execute(f"CREATE POLICY outbox_sweep_read ON outbox_jobs FOR SELECT USING ({SWEEPING})")
    op.execute(f"CREATE POLICY outbox_sweep_mark ON outbox_jobs FOR UPDATE USING ({SWEEPING}) WITH CHECK ({SWEEPING})")
    op.execute(f"CREATE POLICY outbox_sweep_purge ON outbox_jobs FOR DELETE USING ({SWEEPING})")
    op.execute(f"CREATE POLICY job_sweep_list ON outbox_jobs FOR SELECT USING ({LISTING})")

    op.add_column("webhook_deliveries", sa.Column("in_flight_until", TS))
    op.add_column("webhook_deliveries", sa.Column("job_id", sa.BigInteger))
    op.execute("UPDATE webhook_deliveries SET in_flight_until = now() WHERE in_flight IS NOT NULL")
    op.create_index(
        "ix_webhook_deliveries_in_flight",
        "webhook_deliveries",
        ["in_flight_until"],
        postgresql_where=sa.text("in_flight IS NOT NULL"),
    )
    op.create_index(
        "ix_webhook_deliveries_due",
        "webhook_deliveries",
        [sa.text("coalesce(next_attempt_at, created_at)")],
        postgresql_where=sa.text("status = 'pending' AND in_flight IS NULL"),
    )
    op.execute(f"CREATE POLICY job_sweep_list ON webhook_deliveries FOR SELECT USING ({LISTING})")

    op.add_column("contact_imports", sa.Column("attempt", sa.Integer, nullable=False, server_default="0"))
    op.add_column("contact_imports", sa.Column("stalls", sa.Integer, nullable=False, server_default="0"))
    op.add_column("contact_imports", sa.Column("expires_at", TS))
    op.execute("UPDATE contact_imports SET expires_at = now() WHERE status IN ('queued', 'processing')")
    op.create_index(
        "ix_contact_imports_in_hand",
        "contact_imports",
        ["expires_at"],
        postgresql_where=sa.text("status IN ('queued', 'processing')"),
    )
    op.execute(f"CREATE POLICY job_sweep_list ON contact_imports FOR SELECT USING ({LISTING})")


def downgrade() -> None:
    op.execute("DROP POLICY job_sweep_list ON contact_imports")
    op.drop_index("ix_contact_imports_in_hand", table_name="contact_imports")
    op.drop_column("contact_imports", "expires_at")
    op.drop_column("contact_imports", "stalls")
    op.drop_column("contact_imports", "attempt")
    op.execute("DROP POLICY job_sweep_list ON webhook_deliveries")
    op.drop_index("ix_webhook_deliveries_due", table_name="webhook_deliveries")
    op.drop_index("ix_webhook_deliveries_in_flight", table_name="webhook_deliveries")
    op.drop_column("webhook_deliveries", "job_id")
    op.drop_column("webhook_deliveries", "in_flight_until")
    op.drop_table("outbox_jobs")
