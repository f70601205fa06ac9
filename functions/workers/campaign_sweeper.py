"""Scheduled: keeps the bulk senders moving after crashes and lost messages. Campaigns: starts late schedules,
turns expired claims into unknown outcomes (their batch posted) or pending again (never posted) and old unknowns
into failures, completes finished campaigns, restarts
drivers. Cadence sends: the same for each number's sends (``cadences.send_sweep``), their cadences moved on."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from masteria.bootstrap import container
from masteria.cadences import send_sweep
from masteria.campaigns import planner
from masteria.observability import logger

MARGIN_SECONDS = 10.0  # kept of the remaining time: the cadence sweep stops in time for the function to return


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    c = container()
    timeout = timedelta(seconds=c.settings.campaign_unknown_timeout_seconds)
    counts = planner.sweep(db=c.database, queue=c.queue, clock=c.clock, unknown_timeout=timeout)
    logger.info("campaigns swept", extra=counts)
    until = time.monotonic() + context.get_remaining_time_in_millis() / 1000 - MARGIN_SECONDS
    cadence = send_sweep.sweep(db=c.database, clock=c.clock, unknown_timeout=timeout, until=until)
    logger.info("cadence sends swept", extra=cadence)
    return {**counts, **{f"cadence_sends_{name}": value for name, value in cadence.items()}}
