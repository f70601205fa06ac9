"""Whether a company's endpoints listen for an event type: asked before recording events that would otherwise
flood the outbox (a campaign's per-recipient statuses), so only companies that asked for them pay for them."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from masteria.events import EventType
from masteria.webhooks.models import WebhookEndpoint


def subscribed(session: Session, event_type: EventType) -> bool:
    """True when an enabled endpoint of the transaction's company lists ``event_type``."""
    listening = select(WebhookEndpoint.id).where(
        WebhookEndpoint.enabled.is_(True), WebhookEndpoint.event_types.contains([event_type.value])
    )
    return bool(session.scalar(select(exists(listening))))
