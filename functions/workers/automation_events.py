"""EventBridge consumer: the domain events automation rules start on (a customer's message, a conversation created
or closed, a tag added or removed, a lead created or moved, an appointment scheduled, a campaign reply, an opt-out)
run the company's matching rules in order, each once per event (masteria.automations.runner)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from masteria.automations import runner
from masteria.bootstrap import container
from masteria.observability import logger
from masteria.ports import PublishedEvent


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    c = container()
    published = PublishedEvent.from_detail(event["detail"])
    done = runner.on_event(db=c.database, clock=c.clock, event=published)
    logger.info("automation event", extra={"event_type": published.type, "outcome": done})
    return {"outcome": done}
