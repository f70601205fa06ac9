from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    func,
)
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from masteria.db import Base, Timestamped, company_fk, uuid_pk

# The order statuses move in; a status never moves back (failed is final).
STATUS_RANK = {"accepted": 0, "sent": 1, "delivered": 2, "read": 3, "played": 4, "failed": 5}


class Conversation(Timestamped, Base):
    """One contact on one connection; closed conversations reopen when the contact writes again."""

    __tablename__ = "conversations"
    __table_args__ = (
        Index("uq_conversations_connection_id_contact_id", "connection_id", "contact_id", unique=True),
        Index("ix_conversations_company_id_last_message_at", "company_id", "last_message_at", "id"),
        CheckConstraint("status IN ('open', 'pending', 'closed')", name="status"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    connection_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("channel_connections.id", ondelete="CASCADE"), nullable=False
    )
    contact_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False
    )
    channel: Mapped[str] = mapped_column(String(16), nullable=False, server_default="whatsapp")
    status: Mapped[str] = mapped_column(String(16), nullable=False, server_default="open")
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    last_message_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_inbound_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # the 24-hour customer service window: free-form replies are allowed until then (META.md §1.7)
    window_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    unread_count: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


class Message(Timestamped, Base):
    __tablename__ = "messages"
    __table_args__ = (
        Index("uq_messages_connection_id_wamid", "connection_id", "wamid", unique=True),
        Index("ix_messages_conversation_id_sent_at", "conversation_id", "sent_at", "id"),
        CheckConstraint("direction IN ('in', 'out')", name="direction"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    connection_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("channel_connections.id", ondelete="CASCADE"), nullable=False
    )
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False
    )
    contact_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False
    )
    direction: Mapped[str] = mapped_column(String(3), nullable=False)
    wamid: Mapped[str] = mapped_column(String(255), nullable=False)
    type: Mapped[str] = mapped_column(String(32), nullable=False)
    text: Mapped[str | None] = mapped_column(Text)
    content: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default=sql("'{}'::jsonb"))
    reply_to_wamid: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    status_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False, server_default=sql("'[]'::jsonb"))
    pricing: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # the contact edited it
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # the contact deleted it
    # the reactions on it, one per sender: [{"by": wa_id, "emoji": "👍" (null: taken back), "at": iso time}]
    reactions: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False, server_default=sql("'[]'::jsonb"))


# What may wait for a message we do not know yet (a status before the send has committed, an edit of a
# message that has not come).
PENDING_KINDS = ("status", "edit", "revoke", "reaction")


class PendingMessageUpdate(Timestamped, Base):
    """A status, edit, deletion or reaction for a wamid we do not know yet: applied when the message appears."""

    __tablename__ = "pending_message_updates"
    __table_args__ = (
        Index("ix_pending_message_updates_connection_id_wamid", "connection_id", "wamid"),
        Index("ix_pending_message_updates_company_id_created_at", "company_id", "created_at"),
        CheckConstraint("kind IN ('status', 'edit', 'revoke', 'reaction')", name="kind"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    company_id: Mapped[uuid.UUID] = company_fk()
    connection_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("channel_connections.id", ondelete="CASCADE"), nullable=False
    )
    wamid: Mapped[str] = mapped_column(String(255), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    body: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)


class MetaErrorReport(Timestamped, Base):
    """An error Meta reported about a connection's account or app (``value.errors``), told once: a
    redelivery of it finds its digest here, reported less than ``REPORT_AGAIN_AFTER`` ago, and notifies no one."""

    __tablename__ = "meta_error_reports"
    __table_args__ = (Index("uq_meta_error_reports_connection_id_digest", "connection_id", "digest", unique=True),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    company_id: Mapped[uuid.UUID] = company_fk()
    connection_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("channel_connections.id", ondelete="CASCADE"), nullable=False
    )
    digest: Mapped[str] = mapped_column(String(64), nullable=False)  # sha256 of the error, canonical JSON
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class InboundDeadLetter(Timestamped, Base):
    """A webhook body we could not process, kept whole (never dropped)."""

    __tablename__ = "inbound_dead_letters"

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    connection_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    body: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    error: Mapped[str] = mapped_column(String(500), nullable=False)


class ConversationNote(Timestamped, Base):
    """An internal note on a conversation: seen by the team, never sent to the contact."""

    __tablename__ = "conversation_notes"
    __table_args__ = (Index("ix_conversation_notes_conversation_id_created_at", "conversation_id", "created_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False
    )
    author_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text, nullable=False)
