"""The AI's tables: a company's model settings, personas and their versions, and what each model call used and cost.

A persona is a row that names its current version; a version is append-only (a change writes a new one), so
every reply and decision can name the exact version that made it. The responder's own state (bursts, proposals) is in
its own models; ``AiDecision`` is the trail of what the AI decided and why.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from masteria.db import Base, Timestamped, company_fk, uuid_pk

LANGUAGES = ("pt-BR", "en")
TOOLS = ("handoff", "propose_stage", "update_lead")
USAGE_PURPOSES = ("reply", "test", "embedding")
# what an AI decision record is: a reply sent, a handoff, a stage proposal, a move it applied, a lead update, a skip
DECISION_KINDS = ("reply", "handoff", "stage_proposal", "stage_move", "lead_update", "skipped")
COST_PRECISION, COST_SCALE = 14, 6
BUDGET_PRECISION, BUDGET_SCALE = 12, 2


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class AiSettings(Base):
    """A company's model endpoint: an OpenAI-compatible base URL, the chat model and the key (sealed by
    ``masteria.crypto`` under the company's data key, bound to this table, column and company). Every field left
    empty falls back to the platform's default (``AI_BASE_URL``, ``AI_CHAT_MODEL``, the platform's key). A monthly
    budget in USD stops automatic replies once the month's estimated cost reaches it."""

    __tablename__ = "ai_settings"
    __table_args__ = (CheckConstraint("monthly_budget_usd >= 0", name="monthly_budget_usd"),)

    company_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    )
    base_url: Mapped[str | None] = mapped_column(String(500))
    chat_model: Mapped[str | None] = mapped_column(String(120))
    api_key: Mapped[bytes | None] = mapped_column(LargeBinary)  # sealed
    api_key_hint: Mapped[str | None] = mapped_column(String(8))  # the key's last characters, to recognise it
    monthly_budget_usd: Mapped[Decimal | None] = mapped_column(Numeric(BUDGET_PRECISION, BUDGET_SCALE))
    # the month (its first day) whose budget was found spent and notified, so the notification goes once a month
    budget_spent_month: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )

    @property
    def id(self) -> uuid.UUID:  # the row id ``masteria.crypto`` binds the sealed key to
        return self.company_id


class Persona(Timestamped, Base):
    """An AI persona; what it is and does is its current version. ``is_active``: it answers on its numbers."""

    __tablename__ = "personas"
    __table_args__ = (
        Index("uq_personas_company_id_name", "company_id", text("lower(name)"), unique=True,
              postgresql_where=text("archived_at IS NULL")),
    )  # fmt: skip

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    current_version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


class PersonaVersion(Timestamped, Base):
    """One version of a persona: append-only (the application role may not update or delete it).

    ``active_hours``: ``{"timezone": "America/Sao_Paulo", "days": {"mon": [["09:00", "18:00"]], ...}}`` or null
    for always. ``connection_ids``: the numbers it answers on. ``blocked_topics``: subjects it must hand over.
    ``outside_window_template_id``: the template it may send when the 24-hour window is closed (else nothing)."""

    __tablename__ = "persona_versions"
    __table_args__ = (
        Index("uq_persona_versions_persona_id_version", "persona_id", "version", unique=True),
        CheckConstraint(f"language IN ({_in(LANGUAGES)})", name="language"),
        CheckConstraint(f"tools <@ ARRAY[{_in(TOOLS)}]::varchar[]", name="tools"),
        CheckConstraint("max_reply_chars BETWEEN 50 AND 4000", name="max_reply_chars"),
        CheckConstraint("debounce_seconds BETWEEN 0 AND 120", name="debounce_seconds"),
        CheckConstraint("temperature IS NULL OR temperature BETWEEN 0 AND 2", name="temperature"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    persona_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("personas.id", ondelete="CASCADE"), nullable=False
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    role: Mapped[str] = mapped_column(String(200), nullable=False, server_default="")
    tone: Mapped[str] = mapped_column(String(200), nullable=False, server_default="")
    language: Mapped[str] = mapped_column(String(8), nullable=False, server_default="pt-BR")
    instructions: Mapped[str] = mapped_column(Text, nullable=False, server_default="")
    knowledge_base_ids: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(UUID(as_uuid=True)), nullable=False, server_default=text("'{}'")
    )
    tools: Mapped[list[str]] = mapped_column(ARRAY(String(32)), nullable=False, server_default=text("'{}'"))
    connection_ids: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(UUID(as_uuid=True)), nullable=False, server_default=text("'{}'")
    )
    active_hours: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    blocked_topics: Mapped[list[str]] = mapped_column(ARRAY(String(120)), nullable=False, server_default=text("'{}'"))
    max_reply_chars: Mapped[int] = mapped_column(Integer, nullable=False, server_default="600")
    debounce_seconds: Mapped[int] = mapped_column(Integer, nullable=False, server_default="8")
    chat_model: Mapped[str | None] = mapped_column(String(120))  # overrides the company's model
    temperature: Mapped[Decimal | None] = mapped_column(Numeric(3, 2))
    outside_window_template_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )


