"""EventBridge consumer: the AI responder's side of the domain events. A customer's message joins its
conversation's burst (its timer a delayed job for ``ai_replier``); a person's reply, an assignment to a person or
the customer's opt-out stops the AI in that conversation (masteria.ai.bursts)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from masteria.ai import bursts
from masteria.bootstrap import container
from masteria.observability import logger
from masteria.ports import PublishedEvent


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    c = container()
    published = PublishedEvent.from_detail(event["detail"])
    done = bursts.on_event(db=c.database, clock=c.clock, event=published)
    logger.info("ai responder event", extra={"event_type": published.type, "outcome": done})
    return {"outcome": done}
