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
    LargeBinary,
    String,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from masteria.db import Base, Timestamped, company_fk, uuid_pk

# Each provider of a connection and the channel it carries (its ``Provider.channel`` says the same).
PROVIDER_CHANNELS = {"meta_cloud": "whatsapp", "sms_aws": "sms"}
PROVIDERS = tuple(PROVIDER_CHANNELS)
# What Meta says of the account behind a connection (its account_update webhooks), apart from our own check of
# the token (``status``): in good standing, restricted (some messaging blocked for a while), disabled (banned),
# or disconnected (the account deleted, or no longer shared with our app).
ACCOUNT_STATES = ("ok", "restricted", "disabled", "disconnected")


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class ChannelConnection(Timestamped, Base):
    """A number a company sends from, through one provider (Meta's Cloud API for WhatsApp, AWS End User Messaging
    for SMS): the provider's configuration sealed in ``config``, and what can be shown of it in columns."""

    __tablename__ = "channel_connections"
    __table_args__ = (
        Index("uq_channel_connections_webhook_key", "webhook_key", unique=True),
        Index("uq_channel_connections_company_id_name", "company_id", text("lower(name)"), unique=True),
        CheckConstraint(f"provider IN ({_in(PROVIDERS)})", name="provider"),
        CheckConstraint("status IN ('active', 'failing')", name="status"),
        CheckConstraint(f"account_status IN ({_in(ACCOUNT_STATES)})", name="account_status"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    company_id: Mapped[uuid.UUID] = company_fk()
    provider: Mapped[str] = mapped_column(String(16), nullable=False, server_default="meta_cloud")
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, server_default="active")
    # the public part of this connection's webhook URL (not a secret: the signature is what authenticates)
    webhook_key: Mapped[str] = mapped_column(String(64), nullable=False)
    # the provider's configuration model as JSON (MetaCloudConfig, SmsConfig), sealed by masteria.crypto under
    # the company's key and bound to this row's ``config`` (channels.connections reads and writes it)
    config: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    # the number as people see it (SMS: the origination number or sender ID)
    display_phone_number: Mapped[str | None] = mapped_column(String(32))
    verified_name: Mapped[str | None] = mapped_column(String(200))
    quality_rating: Mapped[str | None] = mapped_column(String(16))
    throughput_level: Mapped[str | None] = mapped_column(String(32))
    messaging_limit: Mapped[str | None] = mapped_column(String(32))
    token_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(500))
    account_status: Mapped[str] = mapped_column(String(16), nullable=False, server_default="ok")
    # the last account_update Meta sent that changed or explained ``account_status`` (its event and detail)
    account_detail: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # Meta's time of that last account_update (its webhook entry's): an older one arriving late is ignored
    account_updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


class ChannelAccountEvent(Timestamped, Base):
    """One account_update webhook of a connection, kept once: a redelivery (the same change again) finds its
    digest here and changes nothing, notifies no one."""

    __tablename__ = "channel_account_events"
    __table_args__ = (Index("uq_channel_account_events_connection_id_digest", "connection_id", "digest", unique=True),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    company_id: Mapped[uuid.UUID] = company_fk()
    connection_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("channel_connections.id", ondelete="CASCADE"), nullable=False
    )
    # sha256 of the change's value and its webhook entry's time (Meta's, kept on retries), canonical JSON
    digest: Mapped[str] = mapped_column(String(64), nullable=False)
    event: Mapped[str] = mapped_column(String(64), nullable=False)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
