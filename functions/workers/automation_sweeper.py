"""Scheduled: the ``no_reply`` automation rules run once for each conversation whose customer has not answered our
message for the rule's hours (masteria.automations.sweep)."""

from __future__ import annotations

import time
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from masteria.automations import sweep
from masteria.bootstrap import container
from masteria.observability import logger

MARGIN_SECONDS = 10.0  # kept of the remaining time: the rule under way ends and the function returns


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    c = container()
    until = time.monotonic() + context.get_remaining_time_in_millis() / 1000 - MARGIN_SECONDS
    fired = sweep.sweep(db=c.database, clock=c.clock, until=until)
    logger.info("automation sweep", extra={"fired": fired})
    return {"fired": fired}
