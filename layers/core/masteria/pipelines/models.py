"""Pipelines, their ordered stages, leads on them, each lead's stage changes and notes."""

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
    Numeric,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from masteria.db import Base, Timestamped, company_fk, uuid_pk

SEMANTIC_TYPES = ("open", "meeting_scheduled", "won", "lost")
LEAD_STATUSES = ("open", "won", "lost")
LEAD_SOURCES = ("campaign", "conversation", "import", "manual", "api", "automation")
ACTOR_KINDS = ("user", "automation", "ai")
# Ranks compare byte by byte (ASCII digits < upper case < lower case): the column's collation must say so.
RANK_COLLATION = "C"
RANK_MAX_LENGTH = 512
VALUE_PRECISION, VALUE_SCALE = 14, 2
# the AI's thresholds on a pipeline: a confidence between 0 and 1, to three places
THRESHOLD_PRECISION, THRESHOLD_SCALE = 4, 3
AI_AUTO_APPLY_DEFAULT, AI_BACKWARD_DEFAULT = "0.8", "0.95"


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class Pipeline(Timestamped, Base):
    """A pipeline, with how far its leads trust the AI (``masteria.ai.progression``): a stage proposal at or above
    ``ai_auto_apply_threshold`` moves the lead at once (a move back needs ``ai_backward_threshold``; into a won or
    lost stage only when ``ai_may_close``); below, it waits on the board as a suggestion."""

    __tablename__ = "pipelines"
    __table_args__ = (
        Index("uq_pipelines_company_id_name", "company_id", text("lower(name)"), unique=True),
        CheckConstraint("ai_auto_apply_threshold BETWEEN 0 AND 1", name="ai_auto_apply_threshold"),
        CheckConstraint(
            "ai_backward_threshold BETWEEN 0 AND 1 AND ai_backward_threshold >= ai_auto_apply_threshold",
            name="ai_backward_threshold",
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    ai_auto_apply_threshold: Mapped[Decimal] = mapped_column(
        Numeric(THRESHOLD_PRECISION, THRESHOLD_SCALE), nullable=False, server_default=AI_AUTO_APPLY_DEFAULT
    )
    ai_backward_threshold: Mapped[Decimal] = mapped_column(
        Numeric(THRESHOLD_PRECISION, THRESHOLD_SCALE), nullable=False, server_default=AI_BACKWARD_DEFAULT
    )
    ai_may_close: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


class Stage(Timestamped, Base):
    """A column of a pipeline. ``position`` orders a pipeline's stages (a handful: rewritten on a reorder);
    an archived stage keeps its history but no leads."""

    __tablename__ = "pipeline_stages"
    __table_args__ = (
        Index("ix_pipeline_stages_pipeline_id_position", "pipeline_id", "position"),
        CheckConstraint(f"semantic_type IN ({_in(SEMANTIC_TYPES)})", name="semantic_type"),
        CheckConstraint("wip_limit > 0", name="wip_limit"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    pipeline_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("pipelines.id", ondelete="CASCADE"), nullable=False
    )
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    color: Mapped[str] = mapped_column(String(7), nullable=False, server_default="#64748b")
    wip_limit: Mapped[int | None] = mapped_column(Integer)
    semantic_type: Mapped[str | None] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


class Lead(Timestamped, Base):
    """A deal with one contact on one pipeline. ``rank`` orders a stage's cards (a fractional index: a move
    writes one row, never renumbers the column); ``version`` grows with every change (a move names the version
    its client saw)."""

    __tablename__ = "leads"
    __table_args__ = (
        # one open lead per contact and pipeline
        Index(
            "uq_leads_pipeline_id_contact_id_open",
            "pipeline_id",
            "contact_id",
            unique=True,
            postgresql_where=text("status = 'open'"),
        ),
        # a column's order, its keyset pages, and no two cards on one rank
        Index("uq_leads_stage_id_rank", "stage_id", "rank", unique=True),
        # the board's totals per column: an index-only scan of the pipeline
        Index(
            "ix_leads_pipeline_id_stage_id",
            "pipeline_id",
            "stage_id",
            postgresql_include=["value", "currency", "owner_id", "company_id"],
        ),
        Index("ix_leads_stage_id_owner_id_rank", "stage_id", "owner_id", "rank"),
        Index("ix_leads_contact_id", "contact_id"),
        Index("ix_leads_conversation_id", "conversation_id"),
        CheckConstraint(f"status IN ({_in(LEAD_STATUSES)})", name="status"),
        CheckConstraint(f"source IN ({_in(LEAD_SOURCES)})", name="source"),
        CheckConstraint(f"length(rank) BETWEEN 2 AND {RANK_MAX_LENGTH}", name="rank"),
        CheckConstraint("value IS NULL OR value >= 0", name="value"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    pipeline_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("pipelines.id", ondelete="CASCADE"), nullable=False
    )
    stage_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("pipeline_stages.id", ondelete="RESTRICT"), nullable=False
    )
    contact_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False
    )
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("conversations.id", ondelete="SET NULL")
    )
    campaign_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("campaigns.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    value: Mapped[Decimal | None] = mapped_column(Numeric(VALUE_PRECISION, VALUE_SCALE))
    currency: Mapped[str] = mapped_column(String(3), nullable=False, server_default="BRL")
    owner_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16), nullable=False)
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))
    next_step: Mapped[str | None] = mapped_column(String(300))
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), nullable=False, server_default="open")
    close_reason: Mapped[str | None] = mapped_column(String(500))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rank: Mapped[str] = mapped_column(String(RANK_MAX_LENGTH, collation=RANK_COLLATION), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    stage_entered_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


class StageTotal(Base):
    """A column's count of leads and their value per currency, kept by a trigger on ``leads`` (migration 0122):
    the board's unfiltered totals without counting 100,000 rows. The trigger touches a move's two columns in id
    order, so moves in opposite directions never deadlock."""

    __tablename__ = "stage_totals"

    stage_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("pipeline_stages.id", ondelete="CASCADE"), primary_key=True
    )
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    company_id: Mapped[uuid.UUID] = company_fk()
    lead_count: Mapped[int] = mapped_column(BigInteger, nullable=False)
    valued_count: Mapped[int] = mapped_column(BigInteger, nullable=False)  # leads with a value
    value_total: Mapped[Decimal] = mapped_column(Numeric(20, VALUE_SCALE), nullable=False)


