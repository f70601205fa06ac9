"""Scheduled: publishes domain events and sends outbox jobs whose after-commit relay did not happen (process
died, bus or queue down), and takes up work in hand past its expiry (webhook deliveries with the dispatcher,
imports queued or processing). The campaign engine's own work in hand has its sweeper (``campaign_sweeper``)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from masteria import jobs, outbox
from masteria.bootstrap import container
from masteria.contacts import import_jobs
from masteria.observability import logger
from masteria.webhooks import delivery


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    c = container()
    deliveries = delivery.sweep(db=c.database, clock=c.clock)
    imports = import_jobs.sweep(db=c.database, clock=c.clock)
    return {
        "published": outbox.sweep(c.database, c.event_bus),
        "jobs_sent": jobs.sweep(c.database, c.queue, c.clock),
        **{f"deliveries_{k}": v for k, v in deliveries.items()},
        **{f"imports_{k}": v for k, v in imports.items()},
    }
