"""Automation rules: the rules, their append-only run log, round-robin cursors and send ledger; the outbox events'
cause (the loop guard); leads and AI pauses by an automation; the no-reply sweep's read policy (issue 19).

Revision ID: 0130
Revises: 0129
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from masteria.ai.responder_models import PAUSE_REASONS
from masteria.automations.models import ON_FAILURE, RUN_STATUSES, SEND_STATUSES, SKIP_REASONS
from masteria.db import AUTOMATION_SWEEP_SETTING
from masteria.migrations.columns import TS, UUID, company_column, created_column, id_column
from masteria.migrations.rls import enable_tenant_rls
from masteria.pipelines.models import LEAD_SOURCES

revision = "0130"
down_revision = "0129"
branch_labels = None
depends_on = None

TABLES = ("automation_rules", "automation_runs", "automation_cursors", "automation_sends")
_OLD_LEAD_SOURCES = ("campaign", "conversation", "import", "manual", "api")
_OLD_PAUSE_REASONS = ("human_reply", "assigned", "opted_out", "paused_by_user")


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _rule() -> sa.Column[object]:
    return sa.Column("rule_id", UUID, sa.ForeignKey("automation_rules.id", ondelete="CASCADE"), nullable=False)


def _checks(lead_sources: tuple[str, ...], pause_reasons: tuple[str, ...]) -> None:
    op.drop_constraint("source", "leads", type_="check")
    op.create_check_constraint("source", "leads", f"source IN ({_in(lead_sources)})")
    op.drop_constraint("paused_reason", "ai_conversation_states", type_="check")
    op.create_check_constraint(
        "paused_reason", "ai_conversation_states", f"paused_reason IS NULL OR paused_reason IN ({_in(pause_reasons)})"
    )


def upgrade() -> None:
    op.create_table(
        "automation_rules",
        id_column(),
        company_column(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.text("true")),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("trigger", postgresql.JSONB, nullable=False),
        sa.Column("conditions", postgresql.JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("actions", postgresql.JSONB, nullable=False),
        sa.Column("on_failure", sa.String(16), nullable=False, server_default="stop"),
        sa.Column("swept_at", TS),
        sa.Column("swept_conversation_id", UUID),
        sa.Column("created_by", UUID, sa.ForeignKey("users.id", ondelete="SET NULL")),
        created_column(),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint(f"on_failure IN ({_in(ON_FAILURE)})", name="on_failure"),
    )
    op.create_index("ix_automation_rules_company_id_position", "automation_rules", ["company_id", "position"])
    op.create_table(
        "automation_runs",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        company_column(),
        _rule(),
        sa.Column("event_id", UUID, nullable=False),
        sa.Column("event_type", sa.String(80), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(16)),
        sa.Column("depth", sa.Integer, nullable=False, server_default="0"),
        sa.Column("contact_id", UUID),
        sa.Column("conversation_id", UUID),
        sa.Column("lead_id", UUID),
        sa.Column("matched", postgresql.JSONB, nullable=False),
        sa.Column("actions", postgresql.JSONB, nullable=False),
        created_column(),
        sa.CheckConstraint(f"status IN ({_in(RUN_STATUSES)})", name="status"),
        sa.CheckConstraint(f"reason IS NULL OR reason IN ({_in(SKIP_REASONS)})", name="reason"),
    )
    op.create_index("uq_automation_runs_rule_id_event_id", "automation_runs", ["rule_id", "event_id"], unique=True)
    op.create_index("ix_automation_runs_rule_id_created_at", "automation_runs", ["rule_id", "created_at", "id"])
    op.create_table(
        "automation_cursors",
        sa.Column("rule_id", UUID, sa.ForeignKey("automation_rules.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("action_index", sa.Integer, primary_key=True),
        company_column(),
        sa.Column("turns", sa.BigInteger, nullable=False, server_default="0"),
    )
    op.create_table(
        "automation_sends",
        id_column(),
        company_column(),
        _rule(),
        sa.Column("event_id", UUID, nullable=False),
        sa.Column("action_index", sa.Integer, nullable=False),
        sa.Column("conversation_id", UUID, sa.ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text),
        sa.Column("template_id", UUID, sa.ForeignKey("whatsapp_templates.id", ondelete="SET NULL")),
        sa.Column("filling", postgresql.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("reason", sa.String(300)),
        sa.Column("sent_at", TS),
        created_column(),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint(f"status IN ({_in(SEND_STATUSES)})", name="status"),
        sa.CheckConstraint("kind IN ('text', 'template')", name="kind"),
    )
    op.create_index(
        "uq_automation_sends_rule_id_event_id_action_index",
        "automation_sends",
        ["rule_id", "event_id", "action_index"],
        unique=True,
    )
    for table in TABLES:
        enable_tenant_rls(table)
    # the no-reply sweep lists the companies' enabled no_reply rules (ids only), then works in each company's own
    # transactions
    op.execute(
        "CREATE POLICY automation_sweep_list ON automation_rules FOR SELECT"
        f" USING (current_setting('{AUTOMATION_SWEEP_SETTING}', true) = 'on')"
    )
    op.add_column("outbox_events", sa.Column("cause", postgresql.JSONB))
    _checks(LEAD_SOURCES, PAUSE_REASONS)


def downgrade() -> None:
    _checks(_OLD_LEAD_SOURCES, _OLD_PAUSE_REASONS)
    op.drop_column("outbox_events", "cause")
    op.execute("DROP POLICY automation_sweep_list ON automation_rules")
    for table in reversed(TABLES):
        op.drop_table(table)
