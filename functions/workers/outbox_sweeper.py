"""Scheduled: publishes domain events whose after-commit relay did not happen (process died, bus down)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from masteria import outbox
from masteria.bootstrap import container
from masteria.observability import logger


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    c = container()
    return {"published": outbox.sweep(c.database, c.event_bus)}
