"""WebSocket ``$disconnect``: the connection is forgotten."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.realtime import gateway
from masteria.bootstrap import container
from masteria.observability import logger
from masteria.realtime import service


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = gateway.parse(event)
    service.disconnect(registry=container().connection_registry, connection_id=request.connection_id)
    return gateway.accepted()
