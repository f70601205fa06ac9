"""The cadence send ledger: one row per send step of an enrollment, like a campaign's recipients (the bulk
senders' ledger columns, ``outbound.bulk_ledger``), and the lease of each number's cadence sender."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from masteria.db import Base, Timestamped, company_fk

SEND_STATUSES = ("pending", "sending", "unknown", "sent", "delivered", "read", "failed", "skipped")


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class CadenceSend(Timestamped, Base):
    """A send step of one enrollment: claimed before the request, its outcome recorded, an unknown one settled by
    the provider's status (``id`` travels as ``cadence-send:<id>`` and comes back with it), never sent twice.
    ``next_attempt_at`` is when it is due (the step's time, then a retry's)."""

    __tablename__ = "cadence_sends"
    __table_args__ = (
        # one send per step of an enrollment, whatever fires twice
        Index("uq_cadence_sends_enrollment_id_step_index", "enrollment_id", "step_index", unique=True),
        # the sender's claim: a number's due sends
        Index(
            "ix_cadence_sends_connection_id_next_attempt_at_pending",
            "connection_id",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_cadence_sends_sending", "claimed_until", postgresql_where=text("status = 'sending'")),
        Index("ix_cadence_sends_unknown", "updated_at", postgresql_where=text("status = 'unknown'")),
        Index("ix_cadence_sends_cadence_id_step_index", "cadence_id", "step_index"),
        # a status that carries no send id (a kind the provider takes none on: a WhatsApp text) finds it by this
        Index(
            "ix_cadence_sends_provider_message_id",
            "provider_message_id",
            postgresql_where=text("provider_message_id IS NOT NULL"),
        ),
        CheckConstraint(f"status IN ({_in(SEND_STATUSES)})", name="status"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    company_id: Mapped[uuid.UUID] = company_fk()
    cadence_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("cadences.id", ondelete="CASCADE"), nullable=False
    )
    enrollment_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("cadence_enrollments.id", ondelete="CASCADE"), nullable=False
    )
    step_index: Mapped[int] = mapped_column(Integer, nullable=False)
    # None: the connection was deleted (its pending sends are skipped by the sweeper)
    connection_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("channel_connections.id", ondelete="SET NULL")
    )
    contact_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False
    )
    phone: Mapped[str] = mapped_column(String(20), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, server_default="pending")
    attempts: Mapped[int] = mapped_column(SmallInteger, nullable=False, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # its batch's requests had started (written before them): past the lease it may have gone out (unknown);
    # claimed and never posted, it goes back to pending
    posted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    provider_message_id: Mapped[str | None] = mapped_column(String(255))
    error_code: Mapped[int | None] = mapped_column(Integer)
    error_reason: Mapped[str | None] = mapped_column(String(300))
    segments: Mapped[int | None] = mapped_column(SmallInteger)  # SMS: the parts its message is sent in
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class CadenceSender(Base):
    """The lease of a number's cadence sender: one driver at a time claims and posts its due sends."""

    __tablename__ = "cadence_senders"

    connection_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("channel_connections.id", ondelete="CASCADE"), primary_key=True
    )
    company_id: Mapped[uuid.UUID] = company_fk()
    driver_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
