"""Scheduled: asks Meta about every Meta connection's access token; notifies before expiry and on failure."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from masteria.bootstrap import container
from masteria.channels import token_checks
from masteria.observability import logger


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    c = container()
    counts = token_checks.check_all(db=c.database, keys=c.company_keys, graph=c.graph, clock=c.clock)
    logger.info("connection tokens checked", extra=counts)
    return counts
