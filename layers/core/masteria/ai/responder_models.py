"""The AI responder's tables: each conversation's AI state, the customer's bursts of messages (one answer each) and
the parts of each answer, sent one by one.

- ``ai_conversation_states``: whether the AI answers in a conversation (``active``), or stopped there (``paused``:
  a person replied, took it, the customer opted out, a user paused it; ``handed_off``: the AI handed it to a
  person), and why. No row: never touched, answered as ``active`` unless a person is assigned.
- ``ai_bursts``: the customer's messages the AI answers together, once. A message joins one burst only
  (``ai_burst_messages``' primary key: a redelivered ``message.received`` finds it there); a conversation has one
  ``pending`` burst at most; claiming it (pending → answering) is one conditional UPDATE.
- ``ai_reply_parts``: an answer split at sentence boundaries, each part sent by its own delayed job, each with the
  id of the ``messages`` row it becomes (the inbox's reply ledger, ``conversations.outbound``): a part is marked
  ``sending`` (committed) before its request, so no retry ever sends it twice.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from masteria.db import Base, Timestamped, company_fk, uuid_pk

STATE_STATUSES = ("active", "paused", "handed_off")
# why the AI stopped in a conversation: a person's reply there, an assignment to a person, the customer's opt-out,
# a user's pause, an automation rule's; a handoff's own trigger is ``handoff_trigger``
PAUSE_REASONS = ("human_reply", "assigned", "opted_out", "paused_by_user", "automation")
BURST_STATES = ("pending", "answering", "answered", "skipped", "cancelled")
PART_STATES = ("planned", "sending", "sent", "unknown", "refused", "cancelled")
PART_PURPOSES = ("reply", "handoff", "outside_window")
PART_KINDS = ("text", "template")
FINAL_PART_STATES = ("sent", "unknown", "refused", "cancelled")


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class AiConversationState(Base):
    """Whether the AI answers in one conversation, and why not when it does not."""

    __tablename__ = "ai_conversation_states"
    __table_args__ = (
        CheckConstraint(f"status IN ({_in(STATE_STATUSES)})", name="status"),
        CheckConstraint(f"paused_reason IS NULL OR paused_reason IN ({_in(PAUSE_REASONS)})", name="paused_reason"),
    )

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    company_id: Mapped[uuid.UUID] = company_fk()
    status: Mapped[str] = mapped_column(String(16), nullable=False, server_default="active")
    paused_reason: Mapped[str | None] = mapped_column(String(32))
    handoff_trigger: Mapped[str | None] = mapped_column(String(32))  # event_payloads.HANDOFF_TRIGGERS
    handoff_reason: Mapped[str | None] = mapped_column(String(500))
    handed_off_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    handed_off_to: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )
    # the persona that last acted here (answered, handed off)
    persona_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("personas.id", ondelete="SET NULL")
    )
    # consecutive answers that found nothing in the knowledge: a second one hands the conversation off
    misunderstandings: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    last_burst_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    changed_by: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("users.id", ondelete="SET NULL")
    )  # the user who paused or resumed it (null: the AI or the system)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())


class AiBurst(Timestamped, Base):
    """A customer's burst of messages, answered once when ``due_at`` (its last message plus the persona's
    debounce) has passed with no newer message."""

    __tablename__ = "ai_bursts"
    __table_args__ = (
        Index(
            "uq_ai_bursts_conversation_id_pending",
            "conversation_id",
            unique=True,
            postgresql_where=text("state = 'pending'"),
        ),
        Index("ix_ai_bursts_conversation_id_created_at", "conversation_id", "created_at"),
        CheckConstraint(f"state IN ({_in(BURST_STATES)})", name="state"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False
    )
    first_message_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    last_message_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)  # its first message came
    last_message_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    message_count: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False, server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")  # claims so far
    claim: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))  # the answering worker's token
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str | None] = mapped_column(String(64))  # why skipped or cancelled; what answered it
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # its last part is final
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


class AiBurstMessage(Base):
    """A customer's message in its burst: each message in one burst only, so a redelivery joins nothing."""

    __tablename__ = "ai_burst_messages"
    __table_args__ = (
        PrimaryKeyConstraint("message_id", name="pk_ai_burst_messages"),
        Index("ix_ai_burst_messages_burst_id", "burst_id"),
    )

    message_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("messages.id", ondelete="CASCADE"), nullable=False
    )
    company_id: Mapped[uuid.UUID] = company_fk()
    burst_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("ai_bursts.id", ondelete="CASCADE"), nullable=False
    )


class AiReplyPart(Timestamped, Base):
    """One part of an answer (a sentence-bounded piece, the handoff's notice, or the outside-window template),
    sent at ``send_at`` as the ``messages`` row ``message_id``."""

    __tablename__ = "ai_reply_parts"
    __table_args__ = (
        Index("uq_ai_reply_parts_burst_id_position", "burst_id", "position", unique=True),
        Index("uq_ai_reply_parts_message_id", "message_id", unique=True),
        Index("ix_ai_reply_parts_conversation_id_created_at", "conversation_id", "created_at"),
        CheckConstraint(f"state IN ({_in(PART_STATES)})", name="state"),
        CheckConstraint(f"purpose IN ({_in(PART_PURPOSES)})", name="purpose"),
        CheckConstraint(f"kind IN ({_in(PART_KINDS)})", name="kind"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    burst_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("ai_bursts.id", ondelete="CASCADE"), nullable=False
    )
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)  # 0, 1, …
    parts: Mapped[int] = mapped_column(Integer, nullable=False)  # how many the answer has
    purpose: Mapped[str] = mapped_column(String(16), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, server_default="text")
    text: Mapped[str] = mapped_column(Text, nullable=False)  # the text, or the template as the customer sees it
    template_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    send_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False, server_default="planned")
    message_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)  # the messages row it becomes
    reason: Mapped[str | None] = mapped_column(String(300))  # why refused or cancelled
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    persona_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("personas.id", ondelete="SET NULL")
    )
    persona_version: Mapped[int | None] = mapped_column(Integer)
    decision_id: Mapped[int | None] = mapped_column(BigInteger)
