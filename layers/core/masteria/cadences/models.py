"""Cadences: a sequence of steps each enrolled contact goes through over days, versioned, with each enrollment's
state and the append-only history of its steps (the send ledger of the send steps is ``send_models``).

An enrollment points at the next step it runs (``step_index``) and when (``next_due_at``):

    active ──(a send step falls due)──► sending ──(send settled)──► active ──► … ──► completed
       └──────────────(reply, opt-out, stage change, goal tag, by hand…)──────────────► exited

A contact is in a cadence at most once at a time (the partial unique index on the live states); a step runs at most
once per enrollment (the history's unique (enrollment_id, step_index): branches only jump forward).
"""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    Time,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from masteria.db import Base, Timestamped, company_fk, uuid_pk

CADENCE_STATUSES = ("draft", "active", "paused", "archived")
SEGMENT_MODES = ("none", "once", "continuous")
TIMEZONE_MODES = ("company", "contact")
ENROLLMENT_STATES = ("active", "sending", "completed", "exited")
LIVE_STATES = ("active", "sending")  # a contact has at most one enrollment per cadence in these
ENROLLMENT_SOURCES = ("manual", "bulk", "segment", "campaign_reply", "automation", "api")
EXIT_REASONS = (
    "replied",
    "opted_out",
    "stage_changed",
    "won",
    "lost",
    "goal_tag",
    "manual",
    "automation",
    "cadence_archived",
)
STEP_KINDS = ("send_template", "send_text", "send_sms", "wait", "branch", "tag", "move_lead", "notify", "emit_event")
STEP_OUTCOMES = ("done", "sent", "delivered", "read", "failed", "skipped", "branched")
ALL_DAYS = (1, 2, 3, 4, 5, 6, 7)  # ISO weekdays, Monday = 1
LIVE = "state IN ('active', 'sending')"
DUE = "state = 'active'"


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class Cadence(Timestamped, Base):
    """A cadence and its settings; its steps and sending window are its ``current_version``'s. ``exit_on_reply``:
    a customer message ends the enrollment; ``exit_on_stage_change``: any stage change of the contact's lead does
    (won or lost always do when it is set); ``goal_tag_id``: the contact getting this tag does. An opt-out always
    exits. ``segment_mode``: the segment's contacts are enrolled once on activation, or continuously as they enter
    it (``masteria.cadences.segments``)."""

    __tablename__ = "cadences"
    __table_args__ = (
        Index("ix_cadences_company_id_created_at", "company_id", "created_at", "id"),
        CheckConstraint(f"status IN ({_in(CADENCE_STATUSES)})", name="status"),
        CheckConstraint(f"segment_mode IN ({_in(SEGMENT_MODES)})", name="segment_mode"),
        CheckConstraint("segment_mode = 'none' OR segment_id IS NOT NULL", name="segment"),
        CheckConstraint("current_version >= 1", name="current_version"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), nullable=False, server_default="draft")
    connection_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("channel_connections.id", ondelete="SET NULL")
    )
    current_version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    exit_on_reply: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("true"))
    exit_on_stage_change: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    goal_tag_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tags.id", ondelete="SET NULL")
    )
    allow_reenrollment: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    segment_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("segments.id", ondelete="SET NULL")
    )
    segment_mode: Mapped[str] = mapped_column(String(16), nullable=False, server_default="none")
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # continuous: when the tick last enrolled the segment's new contacts (masteria.cadences.segments)
    segment_synced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


