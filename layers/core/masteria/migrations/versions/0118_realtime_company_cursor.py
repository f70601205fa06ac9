"""A per-company realtime cursor: each company's events are numbered 1, 2, 3… in the order they are
published, so a cursor tells a company nothing about other companies' event volume.

Revision ID: 0118
Revises: 0117
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from masteria.db import OUTBOX_SWEEP_SETTING
from masteria.migrations.columns import UUID
from masteria.migrations.rls import enable_tenant_rls

revision = "0118"
down_revision = "0117"
branch_labels = None
depends_on = None

SWEEPING = f"current_setting('{OUTBOX_SWEEP_SETTING}', true) = 'on'"


def upgrade() -> None:
    op.create_table(
        "event_sequences",
        # no foreign key: an event of a company being deleted must still be numbered and published
        sa.Column("company_id", UUID, primary_key=True),
        sa.Column("last", sa.BigInteger, nullable=False),
    )
    enable_tenant_rls("event_sequences")
    op.execute(f"CREATE POLICY outbox_sweep_numbers ON event_sequences USING ({SWEEPING}) WITH CHECK ({SWEEPING})")
    op.add_column("outbox_events", sa.Column("company_sequence", sa.BigInteger))
    # Today's events keep their order, numbered per company.
    op.execute(
        "UPDATE outbox_events o SET company_sequence = n.number FROM "
        "(SELECT id, row_number() OVER (PARTITION BY company_id ORDER BY id) AS number FROM outbox_events) n "
        "WHERE o.id = n.id"
    )
    op.execute(
        "INSERT INTO event_sequences (company_id, last) "
        "SELECT company_id, max(company_sequence) FROM outbox_events GROUP BY company_id"
    )
    op.create_index(
        "ix_outbox_events_company_id_company_sequence",
        "outbox_events",
        ["company_id", "company_sequence"],
        unique=True,
        postgresql_where=sa.text("company_sequence IS NOT NULL"),
    )
    op.create_index(
        "ix_outbox_events_unnumbered", "outbox_events", ["id"], postgresql_where=sa.text("company_sequence IS NULL")
    )
    # the relay's: a company's events to publish, in their numbers' order
    op.create_index(
        "ix_outbox_events_company_id_unpublished",
        "outbox_events",
        ["company_id", "company_sequence"],
        postgresql_where=sa.text("published_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_events_company_id_unpublished", "outbox_events")
    op.drop_index("ix_outbox_events_unnumbered", "outbox_events")
    op.drop_index("ix_outbox_events_company_id_company_sequence", "outbox_events")
    op.drop_column("outbox_events", "company_sequence")
    op.drop_table("event_sequences")
