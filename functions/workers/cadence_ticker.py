"""Scheduled (every minute): runs every company's due cadence steps — waits, branches, tags, lead moves,
notifications, events inline, send steps handed to the send ledger — and enrolls continuous segments' new contacts
(masteria.cadences.engine, masteria.cadences.segments)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from masteria.bootstrap import container
from masteria.cadences import engine, segments
from masteria.observability import logger


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    c = container()
    enrolled = segments.sync_due(db=c.database, clock=c.clock)
    counts = {**engine.tick(db=c.database, clock=c.clock), "segment_enrolled": enrolled}
    logger.info("cadence tick", extra=counts)
    return counts
