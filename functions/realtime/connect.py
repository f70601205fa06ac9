"""WebSocket ``$connect``: a valid access token registers the connection under its company; else 401."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.realtime import gateway
from masteria.bootstrap import container
from masteria.errors import Unauthorized
from masteria.observability import logger
from masteria.realtime import service


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = gateway.parse(event)
    c = container()
    try:
        connection = service.connect(
            db=c.database,
            tokens=c.token_config,
            registry=c.connection_registry,
            connection_id=request.connection_id,
            token=request.token,
            now=c.clock.now(),
            ttl=timedelta(seconds=c.settings.realtime_connection_ttl_seconds),
        )
    except Unauthorized:
        logger.info("websocket refused", extra={"credentials_given": request.token is not None})
        return gateway.refused(401)
    logger.info("websocket connected", extra={"company_id": str(connection.company_id)})
    return gateway.accepted(request.subprotocol)
