from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, column_property, mapped_column

from masteria.db import Base, Timestamped, company_fk, uuid_pk

FIELD_TYPES = ("text", "number", "date", "boolean", "select")
CHANNELS = ("whatsapp", "sms")
CONSENT_STATUSES = ("opted_in", "opted_out")
# How a consent change came: a signed-in user (the dashboard or the API: every caller of the API is one),
# the contact's own message matching one of the company's keywords, or the contact stopping or resuming
# marketing messages in WhatsApp itself (Meta's user_preferences webhook).
CONSENT_SOURCES = ("user", "inbound_keyword", "whatsapp_preferences")


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class Contact(Timestamped, Base):
    __tablename__ = "contacts"
    __table_args__ = (
        Index("uq_contacts_company_id_phone", "company_id", "phone", unique=True),
        Index("ix_contacts_company_id_created_at", "company_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    phone: Mapped[str] = mapped_column(String(20), nullable=False)
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    language: Mapped[str | None] = mapped_column(String(16))
    notes: Mapped[str | None] = mapped_column(Text)
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))
    is_valid: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("true"))
    last_inbound_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


class ContactTerm(Base):
    """What contact search looks up, kept by statement triggers on ``contacts`` (migration 0133): ``w`` and a word
    of the contact's name or email (lower case, accents folded: ``contact_search_words``). Searched by prefix, a
    range of the primary key: comparisons of text are leakproof, so row-level security lets the index serve them
    (``LIKE`` and trigrams it does not)."""

    __tablename__ = "contact_terms"

    company_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    )
    term: Mapped[str] = mapped_column(Text(collation="C"), primary_key=True)
    contact_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)


class CustomFieldDefinition(Timestamped, Base):
    __tablename__ = "custom_field_definitions"
    __table_args__ = (
        Index("uq_custom_field_definitions_company_id_key", "company_id", "key", unique=True),
        CheckConstraint("type IN ('text', 'number', 'date', 'boolean', 'select')", name="type"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    key: Mapped[str] = mapped_column(String(64), nullable=False)
    label: Mapped[str] = mapped_column(String(200), nullable=False)
    sort_label: Mapped[str] = column_property(func.lower(label, type_=String))  # the order, whatever the collation
    type: Mapped[str] = mapped_column(String(16), nullable=False)
    options: Mapped[list[str]] = mapped_column(JSONB, nullable=False, server_default=text("'[]'::jsonb"))


class Tag(Timestamped, Base):
    __tablename__ = "tags"
    __table_args__ = (Index("uq_tags_company_id_name", "company_id", text("lower(name)"), unique=True),)

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    sort_name: Mapped[str] = column_property(func.lower(name, type_=String))
    color: Mapped[str] = mapped_column(String(7), nullable=False, server_default="#64748b")


class ContactTag(Timestamped, Base):
    __tablename__ = "contact_tags"
    __table_args__ = (Index("ix_contact_tags_tag_id", "tag_id"),)

    contact_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True
    )
    company_id: Mapped[uuid.UUID] = company_fk()


class ContactConsent(Base):
    """Per contact and channel: the latest opt-in and opt-out, with their evidence."""

    __tablename__ = "contact_consents"
    __table_args__ = (
        CheckConstraint("channel IN ('whatsapp', 'sms')", name="channel"),
        CheckConstraint("status IN ('opted_in', 'opted_out')", name="status"),
    )

    contact_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    company_id: Mapped[uuid.UUID] = company_fk()
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    opted_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    opt_in_source: Mapped[str | None] = mapped_column(String(200))
    opt_in_proof: Mapped[str | None] = mapped_column(Text)
    opted_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    opt_out_reason: Mapped[str | None] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


class ConsentEvent(Base):
    """One change of a contact's consent on a channel: the history behind ``ContactConsent``. Append-only
    (the application role may not update or delete it); it goes with its contact."""

    __tablename__ = "consent_events"
    __table_args__ = (
        Index("ix_consent_events_company_id_contact_id_created_at", "company_id", "contact_id", "created_at", "id"),
        CheckConstraint(f"channel IN ({_in(CHANNELS)})", name="channel"),
        CheckConstraint(f"status IN ({_in(CONSENT_STATUSES)})", name="status"),
        CheckConstraint(f"source IN ({_in(CONSENT_SOURCES)})", name="source"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    company_id: Mapped[uuid.UUID] = company_fk()
    contact_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False
    )
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    source: Mapped[str] = mapped_column(String(32), nullable=False)
    opt_in_source: Mapped[str | None] = mapped_column(String(200))
    proof: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(String(500))
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())


class ContactList(Timestamped, Base):
    __tablename__ = "contact_lists"
    __table_args__ = (Index("uq_contact_lists_company_id_name", "company_id", text("lower(name)"), unique=True),)

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    sort_name: Mapped[str] = column_property(func.lower(name, type_=String))
    description: Mapped[str | None] = mapped_column(String(500))


class ContactListMember(Timestamped, Base):
    __tablename__ = "contact_list_members"
    __table_args__ = (Index("ix_contact_list_members_contact_id", "contact_id"),)

    list_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("contact_lists.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    company_id: Mapped[uuid.UUID] = company_fk()


class Segment(Timestamped, Base):
    """A saved dynamic filter (``SegmentFilter`` as JSON), evaluated whenever it is used."""

    __tablename__ = "segments"
    __table_args__ = (Index("uq_segments_company_id_name", "company_id", text("lower(name)"), unique=True),)

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    sort_name: Mapped[str] = column_property(func.lower(name, type_=String))
    filter: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


class ContactImport(Timestamped, Base):
    """One CSV import: its file, mapping and progress. The worker resumes from ``processed``."""

    __tablename__ = "contact_imports"
    __table_args__ = (
        CheckConstraint(
            "status IN ('awaiting_upload', 'uploaded', 'queued', 'processing', 'completed', 'failed')", name="status"
        ),
        Index("ix_contact_imports_in_hand", "expires_at", postgresql_where=text("status IN ('queued', 'processing')")),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    created_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    object_key: Mapped[str] = mapped_column(String(300), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, server_default="awaiting_upload")
    encoding: Mapped[str | None] = mapped_column(String(20))
    delimiter: Mapped[str | None] = mapped_column(String(1))
    headers: Mapped[list[str]] = mapped_column(JSONB, nullable=False, server_default=text("'[]'::jsonb"))
    mapping: Mapped[dict[str, str]] = mapped_column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))
    size_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    total: Mapped[int | None] = mapped_column(Integer)
    processed: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    inserted: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    updated: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    rejected: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    error: Mapped[str | None] = mapped_column(String(500))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Work in hand: a queued or processing import not moving by ``expires_at`` is taken up again by the
    # sweeper (``import_jobs``); ``attempt`` fences out a run that was replaced, ``stalls`` counts runs in a
    # row that stopped without progress (failed at the limit).
    attempt: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    stalls: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ContactImportRejection(Base):
    __tablename__ = "contact_import_rejections"

    import_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("contact_imports.id", ondelete="CASCADE"), primary_key=True
    )
    row_number: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[uuid.UUID] = company_fk()
    reason: Mapped[str] = mapped_column(String(300), nullable=False)
    record: Mapped[list[str]] = mapped_column(JSONB, nullable=False)


class ContactSettings(Base):
    """Per-company CRM settings: the keywords that opt a contact out or back in."""

    __tablename__ = "contact_settings"

    company_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    )
    stop_keywords: Mapped[list[str]] = mapped_column(JSONB, nullable=False)
    opt_in_keywords: Mapped[list[str]] = mapped_column(JSONB, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )
