"""AI settings per company (the model endpoint, its sealed key, a monthly budget), personas with append-only
versions, one usage row per model call and the AI's append-only decision records (issue 18).

Revision ID: 0124
Revises: 0123
Create Date: 2026-12-02
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from masteria.ai.models import (
    BUDGET_PRECISION,
    BUDGET_SCALE,
    COST_PRECISION,
    COST_SCALE,
    DECISION_KINDS,
    LANGUAGES,
    TOOLS,
    USAGE_PURPOSES,
)
from masteria.migrations.columns import TS, UUID, company_column, created_column, id_column
from masteria.migrations.rls import enable_tenant_rls

revision = "0124"
down_revision = "0123"
branch_labels = None
depends_on = None

TABLES = ("ai_settings", "personas", "persona_versions", "ai_usage", "ai_decisions")


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _updated() -> sa.Column[object]:
    return sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now())


def _array(item: sa.types.TypeEngine[Any]) -> postgresql.ARRAY[Any]:
    return postgresql.ARRAY(item)


def upgrade() -> None:
    op.create_table(
        "ai_settings",
        sa.Column("company_id", UUID, sa.ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("base_url", sa.String(500)),
        sa.Column("chat_model", sa.String(120)),
        sa.Column("api_key", sa.LargeBinary),
        sa.Column("api_key_hint", sa.String(8)),
        sa.Column("monthly_budget_usd", sa.Numeric(BUDGET_PRECISION, BUDGET_SCALE)),
        sa.Column("budget_spent_month", sa.Date),
        _updated(),
        sa.CheckConstraint("monthly_budget_usd >= 0", name="monthly_budget_usd"),
    )
    op.create_table(
        "personas",
        id_column(),
        company_column(),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("current_version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("archived_at", TS),
        created_column(),
        _updated(),
    )
    op.create_index(
        "uq_personas_company_id_name", "personas", ["company_id", sa.text("lower(name)")], unique=True,
        postgresql_where=sa.text("archived_at IS NULL"),
    )  # fmt: skip
    op.create_table(
        "persona_versions",
        id_column(),
        company_column(),
        sa.Column("persona_id", UUID, sa.ForeignKey("personas.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("role", sa.String(200), nullable=False, server_default=""),
        sa.Column("tone", sa.String(200), nullable=False, server_default=""),
        sa.Column("language", sa.String(8), nullable=False, server_default="pt-BR"),
        sa.Column("instructions", sa.Text, nullable=False, server_default=""),
        sa.Column("knowledge_base_ids", _array(UUID), nullable=False, server_default=sa.text("'{}'")),
        sa.Column("tools", _array(sa.String(32)), nullable=False, server_default=sa.text("'{}'")),
        sa.Column("connection_ids", _array(UUID), nullable=False, server_default=sa.text("'{}'")),
        sa.Column("active_hours", postgresql.JSONB),
        sa.Column("blocked_topics", _array(sa.String(120)), nullable=False, server_default=sa.text("'{}'")),
        sa.Column("max_reply_chars", sa.Integer, nullable=False, server_default="600"),
        sa.Column("debounce_seconds", sa.Integer, nullable=False, server_default="8"),
        sa.Column("chat_model", sa.String(120)),
        sa.Column("temperature", sa.Numeric(3, 2)),
        sa.Column("outside_window_template_id", UUID),
        sa.Column("created_by", UUID, sa.ForeignKey("users.id", ondelete="SET NULL")),
        created_column(),
        sa.CheckConstraint(f"language IN ({_in(LANGUAGES)})", name="language"),
        sa.CheckConstraint(f"tools <@ ARRAY[{_in(TOOLS)}]::varchar[]", name="tools"),
        sa.CheckConstraint("max_reply_chars BETWEEN 50 AND 4000", name="max_reply_chars"),
        sa.CheckConstraint("debounce_seconds BETWEEN 0 AND 120", name="debounce_seconds"),
        sa.CheckConstraint("temperature IS NULL OR temperature BETWEEN 0 AND 2", name="temperature"),
    )
    op.create_index(
        "uq_persona_versions_persona_id_version", "persona_versions", ["persona_id", "version"], unique=True
    )
    op.create_table(
        "ai_usage",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        company_column(),
        sa.Column("persona_id", UUID, sa.ForeignKey("personas.id", ondelete="SET NULL")),
        sa.Column("persona_version", sa.Integer),
        sa.Column("conversation_id", UUID, sa.ForeignKey("conversations.id", ondelete="SET NULL")),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("model", sa.String(120), nullable=False),
        sa.Column("prompt_tokens", sa.Integer, nullable=False),
        sa.Column("completion_tokens", sa.Integer, nullable=False),
        sa.Column("cost_usd", sa.Numeric(COST_PRECISION, COST_SCALE), nullable=False),
        sa.Column("priced", sa.Boolean, nullable=False),
        created_column(),
        sa.CheckConstraint(f"purpose IN ({_in(USAGE_PURPOSES)})", name="purpose"),
    )
    op.create_index("ix_ai_usage_company_id_created_at", "ai_usage", ["company_id", "created_at"])
    op.create_index("ix_ai_usage_persona_id_created_at", "ai_usage", ["persona_id", "created_at"])
    op.create_table(
        "ai_decisions",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        company_column(),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("persona_id", UUID, sa.ForeignKey("personas.id", ondelete="SET NULL")),
        sa.Column("persona_version", sa.Integer),
        sa.Column("model", sa.String(120)),
        sa.Column("conversation_id", UUID, sa.ForeignKey("conversations.id", ondelete="CASCADE")),
        sa.Column("lead_id", UUID, sa.ForeignKey("leads.id", ondelete="CASCADE")),
        sa.Column("inputs", postgresql.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("detail", postgresql.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        created_column(),
        sa.CheckConstraint(f"kind IN ({_in(DECISION_KINDS)})", name="kind"),
    )
    op.create_index("ix_ai_decisions_conversation_id_id", "ai_decisions", ["conversation_id", "id"])
    op.create_index("ix_ai_decisions_lead_id_id", "ai_decisions", ["lead_id", "id"])
    op.create_index("ix_ai_decisions_company_id_created_at", "ai_decisions", ["company_id", "created_at"])
    for table in TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
