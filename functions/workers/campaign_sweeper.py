"""Scheduled: keeps campaigns moving after crashes and lost messages: starts late schedules, turns expired
claims into unknown outcomes and old unknowns into failures, completes finished campaigns, restarts drivers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from masteria.bootstrap import container
from masteria.campaigns import planner
from masteria.observability import logger


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    c = container()
    timeout = timedelta(seconds=c.settings.campaign_unknown_timeout_seconds)
    counts = planner.sweep(db=c.database, queue=c.queue, clock=c.clock, unknown_timeout=timeout)
    logger.info("campaigns swept", extra=counts)
    return counts
