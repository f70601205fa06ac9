"""Account-level changes of Meta's webhooks (not about one message): template status and quality, a phone
number's quality and limits, account updates."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.channels.models import ChannelConnection
from masteria.conversations.inbound_common import Result
from masteria.notifications import service as notifications
from masteria.templates.models import WhatsAppTemplate


def _template(session: Session, connection: ChannelConnection, value: dict[str, Any]) -> WhatsAppTemplate | None:
    return session.scalars(
        select(WhatsAppTemplate).where(
            WhatsAppTemplate.connection_id == connection.id,
            WhatsAppTemplate.meta_id == str(value.get("message_template_id")),
        )
    ).first()


def template_status(session: Session, connection: ChannelConnection, value: dict[str, Any], result: Result) -> None:
    template = _template(session, connection, value)
    if template is None:
        return  # not mirrored yet: the next sync brings it
    template.status = str(value.get("event") or template.status)[:32]
    reason = value.get("reason")
    template.rejected_reason = str(reason)[:200] if reason and reason != "NONE" else None
    result.updates += 1


def template_quality(session: Session, connection: ChannelConnection, value: dict[str, Any], result: Result) -> None:
    template = _template(session, connection, value)
    if template is None:
        return
    template.quality = str(value.get("new_quality_score") or template.quality)[:16]
    result.updates += 1


def phone_number_quality(
    session: Session, connection: ChannelConnection, value: dict[str, Any], result: Result
) -> None:
    limit = value.get("max_daily_conversations_per_business") or value.get("current_limit")
    if limit:
        connection.messaging_limit = str(limit)[:32]
    if value.get("event") == "THROUGHPUT_UPGRADE":
        connection.throughput_level = "HIGH"
    result.updates += 1


def account_update(session: Session, connection: ChannelConnection, value: dict[str, Any], result: Result) -> None:
    notifications.notify(
        session,
        company_id=connection.company_id,
        kind="whatsapp.account_update",
        title="WhatsApp account update",
        body=f"Meta reports {value.get('event', 'an update')} for {connection.name}.",
        data={"connection_id": str(connection.id), "event": value.get("event")},
    )
    result.updates += 1
