"""The AI responder: each conversation's AI state, the customer's bursts (answered once each) with their messages,
and the parts of each answer (issue 18).

Revision ID: 0126
Revises: 0125
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from masteria.ai.responder_models import (
    BURST_STATES,
    PART_KINDS,
    PART_PURPOSES,
    PART_STATES,
    PAUSE_REASONS,
    STATE_STATUSES,
)
from masteria.migrations.columns import TS, UUID, company_column, created_column, id_column
from masteria.migrations.rls import enable_tenant_rls

revision = "0126"
down_revision = "0125"
branch_labels = None
depends_on = None

TABLES = ("ai_conversation_states", "ai_bursts", "ai_burst_messages", "ai_reply_parts")


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _conversation(*, primary_key: bool = False) -> sa.Column[object]:
    return sa.Column(
        "conversation_id", UUID, sa.ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False,
        primary_key=primary_key,
    )  # fmt: skip


def _persona() -> sa.Column[object]:
    return sa.Column("persona_id", UUID, sa.ForeignKey("personas.id", ondelete="SET NULL"))


def _user(name: str) -> sa.Column[object]:
    return sa.Column(name, UUID, sa.ForeignKey("users.id", ondelete="SET NULL"))


def upgrade() -> None:
    op.create_table(
        "ai_conversation_states",
        _conversation(primary_key=True),
        company_column(),
        sa.Column("status", sa.String(16), nullable=False, server_default="active"),
        sa.Column("paused_reason", sa.String(32)),
        sa.Column("handoff_trigger", sa.String(32)),
        sa.Column("handoff_reason", sa.String(500)),
        sa.Column("handed_off_at", TS),
        _user("handed_off_to"),
        _persona(),
        sa.Column("misunderstandings", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_burst_id", UUID),
        _user("changed_by"),
        sa.Column("changed_at", TS, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint(f"status IN ({_in(STATE_STATUSES)})", name="status"),
        sa.CheckConstraint(f"paused_reason IS NULL OR paused_reason IN ({_in(PAUSE_REASONS)})", name="paused_reason"),
    )
    op.create_table(
        "ai_bursts",
        id_column(),
        company_column(),
        _conversation(),
        sa.Column("first_message_id", UUID, nullable=False),
        sa.Column("last_message_id", UUID, nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("last_message_at", TS, nullable=False),
        sa.Column("message_count", sa.Integer, nullable=False, server_default="1"),
        sa.Column("due_at", TS, nullable=False),
        sa.Column("state", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("claim", UUID),
        sa.Column("claimed_at", TS),
        sa.Column("outcome", sa.String(64)),
        sa.Column("decision_id", sa.BigInteger),
        sa.Column("finished_at", TS),
        created_column(),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint(f"state IN ({_in(BURST_STATES)})", name="state"),
    )
    op.create_index(
        "uq_ai_bursts_conversation_id_pending", "ai_bursts", ["conversation_id"], unique=True,
        postgresql_where=sa.text("state = 'pending'"),
    )  # fmt: skip
    op.create_index("ix_ai_bursts_conversation_id_created_at", "ai_bursts", ["conversation_id", "created_at"])
    op.create_table(
        "ai_burst_messages",
        sa.Column("message_id", UUID, sa.ForeignKey("messages.id", ondelete="CASCADE"), nullable=False),
        company_column(),
        sa.Column("burst_id", UUID, sa.ForeignKey("ai_bursts.id", ondelete="CASCADE"), nullable=False),
        sa.PrimaryKeyConstraint("message_id", name="pk_ai_burst_messages"),
    )
    op.create_index("ix_ai_burst_messages_burst_id", "ai_burst_messages", ["burst_id"])
    op.create_table(
        "ai_reply_parts",
        id_column(),
        company_column(),
        sa.Column("burst_id", UUID, sa.ForeignKey("ai_bursts.id", ondelete="CASCADE"), nullable=False),
        _conversation(),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("parts", sa.Integer, nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False, server_default="text"),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("template_id", UUID),
        sa.Column("send_at", TS, nullable=False),
        sa.Column("state", sa.String(16), nullable=False, server_default="planned"),
        sa.Column("message_id", UUID, nullable=False),
        sa.Column("reason", sa.String(300)),
        sa.Column("sent_at", TS),
        _persona(),
        sa.Column("persona_version", sa.Integer),
        sa.Column("decision_id", sa.BigInteger),
        created_column(),
        sa.CheckConstraint(f"state IN ({_in(PART_STATES)})", name="state"),
        sa.CheckConstraint(f"purpose IN ({_in(PART_PURPOSES)})", name="purpose"),
        sa.CheckConstraint(f"kind IN ({_in(PART_KINDS)})", name="kind"),
    )
    op.create_index("uq_ai_reply_parts_burst_id_position", "ai_reply_parts", ["burst_id", "position"], unique=True)
    op.create_index("uq_ai_reply_parts_message_id", "ai_reply_parts", ["message_id"], unique=True)
    op.create_index("ix_ai_reply_parts_conversation_id_created_at", "ai_reply_parts", ["conversation_id", "created_at"])
    for table in TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
