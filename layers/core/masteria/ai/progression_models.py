"""The AI's stage proposals for leads (``masteria.ai.progression``).

A proposal is the AI's wish to move a lead to another stage, with the customer's words that justify it. One
applied at once (its confidence at or above the pipeline's threshold) is ``applied``; one that waits for a person is
``pending`` until a user accepts or rejects it, a newer proposal for the lead supersedes it, or it can no longer apply
(``invalid``). A lead has at most one pending proposal (a partial unique index, which the board's read joins on).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, Integer, Numeric, String, Text, func
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from masteria.db import Base, Timestamped, company_fk, uuid_pk

PROPOSAL_STATUSES = ("pending", "applied", "accepted", "rejected", "superseded", "invalid")
CONFIDENCE_PRECISION, CONFIDENCE_SCALE = 4, 3
EVIDENCE_MAX_LENGTH = 500
PENDING = "status = 'pending'"


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class StageProposal(Timestamped, Base):
    """One stage proposal of the AI for a lead. Stage ids carry no foreign key (like a lead's history: a proposal
    outlives a deleted stage)."""

    __tablename__ = "ai_stage_proposals"
    __table_args__ = (
        # one pending proposal per lead: what the board's cards join on
        Index("uq_ai_stage_proposals_lead_id_pending", "lead_id", unique=True, postgresql_where=sql(PENDING)),
        # a pipeline's pending suggestions, newest first
        Index("ix_ai_stage_proposals_pipeline_id_created_at_pending", "pipeline_id", "created_at",
              postgresql_where=sql(PENDING)),
        Index("ix_ai_stage_proposals_lead_id_created_at", "lead_id", "created_at"),
        CheckConstraint(f"status IN ({_in(PROPOSAL_STATUSES)})", name="status"),
        CheckConstraint("confidence BETWEEN 0 AND 1", name="confidence"),
    )  # fmt: skip

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    lead_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("leads.id", ondelete="CASCADE"), nullable=False
    )
    pipeline_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("pipelines.id", ondelete="CASCADE"), nullable=False
    )
    from_stage_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    to_stage_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    confidence: Mapped[Decimal] = mapped_column(Numeric(CONFIDENCE_PRECISION, CONFIDENCE_SCALE), nullable=False)
    evidence: Mapped[str] = mapped_column(Text, nullable=False)  # the customer's words, as the model quoted them
    agreed_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # a meeting's agreed start
    persona_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("personas.id", ondelete="SET NULL")
    )
    persona_version: Mapped[int | None] = mapped_column(Integer)
    model: Mapped[str | None] = mapped_column(String(120))
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("conversations.id", ondelete="SET NULL")
    )
    decision_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("ai_decisions.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), nullable=False, server_default="pending")
    decided_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_reason: Mapped[str | None] = mapped_column(String(500))  # a rejection's reason, or why it is invalid
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )
