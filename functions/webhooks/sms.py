"""SMS webhooks: an SNS HTTPS subscription per connection, ``POST /webhooks/sms/{key}``.

AWS End User Messaging SMS publishes two-way messages and its configuration set's delivery events to SNS topics;
each connection's subscription posts them here. The SNS signature is checked on the raw bytes (the certificate
fetched from SNS only, the topic one of the connection's), then a notification goes on the ``inbound`` queue byte
for byte and a subscription confirmation is confirmed at SNS. A failed check is a 403, logged without the body and
counted (metric ``SmsWebhookUnverified``). No database: the connection's topics come from the inbound secrets store.
"""

from __future__ import annotations

import base64
import binascii
import threading
import time
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from masteria.bootstrap import container
from masteria.channels.inbound_job import QUEUE, new_job
from masteria.channels.providers.port import Unverified
from masteria.channels.providers.sms_aws.provider import NAME, SmsAwsProvider
from masteria.observability import count, logger
from masteria.ports import InboundSecret

CACHE_SECONDS = 60.0
UNVERIFIED_METRIC = "SmsWebhookUnverified"
_cache: dict[str, tuple[InboundSecret | None, float]] = {}
_lock = threading.Lock()


def _secret(key: str) -> InboundSecret | None:
    now = time.monotonic()
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached[1] > now:
            return cached[0]
    found = container().inbound_secrets.get(key) if 16 <= len(key) <= 64 else None
    with _lock:
        _cache[key] = (found, now + (CACHE_SECONDS if found else 5.0))
    return found


def _answer(status: int, body: str = "") -> dict[str, Any]:
    return {"statusCode": status, "headers": {"content-type": "text/plain"}, "body": body}


def _provider() -> SmsAwsProvider:
    provider = container().providers.get(NAME)
    assert isinstance(provider, SmsAwsProvider)
    return provider


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    method = event.get("requestContext", {}).get("http", {}).get("method", "")
    key = (event.get("pathParameters") or {}).get("key", "")
    secret = _secret(key)
    if secret is None or secret.provider != NAME:
        return _answer(404, "unknown webhook")
    if method != "POST":
        return _answer(405)
    body = event.get("body") or ""
    try:
        raw = base64.b64decode(body, validate=True) if event.get("isBase64Encoded") else body.encode("utf-8")
    except (binascii.Error, ValueError):  # not base64 (ValueError: not ASCII)
        return _answer(400, "the body is not base64")
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    provider = _provider()
    try:
        message = provider.verified(raw, headers, frozenset(secret.topic_arns))
    except Unverified as refused:
        # our own words for why (never the body: it holds phone numbers and the customer's text)
        logger.warning(
            "sms webhook failed its SNS check", extra={"connection_id": str(secret.connection_id), "why": str(refused)}
        )
        count(UNVERIFIED_METRIC, provider=NAME)
        return _answer(403, "invalid signature")
    if message.type == "SubscriptionConfirmation":
        confirmed = provider.verifier.confirm(message)
        logger.info("sms webhook subscription", extra={"connection_id": str(secret.connection_id), "ok": confirmed})
        return _answer(200, "confirmed") if confirmed else _answer(502, "could not confirm")  # SNS sends it again
    if message.type == "UnsubscribeConfirmation":
        logger.info("sms webhook unsubscribed", extra={"connection_id": str(secret.connection_id)})
        return _answer(200, "ok")
    c = container()
    job = new_job(
        company_id=secret.company_id,
        connection_id=secret.connection_id,
        received_at=c.clock.now(),
        raw=raw,
        store=c.object_store,
    )
    c.queue.send(QUEUE, job.model_dump_json())
    return _answer(200, "ok")
