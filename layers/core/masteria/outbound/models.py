"""The outbound path's tables: the per-number send lanes of the pacer."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, func
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from masteria.db import Base, company_fk


class SendLane(Base):
    """The pacing of one sending number, shared by every sender of it (replies, campaigns, cadences, AI
    replies): the next free send slot. A sender reserves N slots at once (``next_slot_at`` moves N intervals on)."""

    __tablename__ = "send_lanes"

    connection_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("channel_connections.id", ondelete="CASCADE"), primary_key=True
    )
    company_id: Mapped[uuid.UUID] = company_fk()
    next_slot_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    # the provider's "throughput reached" backs the whole number off until then
    backoff_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
