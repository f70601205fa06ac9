"""Meta's webhooks, one URL per connection: ``/webhooks/meta/{key}``.

GET answers Meta's verification handshake with the connection's verify token. POST has the provider check
``X-Hub-Signature-256`` over the raw bytes (``MetaCloudProvider.verify``), puts the body on the ``inbound``
queue byte for byte, and answers 200. No database here: the secrets
come from the inbound secrets store (DynamoDB + KMS on AWS), cached for a minute per warm function.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import threading
import time
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from masteria.bootstrap import container
from masteria.channels.inbound_job import QUEUE, new_job
from masteria.channels.providers.meta_cloud.config import WebhookConfig
from masteria.channels.providers.port import Unverified
from masteria.observability import logger
from masteria.ports import InboundSecret

CACHE_SECONDS = 60.0
_cache: dict[str, tuple[InboundSecret | None, float]] = {}
_lock = threading.Lock()


def _secret(key: str) -> InboundSecret | None:
    now = time.monotonic()
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached[1] > now:
            return cached[0]
    found = container().inbound_secrets.get(key) if 16 <= len(key) <= 64 else None
    if found is not None and found.provider != "meta_cloud":
        found = None  # another provider's connection (an SMS one): not a key of Meta's webhooks
    with _lock:
        _cache[key] = (found, now + (CACHE_SECONDS if found else 5.0))
    return found


def _answer(status: int, body: str = "") -> dict[str, Any]:
    return {"statusCode": status, "headers": {"content-type": "text/plain"}, "body": body}


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    method = event.get("requestContext", {}).get("http", {}).get("method", "")
    key = (event.get("pathParameters") or {}).get("key", "")
    secret = _secret(key)
    if secret is None:
        return _answer(404, "unknown webhook")
    if method == "GET":
        query = event.get("queryStringParameters") or {}
        token = query.get("hub.verify_token", "")
        if query.get("hub.mode") == "subscribe" and hmac.compare_digest(token.encode(), secret.verify_token.encode()):
            return _answer(200, query.get("hub.challenge", ""))
        return _answer(403, "verification failed")
    if method != "POST":
        return _answer(405)
    body = event.get("body") or ""
    try:
        raw = base64.b64decode(body, validate=True) if event.get("isBase64Encoded") else body.encode("utf-8")
    except (binascii.Error, ValueError):  # not base64 (ValueError: not ASCII)
        return _answer(400, "the body is not base64")
    c = container()
    try:
        c.providers.get("meta_cloud").verify(
            raw,
            event.get("headers") or {},
            WebhookConfig(app_secret=secret.app_secret, verify_token=secret.verify_token),
        )
    except Unverified:
        logger.warning(
            "meta webhook with a missing or wrong signature", extra={"connection_id": str(secret.connection_id)}
        )
        return _answer(401, "invalid signature")
    job = new_job(
        company_id=secret.company_id,
        connection_id=secret.connection_id,
        received_at=c.clock.now(),
        raw=raw,
        store=c.object_store,
    )
    c.queue.send(QUEUE, job.model_dump_json())
    return _answer(200, "ok")
