"""WebSocket ``$default``: a client's frame (subscribe, unsubscribe, ping) answered with one reply frame (the
route's response); a malformed frame gets an error frame and the connection stays."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.realtime import gateway
from masteria.bootstrap import container
from masteria.observability import logger
from masteria.realtime import frames, service


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = gateway.parse(event)
    reply = service.handle_frame(
        registry=container().connection_registry, connection_id=request.connection_id, raw=request.body
    )
    return gateway.accepted(body=frames.dump(reply))
