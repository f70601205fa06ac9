"""EventBridge consumer: the domain events that end or mark cadence enrollments — a customer's message (replied),
an opt-out, a lead's stage change or close — and the contact changes that enroll continuous segments
(masteria.cadences.exits)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from masteria.bootstrap import container
from masteria.cadences import exits
from masteria.observability import logger
from masteria.ports import PublishedEvent


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    c = container()
    published = PublishedEvent.from_detail(event["detail"])
    done = exits.on_event(db=c.database, clock=c.clock, event=published)
    logger.info("cadence event", extra={"event_type": published.type, "outcome": done})
    return {"outcome": done}
