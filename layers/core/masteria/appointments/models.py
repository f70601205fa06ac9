"""Appointments of leads: a meeting with the lead's contact, its attendee (a user of the company) and its
reminder."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, func
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from masteria.db import Base, Timestamped, company_fk, uuid_pk

STATUSES = ("scheduled", "done", "no_show", "cancelled")
MAX_REMINDER_MINUTES = 7 * 24 * 60
LINK_MAX_LENGTH = 2048


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class Appointment(Timestamped, Base):
    """``version`` grows with every change: a reminder names the version it was scheduled for and does nothing
    once the appointment changed. ``reminded_version`` is the version whose reminder was sent (sent once)."""

    __tablename__ = "appointments"
    __table_args__ = (
        Index("ix_appointments_lead_id_starts_at", "lead_id", "starts_at"),
        Index("ix_appointments_attendee_id_starts_at", "attendee_id", "starts_at"),
        CheckConstraint(f"status IN ({_in(STATUSES)})", name="status"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(f"reminder_minutes BETWEEN 0 AND {MAX_REMINDER_MINUTES}", name="reminder_minutes"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    lead_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("leads.id", ondelete="CASCADE"), nullable=False
    )
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    timezone: Mapped[str] = mapped_column(String(64), nullable=False)
    location: Mapped[str | None] = mapped_column(String(300))
    link: Mapped[str | None] = mapped_column(String(LINK_MAX_LENGTH))
    attendee_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(16), nullable=False, server_default="scheduled")
    reminder_minutes: Mapped[int | None] = mapped_column(Integer)  # None: no reminder
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    reminded_version: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )
