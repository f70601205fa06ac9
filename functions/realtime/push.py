"""EventBridge consumer: a domain event as frames to the company's subscribed WebSocket clients that may see
them; connections that are gone (410) are forgotten."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from masteria.bootstrap import container
from masteria.observability import logger
from masteria.ports import PublishedEvent
from masteria.realtime import service


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    c = container()
    result = service.push(
        db=c.database,
        registry=c.connection_registry,
        poster=c.realtime,
        event=PublishedEvent.from_detail(event["detail"]),
    )
    return asdict(result)
