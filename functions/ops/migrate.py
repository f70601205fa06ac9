"""Deploy step: applies database migrations (a CloudFormation custom resource, on every deploy).

Called by the CDK provider framework with a CloudFormation request; returning reports success and
raising reports failure, which rolls the deploy back before new code serves traffic.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from masteria.bootstrap import container
from masteria.observability import logger

PHYSICAL_ID = "masteria-database-migrations"


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if event.get("RequestType") == "Delete":
        # Removing the stack must never touch the data.
        return {"PhysicalResourceId": event.get("PhysicalResourceId", PHYSICAL_ID)}
    head = container().migrate()
    logger.info("migrations applied", extra={"head": head})
    return {"PhysicalResourceId": PHYSICAL_ID, "Data": {"Head": head}}
