from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from masteria.db import Base, Timestamped, company_fk, uuid_pk


class WebhookEndpoint(Timestamped, Base):
    """Where a company wants events delivered; its signing secret is sealed (masteria.crypto)."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (Index("ix_webhook_endpoints_company_id", "company_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    url: Mapped[str] = mapped_column(String(2048), nullable=False)
    description: Mapped[str | None] = mapped_column(String(500))
    event_types: Mapped[list[str]] = mapped_column(JSONB, nullable=False)
    enabled: Mapped[bool] = mapped_column(nullable=False, server_default=text("true"))
    disabled_reason: Mapped[str | None] = mapped_column(String(300))
    secret: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    # during a rotation every delivery is signed with both secrets until this time
    previous_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failing_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


class WebhookMessage(Timestamped, Base):
    """One event as delivered to every endpoint: the body is fixed, so every retry sends the same bytes."""

    __tablename__ = "webhook_messages"
    __table_args__ = (Index("uq_webhook_messages_company_id_message_id", "company_id", "message_id", unique=True),)

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    message_id: Mapped[str] = mapped_column(String(64), nullable=False)  # webhook-id: the same across retries
    event_type: Mapped[str] = mapped_column(String(80), nullable=False)
    body: Mapped[str] = mapped_column(String, nullable=False)


class WebhookDelivery(Timestamped, Base):
    """A message to one endpoint: its attempts, its state, when it is next tried."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_endpoint_id_created_at", "endpoint_id", "created_at", "id"),
        # the sweeper's two questions: attempts with the dispatcher past their expiry, deliveries whose job is lost
        Index("ix_webhook_deliveries_in_flight", "in_flight_until", postgresql_where=text("in_flight IS NOT NULL")),
        Index(
            "ix_webhook_deliveries_due",
            text("coalesce(next_attempt_at, created_at)"),
            postgresql_where=text("status = 'pending' AND in_flight IS NULL"),
        ),
        CheckConstraint("status IN ('pending', 'succeeded', 'failed')", name="status"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), nullable=False
    )
    message_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("webhook_messages.id", ondelete="CASCADE"), nullable=False
    )
    status: Mapped[str] = mapped_column(String(16), nullable=False, server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    in_flight: Mapped[int | None] = mapped_column(Integer)  # the attempt handed to the dispatcher
    in_flight_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # then: a failed attempt
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    job_id: Mapped[int | None] = mapped_column(BigInteger)  # its current job's outbox row (``outbox_jobs.id``)
    last_error: Mapped[str | None] = mapped_column(String(300))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


class WebhookAttempt(Base):
    """The delivery log: each attempt's time, status, latency and (truncated) response."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_endpoint_id_attempted_at", "endpoint_id", "attempted_at", "id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), nullable=False
    )
    delivery_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), nullable=False
    )
    attempt: Mapped[int] = mapped_column(Integer, nullable=False)
    attempted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    status_code: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[int] = mapped_column(Integer, nullable=False)
    response: Mapped[str | None] = mapped_column(String(2048))
    error: Mapped[str | None] = mapped_column(String(300))
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))
