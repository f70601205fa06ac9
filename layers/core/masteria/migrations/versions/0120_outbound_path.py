"""The one outbound path: a campaign on an SMS connection sends a local text template, and each recipient's
SMS segments are counted.

Revision ID: 0120
Revises: 0119
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from masteria.migrations.columns import UUID

revision = "0120"
down_revision = "0119"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("campaigns", sa.Column("local_template_id", UUID))
    op.create_foreign_key(
        "fk_campaigns_local_template_id_local_templates",
        "campaigns",
        "local_templates",
        ["local_template_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.add_column("campaign_recipients", sa.Column("segments", sa.SmallInteger))


def downgrade() -> None:
    op.drop_column("campaign_recipients", "segments")
    op.drop_constraint("fk_campaigns_local_template_id_local_templates", "campaigns", type_="foreignkey")
    op.drop_column("campaigns", "local_template_id")
