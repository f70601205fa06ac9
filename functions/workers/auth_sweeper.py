"""Scheduled: deletes stale failed-login counters."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from masteria.bootstrap import container
from masteria.observability import logger
from masteria.tenancy import service


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    c = container()
    deleted = service.sweep_expired(db=c.database, clock=c.clock, throttle=c.login_throttle)
    logger.info("auth sweep done", extra={"deleted": deleted})
    return {"deleted": deleted}
