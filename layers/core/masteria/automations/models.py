"""Automation rules: when something happens (the trigger), if the conditions hold, do the actions in order.

- ``automation_rules``: the company's rules, in ``position`` order (the order they run in for one event); the
  trigger, conditions and actions as validated JSON (``triggers``, ``conditions``, ``action_types``);
- ``automation_runs``: the append-only run log, one row per rule and triggering event (UNIQUE (rule_id, event_id):
  a redelivered event never runs a rule twice), with what matched and what each action did;
- ``automation_cursors``: a round-robin assignment's turn, per rule and action (taken under its row lock);
- ``automation_sends``: the send ledger of the send actions (one message per run and action), sent by the
  ``automation_sender`` worker through the one outbound path.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy import (
    text as sql_text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from masteria.db import Base, Timestamped, company_fk, uuid_pk

ON_FAILURE = ("stop", "continue")
RUN_STATUSES = ("succeeded", "failed", "skipped")
# why a run did nothing: its conditions did not hold, the event came from its own chain, or the chain is too deep
SKIP_REASONS = ("conditions", "loop", "depth_limit")
SEND_STATUSES = ("pending", "sending", "sent", "unknown", "refused")


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _rule_fk() -> Mapped[uuid.UUID]:
    return mapped_column(UUID(as_uuid=True), ForeignKey("automation_rules.id", ondelete="CASCADE"), nullable=False)


class AutomationRule(Timestamped, Base):
    __tablename__ = "automation_rules"
    __table_args__ = (
        Index("ix_automation_rules_company_id_position", "company_id", "position"),
        CheckConstraint(f"on_failure IN ({_in(ON_FAILURE)})", name="on_failure"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=sql_text("true"))
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    trigger: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    conditions: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, nullable=False, server_default=sql_text("'[]'::jsonb")
    )
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False)
    on_failure: Mapped[str] = mapped_column(String(16), nullable=False, server_default="stop")
    # the no_reply trigger's sweep: the quiet periods up to this (start, conversation) are done
    swept_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    swept_conversation_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


class AutomationRun(Base):
    """One rule's run for one triggering event (append-only)."""

    __tablename__ = "automation_runs"
    __table_args__ = (
        Index("uq_automation_runs_rule_id_event_id", "rule_id", "event_id", unique=True),
        Index("ix_automation_runs_rule_id_created_at", "rule_id", "created_at", "id"),
        CheckConstraint(f"status IN ({_in(RUN_STATUSES)})", name="status"),
        CheckConstraint(f"reason IS NULL OR reason IN ({_in(SKIP_REASONS)})", name="reason"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    company_id: Mapped[uuid.UUID] = company_fk()
    rule_id: Mapped[uuid.UUID] = _rule_fk()
    event_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    event_type: Mapped[str] = mapped_column(String(80), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    reason: Mapped[str | None] = mapped_column(String(16))
    depth: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")  # rule runs before it
    contact_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    lead_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    matched: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)  # the trigger's match and the conditions
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False)  # each action's result, in order
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class AutomationCursor(Base):
    """A round-robin assignment's count of turns given (the next user is ``turns`` modulo the team's size)."""

    __tablename__ = "automation_cursors"

    rule_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("automation_rules.id", ondelete="CASCADE"), primary_key=True
    )
    action_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[uuid.UUID] = company_fk()
    turns: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")


class AutomationSend(Timestamped, Base):
    """A send action's message: written ``pending`` by the run, sent once by ``automation_sender`` (its id is the
    message's: the inbox's ledger claims it, so a job delivered twice sends once)."""

    __tablename__ = "automation_sends"
    __table_args__ = (
        Index("uq_automation_sends_rule_id_event_id_action_index", "rule_id", "event_id", "action_index", unique=True),
        CheckConstraint(f"status IN ({_in(SEND_STATUSES)})", name="status"),
        CheckConstraint("kind IN ('text', 'template')", name="kind"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    rule_id: Mapped[uuid.UUID] = _rule_fk()
    event_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    action_index: Mapped[int] = mapped_column(Integer, nullable=False)
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    text: Mapped[str | None] = mapped_column(Text)  # a text's, its variables filled when the run wrote it
    template_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("whatsapp_templates.id", ondelete="SET NULL")
    )
    # a template's {"parameters": {…}, "defaults": {…}} (the action's, as it was when the run wrote it)
    filling: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default=sql_text("'{}'::jsonb"))
    status: Mapped[str] = mapped_column(String(16), nullable=False, server_default="pending")
    reason: Mapped[str | None] = mapped_column(String(300))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )
