from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, column_property, mapped_column

from masteria.db import Base, Timestamped, company_fk, uuid_pk


class LocalTemplate(Timestamped, Base):
    """A text with ``{{variables}}`` (contact fields, custom fields) and their defaults."""

    __tablename__ = "local_templates"
    __table_args__ = (
        Index("uq_local_templates_company_id_name", "company_id", text("lower(name)"), unique=True),
        CheckConstraint("header_media_type IN ('image', 'video', 'document')", name="header_media_type"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    defaults: Mapped[dict[str, str]] = mapped_column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))
    header_media_type: Mapped[str | None] = mapped_column(String(10))
    header_media_url: Mapped[str | None] = mapped_column(String(2048))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )
    # the list's order and keyset (unique per company: the name index is on lower(name)), not a column
    sort_name: Mapped[str] = column_property(func.lower(name, type_=String))


class WhatsAppTemplate(Timestamped, Base):
    """A template of a WhatsApp Business Account, mirrored from Meta, with how its parameters are filled."""

    __tablename__ = "whatsapp_templates"
    __table_args__ = (
        Index("uq_whatsapp_templates_connection_id_meta_id", "connection_id", "meta_id", unique=True),
        Index("ix_whatsapp_templates_company_id_name", "company_id", "name", "language"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    # the channel connection whose WhatsApp Business Account has the template (its WABA id is a secret)
    connection_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("channel_connections.id", ondelete="CASCADE"), nullable=False
    )
    meta_id: Mapped[str] = mapped_column(String(64), nullable=False)
    name: Mapped[str] = mapped_column(String(512), nullable=False)
    language: Mapped[str] = mapped_column(String(16), nullable=False)
    category: Mapped[str] = mapped_column(String(32), nullable=False)
    status: Mapped[str] = mapped_column(String(32), nullable=False)
    quality: Mapped[str | None] = mapped_column(String(16))
    rejected_reason: Mapped[str | None] = mapped_column(String(200))
    # why the status is what it is, from Meta's status webhook (a pause's or a disabling's explanation, a
    # rejection's reason), and when Meta said so
    status_reason: Mapped[str | None] = mapped_column(String(500))
    status_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    previous_category: Mapped[str | None] = mapped_column(String(32))  # before Meta changed the category
    parameter_format: Mapped[str] = mapped_column(String(16), nullable=False, server_default="POSITIONAL")
    components: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False)
    # parameter ("body.1", "header.1", "button.0.1", "body.first_name") → variable ("first_name", "custom.city")
    parameters: Mapped[dict[str, str]] = mapped_column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))
    defaults: Mapped[dict[str, str]] = mapped_column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))
    synced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )
