"""The local runtime's queue table: SQS semantics on PostgreSQL (no tenant: bodies carry theirs)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from masteria.db import Base


class QueueMessageRow(Base):
    __tablename__ = "queue_messages"
    __table_args__ = (Index("ix_queue_messages_queue_visible_at", "queue", "visible_at", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    queue: Mapped[str] = mapped_column(String(80), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    visible_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    receive_count: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    receipt: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