class CadenceVersion(Timestamped, Base):
    """One version of a cadence's steps and sending window: append-only (an edit writes a new one), so every
    enrollment runs the exact steps it started on. ``steps``: ``masteria.cadences.steps.Step`` as JSON. The window:
    ``days`` (ISO weekdays), ``start_time``/``end_time`` local times (none: all day), in the company's timezone (or
    ``timezone``, its override) or each contact's (from the phone number)."""

    __tablename__ = "cadence_versions"
    __table_args__ = (
        Index("uq_cadence_versions_cadence_id_version", "cadence_id", "version", unique=True),
        CheckConstraint(f"timezone_mode IN ({_in(TIMEZONE_MODES)})", name="timezone_mode"),
        CheckConstraint("cardinality(days) >= 1 AND days <@ ARRAY[1, 2, 3, 4, 5, 6, 7]::smallint[]", name="days"),
        CheckConstraint("(start_time IS NULL) = (end_time IS NULL)", name="window"),
        CheckConstraint("version >= 1", name="version"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    cadence_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("cadences.id", ondelete="CASCADE"), nullable=False
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False, server_default=text("'[]'::jsonb"))
    timezone_mode: Mapped[str] = mapped_column(String(16), nullable=False, server_default="company")
    days: Mapped[list[int]] = mapped_column(
        ARRAY(SmallInteger), nullable=False, server_default=text("'{1,2,3,4,5,6,7}'")
    )
    start_time: Mapped[time | None] = mapped_column(Time)
    end_time: Mapped[time | None] = mapped_column(Time)
    timezone: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )


class Enrollment(Base):
    """A contact going through a cadence, on ``version``. ``step_index`` is the next step to run and
    ``next_due_at`` when (None once it ended); ``replied_at`` the customer's last message since it enrolled and
    ``replied_after_step`` the step the first one answered (statistics)."""

    __tablename__ = "cadence_enrollments"
    __table_args__ = (
        ForeignKeyConstraint(
            ["cadence_id", "version"], ["cadence_versions.cadence_id", "cadence_versions.version"], ondelete="CASCADE"
        ),
        # a contact is in a cadence at most once at a time
        Index("uq_cadence_enrollments_cadence_id_contact_id_live", "cadence_id", "contact_id", unique=True,
              postgresql_where=text(LIVE)),
        # the tick: what is due, by time
        Index("ix_cadence_enrollments_next_due_at_due", "next_due_at", "company_id", postgresql_where=text(DUE)),
        Index("ix_cadence_enrollments_cadence_id_enrolled_at", "cadence_id", "enrolled_at", "id"),
        Index("ix_cadence_enrollments_contact_id", "contact_id"),
        CheckConstraint(f"state IN ({_in(ENROLLMENT_STATES)})", name="state"),
        CheckConstraint(f"source IN ({_in(ENROLLMENT_SOURCES)})", name="source"),
        CheckConstraint(f"exit_reason IS NULL OR exit_reason IN ({_in(EXIT_REASONS)})", name="exit_reason"),
        CheckConstraint("(state = 'exited') = (exit_reason IS NOT NULL)", name="exited"),
        CheckConstraint("step_index >= 0", name="step_index"),
    )  # fmt: skip

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    cadence_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("cadences.id", ondelete="CASCADE"), nullable=False
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    contact_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False
    )
    lead_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), ForeignKey("leads.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(16), nullable=False, server_default="active")
    exit_reason: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16), nullable=False)
    step_index: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    next_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_step_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    replied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    replied_after_step: Mapped[int | None] = mapped_column(Integer)
    enrolled_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    enrolled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


class EnrollmentStep(Base):
    """One step an enrollment ran and its outcome (a send's: sent, failed or skipped; the later delivered / read
    are the send ledger's). Append-only (the application role may not update or delete it); it goes with its
    enrollment. ``cadence_id``/``version`` are repeated from it so per-step statistics read one index."""

    __tablename__ = "cadence_enrollment_steps"
    __table_args__ = (
        Index("uq_cadence_enrollment_steps_enrollment_id_step_index", "enrollment_id", "step_index", unique=True),
        Index("ix_cadence_enrollment_steps_cadence_id_version_step_index", "cadence_id", "version", "step_index"),
        CheckConstraint(f"kind IN ({_in(STEP_KINDS)})", name="kind"),
        CheckConstraint(f"outcome IN ({_in(STEP_OUTCOMES)})", name="outcome"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    company_id: Mapped[uuid.UUID] = company_fk()
    enrollment_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("cadence_enrollments.id", ondelete="CASCADE"), nullable=False
    )
    cadence_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("cadences.id", ondelete="CASCADE"), nullable=False
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    step_index: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    outcome: Mapped[str] = mapped_column(String(16), nullable=False)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