class LeadTag(Base):
    """A company tag (``contacts.models.Tag``) on a lead."""

    __tablename__ = "lead_tags"
    __table_args__ = (Index("ix_lead_tags_tag_id_lead_id", "tag_id", "lead_id"),)

    lead_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("leads.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True
    )
    company_id: Mapped[uuid.UUID] = company_fk()


class StageChange(Base):
    """One stage change of a lead (its creation too: no ``from_stage_id``). Append-only (the application role
    may not update or delete it); it goes with its lead. Stage ids carry no foreign key: the history outlives a
    deleted stage. Time in a stage is the gap to the lead's next change."""

    __tablename__ = "lead_stage_changes"
    __table_args__ = (
        Index("ix_lead_stage_changes_lead_id_id", "lead_id", "id"),
        Index("ix_lead_stage_changes_pipeline_id_moved_at", "pipeline_id", "moved_at"),
        CheckConstraint(f"actor_kind IN ({_in(ACTOR_KINDS)})", name="actor_kind"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    company_id: Mapped[uuid.UUID] = company_fk()
    lead_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("leads.id", ondelete="CASCADE"), nullable=False
    )
    pipeline_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    from_stage_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    to_stage_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    actor_kind: Mapped[str] = mapped_column(String(16), nullable=False)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    reason: Mapped[str | None] = mapped_column(String(500))
    lead_version: Mapped[int] = mapped_column(Integer, nullable=False)
    moved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())


class LeadNote(Timestamped, Base):
    __tablename__ = "lead_notes"
    __table_args__ = (Index("ix_lead_notes_lead_id_created_at", "lead_id", "created_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    lead_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("leads.id", ondelete="CASCADE"), nullable=False
    )
    author_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text, nullable=False)


class PipelineSettings(Base):
    """Per-company pipeline settings: whether agents see every lead (otherwise theirs and unassigned ones)."""

    __tablename__ = "pipeline_settings"

    company_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    )
    agents_see_all_leads: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )
