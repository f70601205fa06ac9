"""Campaigns may open a lead for a contact who replies: the pipeline, optionally its stage (default: the
pipeline's first open stage) and the lead's owner.

It refers to the pipelines and stages 0121 creates.

Revision ID: 0123
Revises: 0122
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from masteria.migrations.columns import UUID

revision = "0123"
down_revision = "0122"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("reply_lead_pipeline_id", "pipelines"),
    ("reply_lead_stage_id", "pipeline_stages"),
    ("reply_lead_owner_id", "users"),
)


def upgrade() -> None:
    for column, table in _COLUMNS:
        op.add_column("campaigns", sa.Column(column, UUID))
        name = f"fk_campaigns_{column}_{table}"
        op.create_foreign_key(name, "campaigns", table, [column], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    for column, table in reversed(_COLUMNS):
        op.drop_constraint(f"fk_campaigns_{column}_{table}", "campaigns", type_="foreignkey")
        op.drop_column("campaigns", column)