class AiUsage(Base):
    """One model call: its tokens and estimated cost, by company, persona (version) and conversation.
    Append-only; a month's spend is the sum of its rows."""

    __tablename__ = "ai_usage"
    __table_args__ = (
        Index("ix_ai_usage_company_id_created_at", "company_id", "created_at"),
        Index("ix_ai_usage_persona_id_created_at", "persona_id", "created_at"),
        CheckConstraint(f"purpose IN ({_in(USAGE_PURPOSES)})", name="purpose"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    company_id: Mapped[uuid.UUID] = company_fk()
    persona_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("personas.id", ondelete="SET NULL")
    )
    persona_version: Mapped[int | None] = mapped_column(Integer)
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("conversations.id", ondelete="SET NULL")
    )
    purpose: Mapped[str] = mapped_column(String(16), nullable=False)
    model: Mapped[str] = mapped_column(String(120), nullable=False)
    prompt_tokens: Mapped[int] = mapped_column(Integer, nullable=False)
    completion_tokens: Mapped[int] = mapped_column(Integer, nullable=False)
    cost_usd: Mapped[Decimal] = mapped_column(Numeric(COST_PRECISION, COST_SCALE), nullable=False)
    priced: Mapped[bool] = mapped_column(Boolean, nullable=False)  # False: the model has no list price here
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class AiDecision(Base):
    """One decision of the AI — a reply, a handoff, a stage proposal, a move, a lead update, a skip — with the
    persona version and model that made it, the ids of its inputs (messages, chunks, lead) and its evidence.
    Append-only (the application role may not update or delete it): a lead's timeline and a conversation's AI
    trail read it."""

    __tablename__ = "ai_decisions"
    __table_args__ = (
        Index("ix_ai_decisions_conversation_id_id", "conversation_id", "id"),
        Index("ix_ai_decisions_lead_id_id", "lead_id", "id"),
        Index("ix_ai_decisions_company_id_created_at", "company_id", "created_at"),
        CheckConstraint(f"kind IN ({_in(DECISION_KINDS)})", name="kind"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    company_id: Mapped[uuid.UUID] = company_fk()
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    persona_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("personas.id", ondelete="SET NULL")
    )
    persona_version: Mapped[int | None] = mapped_column(Integer)
    model: Mapped[str | None] = mapped_column(String(120))
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("conversations.id", ondelete="CASCADE")
    )
    lead_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), ForeignKey("leads.id", ondelete="CASCADE"))
    # the inputs' ids: {"message_ids": [...], "chunk_ids": [...], "proposal_id": ..., ...}
    inputs: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))
    # what was decided: {"text": ..., "reason": ..., "stage_id": ..., "confidence": ..., "evidence": ..., ...}
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
