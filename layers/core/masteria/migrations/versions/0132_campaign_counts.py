"""A campaign's progress from counts kept as its ledger changes, not a count over the whole ledger on every read
(issue 20). Every statement that inserts, updates or deletes recipients appends its net change per status (and
failure reason) to ``campaign_counts``: appends only, so concurrent writers (the sender, status webhooks) never
wait on one another; a read sums the campaign's rows, and the sweeper folds them into one row per status.

Revision ID: 0132
Revises: 0131
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from masteria.migrations.columns import UUID, company_column
from masteria.migrations.rls import enable_tenant_rls
from masteria.migrations.triggers import create_statement_triggers, drop_statement_triggers

revision = "0132"
down_revision = "0131"
branch_labels = None
depends_on = None

# One row's contribution to the counts: its status, its failure reason, one, its billed segments, its reply.
_ROW = (
    "{t}.company_id, {t}.campaign_id, {t}.status,"
    " CASE WHEN {t}.status = 'failed' THEN coalesce(CAST({t}.error_code AS text), {t}.error_reason, 'unknown') END,"
    " {sign} 1, {sign} CASE WHEN {t}.status IN ('sent', 'delivered', 'read') THEN coalesce({t}.segments, 0) ELSE 0"
    " END, {sign} CASE WHEN {t}.replied_at IS NOT NULL THEN 1 ELSE 0 END"
)
_NEW = "SELECT " + _ROW.format(t="n", sign="+") + " FROM new_rows n"
_OLD = "SELECT " + _ROW.format(t="o", sign="-") + " FROM old_rows o"
_SUMS = (
    "INSERT INTO campaign_counts (company_id, campaign_id, status, reason, n, segments, replied)"
    " SELECT d.company_id, d.campaign_id, d.status, d.reason, sum(d.n), sum(d.segments), sum(d.replied)"
    " FROM ({rows}) AS d(company_id, campaign_id, status, reason, n, segments, replied)"
)

FUNCTION = f"""
CREATE FUNCTION campaign_recipients_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_SUMS.format(rows=_NEW)} GROUP BY 1, 2, 3, 4;
    ELSIF TG_OP = 'DELETE' THEN
        -- a campaign deleted with its ledger (the cascade) leaves nothing to count
        {_SUMS.format(rows=_OLD)} WHERE EXISTS (SELECT 1 FROM campaigns c WHERE c.id = d.campaign_id)
        GROUP BY 1, 2, 3, 4;
    ELSE
        {_SUMS.format(rows=_NEW + " UNION ALL " + _OLD)} GROUP BY 1, 2, 3, 4
        HAVING sum(d.n) <> 0 OR sum(d.segments) <> 0 OR sum(d.replied) <> 0;
    END IF;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.create_table(
        "campaign_counts",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        company_column(),
        sa.Column("campaign_id", UUID, sa.ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(300)),
        sa.Column("n", sa.BigInteger, nullable=False),
        sa.Column("segments", sa.BigInteger, nullable=False),
        sa.Column("replied", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_campaign_counts_campaign_id", "campaign_counts", ["campaign_id"])
    # the campaigns there are: their counts once, from their ledgers (read as their owner, every company's)
    op.execute("ALTER TABLE campaign_recipients NO FORCE ROW LEVEL SECURITY")
    op.execute(_SUMS.format(rows=_NEW.replace("new_rows", "campaign_recipients")) + " GROUP BY 1, 2, 3, 4")
    op.execute("ALTER TABLE campaign_recipients FORCE ROW LEVEL SECURITY")
    enable_tenant_rls("campaign_counts")
    op.execute(FUNCTION)
    create_statement_triggers("campaign_recipients", "campaign_recipients_count")


def downgrade() -> None:
    drop_statement_triggers("campaign_recipients", "campaign_recipients_count")
    op.execute("DROP FUNCTION campaign_recipients_count()")
    op.drop_table("campaign_counts")
