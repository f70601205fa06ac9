"""AI lead progression: stage proposals and the pipelines' AI thresholds (issue 18).

Revision ID: 0127
Revises: 0126
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from masteria.ai.progression_models import CONFIDENCE_PRECISION, CONFIDENCE_SCALE, PENDING, PROPOSAL_STATUSES
from masteria.migrations.columns import TS, UUID, company_column, created_column, id_column
from masteria.migrations.rls import enable_tenant_rls
from masteria.pipelines.models import (
    AI_AUTO_APPLY_DEFAULT,
    AI_BACKWARD_DEFAULT,
    THRESHOLD_PRECISION,
    THRESHOLD_SCALE,
)

revision = "0127"
down_revision = "0126"
branch_labels = None
depends_on = None


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _threshold(name: str, default: str) -> sa.Column[object]:
    return sa.Column(name, sa.Numeric(THRESHOLD_PRECISION, THRESHOLD_SCALE), nullable=False, server_default=default)


def upgrade() -> None:
    op.add_column("pipelines", _threshold("ai_auto_apply_threshold", AI_AUTO_APPLY_DEFAULT))
    op.add_column("pipelines", _threshold("ai_backward_threshold", AI_BACKWARD_DEFAULT))
    op.add_column("pipelines", sa.Column("ai_may_close", sa.Boolean, nullable=False, server_default=sa.text("false")))
    op.create_check_constraint("ai_auto_apply_threshold", "pipelines", "ai_auto_apply_threshold BETWEEN 0 AND 1")
    op.create_check_constraint(
        "ai_backward_threshold", "pipelines",
        "ai_backward_threshold BETWEEN 0 AND 1 AND ai_backward_threshold >= ai_auto_apply_threshold",
    )  # fmt: skip
    op.create_table(
        "ai_stage_proposals",
        id_column(),
        company_column(),
        sa.Column("lead_id", UUID, sa.ForeignKey("leads.id", ondelete="CASCADE"), nullable=False),
        sa.Column("pipeline_id", UUID, sa.ForeignKey("pipelines.id", ondelete="CASCADE"), nullable=False),
        sa.Column("from_stage_id", UUID, nullable=False),
        sa.Column("to_stage_id", UUID, nullable=False),
        sa.Column("confidence", sa.Numeric(CONFIDENCE_PRECISION, CONFIDENCE_SCALE), nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("agreed_time", TS),
        sa.Column("persona_id", UUID, sa.ForeignKey("personas.id", ondelete="SET NULL")),
        sa.Column("persona_version", sa.Integer),
        sa.Column("model", sa.String(120)),
        sa.Column("conversation_id", UUID, sa.ForeignKey("conversations.id", ondelete="SET NULL")),
        sa.Column("decision_id", sa.BigInteger, sa.ForeignKey("ai_decisions.id", ondelete="SET NULL")),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("decided_by", UUID, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("decided_at", TS),
        sa.Column("decision_reason", sa.String(500)),
        created_column(),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint(f"status IN ({_in(PROPOSAL_STATUSES)})", name="status"),
        sa.CheckConstraint("confidence BETWEEN 0 AND 1", name="confidence"),
    )
    op.create_index(
        "uq_ai_stage_proposals_lead_id_pending", "ai_stage_proposals", ["lead_id"], unique=True,
        postgresql_where=sa.text(PENDING),
    )  # fmt: skip
    op.create_index(
        "ix_ai_stage_proposals_pipeline_id_created_at_pending", "ai_stage_proposals", ["pipeline_id", "created_at"],
        postgresql_where=sa.text(PENDING),
    )  # fmt: skip
    op.create_index("ix_ai_stage_proposals_lead_id_created_at", "ai_stage_proposals", ["lead_id", "created_at"])
    enable_tenant_rls("ai_stage_proposals")


def downgrade() -> None:
    op.drop_table("ai_stage_proposals")
    op.drop_constraint("ai_backward_threshold", "pipelines", type_="check")
    op.drop_constraint("ai_auto_apply_threshold", "pipelines", type_="check")
    for column in ("ai_may_close", "ai_backward_threshold", "ai_auto_apply_threshold"):
        op.drop_column("pipelines", column)
