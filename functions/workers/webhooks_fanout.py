"""EventBridge consumer: each catalogue event becomes one delivery per subscribed webhook endpoint."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from masteria.bootstrap import container
from masteria.observability import logger
from masteria.ports import PublishedEvent
from masteria.webhooks import delivery


def published(event: dict[str, Any]) -> PublishedEvent:
    """The domain event inside an EventBridge event (``detail`` as the outbox relay wrote it)."""
    return PublishedEvent.from_detail(event["detail"])


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    c = container()
    return {"deliveries": delivery.fan_out(db=c.database, event=published(event))}
