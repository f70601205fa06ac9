"""Delivering events to endpoints: fan-out, signing, retries on a fixed schedule, the delivery log.

The work is split by what it may touch. Everything that reads the database (fan-out, signing, the
log, the retry decisions) runs in the ``webhooks`` queue's worker; the HTTP call runs in the
dispatcher, outside the VPC with no database access, which gets a signed request and answers with
an outcome. Signing happens right before each attempt, so ``webhook-timestamp`` is always fresh.

Jobs on the ``webhooks`` queue:
- ``deliver``: try a delivery once it is due (a job due later hops back onto the queue with a delay
  of at most 15 minutes, SQS's limit, until it is due);
- ``outcome``: what the dispatcher saw; logged, then success, a retry or a final failure.

Every job that follows a change (a new delivery, the signed request for the dispatcher, a retry) is an
outbox job written in that change's transaction (``masteria.jobs``), so it is never lost after a commit; the
delivery names its current job (``job_id``). An attempt with the dispatcher (``in_flight``) expires after
``IN_FLIGHT_EXPIRY``: the sweeper records it as a failed attempt (no answer) and the retry schedule goes on. A
pending delivery whose job left the outbox long ago and was due as long ago has lost it (dead-lettered, say):
the sweeper queues it again (``masteria.webhooks.sweep``); a job still in the outbox is not lost. Repeated jobs
are harmless: each attempt is signed and sent at most once.
"""

from __future__ import annotations

import base64
import json
import math
import random
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session
from standardwebhooks import Webhook

from masteria.crypto import CompanyKeys, unseal_column
from masteria.db import Database
from masteria.jobs import record_job
from masteria.notifications import service as notifications
from masteria.ports import Clock, PublishedEvent, Queue
from masteria.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookMessage

QUEUE = "webhooks"
DISPATCH_QUEUE = "webhook-dispatch"
# Waits before each retry after a failed attempt: about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h.
RETRY_DELAYS = tuple(timedelta(seconds=s) for s in (5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400))
JITTER = 0.1  # each wait is ±10%
MAX_RETRY_AFTER = timedelta(hours=24)
DISABLE_AFTER = timedelta(days=5)  # an endpoint failing this long is disabled and its company notified
ROTATION_OVERLAP = timedelta(hours=24)
MAX_DELAY_SECONDS = 900
TIMEOUT_SECONDS = 15.0
MAX_RESPONSE_BYTES = 64 * 1024
LOGGED_RESPONSE_CHARS = 2048
# An attempt handed to the dispatcher and unanswered this long is a failed attempt (the dispatcher takes 15 s;
# its queue redelivers an unfinished record a few minutes later).
IN_FLIGHT_EXPIRY = timedelta(minutes=10)
# A signed request not sent this long after signing is dropped (receivers refuse a ``webhook-timestamp`` 5
# minutes old): the attempt then expires in flight and the retry signs afresh.
SIGNED_REQUEST_EXPIRY = timedelta(minutes=4)
SECRET_PREFIX = "whsec_"  # noqa: S105 - the Standard Webhooks prefix, not a secret


class DeliverJob(BaseModel):
    kind: Literal["deliver"] = "deliver"
    company_id: uuid.UUID
    delivery_id: uuid.UUID
    attempt: int
    not_before: datetime | None = None


class DispatchJob(BaseModel):
    """A signed request for the dispatcher: everything it needs, nothing it can misuse (no secret)."""

    company_id: uuid.UUID
    delivery_id: uuid.UUID
    attempt: int
    url: str
    headers: dict[str, str]
    body: str


class Outcome(BaseModel):
    kind: Literal["outcome"] = "outcome"
    company_id: uuid.UUID
    delivery_id: uuid.UUID
    attempt: int
    attempted_at: datetime
    status_code: int | None
    latency_ms: int
    response: str | None
    error: str | None
    retry_after_seconds: int | None = None


Job = DeliverJob | Outcome


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def secrets_of(keys: CompanyKeys, session: Session, endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The endpoint's signing secrets: the current one, and during a rotation the previous one too."""
    found = [unseal_column(keys, session, endpoint, "secret")]
    rotating = endpoint.previous_secret_expires_at is not None and endpoint.previous_secret_expires_at > now
    if endpoint.previous_secret is not None and rotating:
        found.append(unseal_column(keys, session, endpoint, "previous_secret"))
    return found


def signed_headers(secrets_: list[str], message_id: str, body: str, now: datetime) -> dict[str, str]:
    """Standard Webhooks headers; during a rotation the signature lists one ``v1,`` per secret."""
    signature = " ".join(Webhook(secret).sign(message_id, now, body) for secret in secrets_)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
        "user-agent": "MasterIA-Webhooks/1",
    }


def message_body(event_type: str, occurred_at: datetime, data: dict[str, object]) -> str:
    return json.dumps({"type": event_type, "timestamp": occurred_at.isoformat(), "data": data}, separators=(",", ":"))


def _schedule(queue: Queue, job: DeliverJob, now: datetime) -> None:
    """Put ``job`` back on the queue, delayed toward its ``not_before`` (SQS delays 15 minutes at most)."""
    due_in = 0.0 if job.not_before is None else (job.not_before - now).total_seconds()
    queue.send(QUEUE, job.model_dump_json(), delay_seconds=min(MAX_DELAY_SECONDS, max(0, math.ceil(due_in))))


def _jittered(delay: timedelta) -> timedelta:
    return delay * random.uniform(1 - JITTER, 1 + JITTER)  # noqa: S311 - jitter, not secrecy


# ---- fan-out -----------------------------------------------------------------------------------------


def fan_out(*, db: Database, event: PublishedEvent) -> int:
    """One message per event, one delivery per subscribed endpoint, each queued; a repeated event adds none."""
    message_id = f"msg_{event.event_id.hex}"
    with db.tenant(event.company_id) as session:
        endpoints = [
            e
            for e in session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.enabled.is_(True)))
            if event.type in e.event_types
        ]
        if not endpoints:
            return 0
        inserted = session.execute(
            insert(WebhookMessage)
            .values(
                company_id=event.company_id,
                message_id=message_id,
                event_type=event.type,
                body=message_body(event.type, event.occurred_at, event.data),
            )
            .on_conflict_do_nothing(index_elements=["company_id", "message_id"])
            .returning(WebhookMessage.id)
        ).scalar_one_or_none()
        if inserted is None:
            return 0  # this event was fanned out before
        for endpoint in endpoints:
            queue_delivery(session, endpoint=endpoint, message_id=inserted)
    return len(endpoints)


def record_deliver(session: Session, job: DeliverJob) -> int:
    """Write ``job`` to the outbox: its row's id (the delivery's ``job_id``)."""
    row = record_job(
        session, company_id=job.company_id, queue=QUEUE, body=job.model_dump_json(), deliver_at=job.not_before
    )
    session.flush()
    return row.id


def queue_delivery(session: Session, *, endpoint: WebhookEndpoint, message_id: uuid.UUID) -> DeliverJob:
    """A new delivery of the message ``message_id`` to ``endpoint``, its first job in the same transaction."""
    delivery_id = uuid.uuid4()
    job = DeliverJob(company_id=endpoint.company_id, delivery_id=delivery_id, attempt=1)
    job_id = record_deliver(session, job)  # the job's row first, so that the delivery is written once, naming it
    session.add(
        WebhookDelivery(
            id=delivery_id, company_id=endpoint.company_id, endpoint_id=endpoint.id, message_id=message_id,
            job_id=job_id,
        )
    )  # fmt: skip
    session.flush()
    return job


# ---- the worker of the webhooks queue ----------------------------------------------------------------


def handle(*, db: Database, queue: Queue, keys: CompanyKeys, clock: Clock, body: str) -> None:
    job = _parse(body)
    if isinstance(job, DeliverJob):
        deliver(db=db, queue=queue, keys=keys, clock=clock, job=job)
    else:
        record_outcome(db=db, clock=clock, outcome=job)


def _parse(body: str) -> Job:
    data = json.loads(body)
    return Outcome.model_validate(data) if data.get("kind") == "outcome" else DeliverJob.model_validate(data)


def deliver(*, db: Database, queue: Queue, keys: CompanyKeys, clock: Clock, job: DeliverJob) -> None:
    """Sign and hand the attempt to the dispatcher once it is due (at most once per attempt)."""
    now = clock.now()
    if job.not_before is not None and job.not_before > now:
        _schedule(queue, job, now)  # not due yet: hop back onto the queue
        return
    with db.tenant(job.company_id) as session:
        delivery = session.get(WebhookDelivery, job.delivery_id, with_for_update=True)
        if delivery is None or delivery.status != "pending" or delivery.attempts != job.attempt - 1:
            return  # done, or a stale or repeated job
        if delivery.in_flight == job.attempt:
            return  # this attempt is already with the dispatcher
        endpoint = session.get_one(WebhookEndpoint, delivery.endpoint_id)
        if not endpoint.enabled:
            delivery.status, delivery.last_error = "failed", "the endpoint is disabled"
            return
        message = session.get_one(WebhookMessage, delivery.message_id)
        headers = signed_headers(secrets_of(keys, session, endpoint, now), message.message_id, message.body, now)
        delivery.in_flight, delivery.next_attempt_at = job.attempt, None
        delivery.in_flight_until = now + IN_FLIGHT_EXPIRY
        dispatch = DispatchJob(
            company_id=job.company_id,
            delivery_id=delivery.id,
            attempt=job.attempt,
            url=endpoint.url,
            headers=headers,
            body=message.body,
        )
        record_job(
            session, company_id=job.company_id, queue=DISPATCH_QUEUE, body=dispatch.model_dump_json(),
            expires_at=now + SIGNED_REQUEST_EXPIRY,
        )  # fmt: skip


def record_outcome(*, db: Database, clock: Clock, outcome: Outcome) -> None:
    """Log the attempt; then success, the next retry (or ``Retry-After``), or a final failure."""
    now = clock.now()
    with db.tenant(outcome.company_id) as session:
        delivery = session.get(WebhookDelivery, outcome.delivery_id, with_for_update=True)
        if delivery is None or delivery.in_flight != outcome.attempt:
            return  # a repeated outcome
        endpoint = session.get_one(WebhookEndpoint, delivery.endpoint_id, with_for_update=True)
        session.add(
            WebhookAttempt(
                company_id=outcome.company_id,
                endpoint_id=endpoint.id,
                delivery_id=delivery.id,
                attempt=outcome.attempt,
                attempted_at=outcome.attempted_at,
                status_code=outcome.status_code,
                latency_ms=outcome.latency_ms,
                response=(outcome.response or "")[:LOGGED_RESPONSE_CHARS] or None,
                error=(outcome.error or "")[:300] or None,
            )
        )
        delivery.attempts, delivery.in_flight, delivery.in_flight_until = outcome.attempt, None, None
        code = outcome.status_code
        if code is not None and 200 <= code < 300:
            delivery.status, delivery.last_error = "succeeded", None
            endpoint.failing_since = None
            return
        delivery.last_error = outcome.error or f"HTTP {code}"
        if code == 410:
            delivery.status = "failed"
            _disable(session, endpoint, "the endpoint answered 410 Gone")
            return
        if endpoint.failing_since is None:
            endpoint.failing_since = outcome.attempted_at
        elif now - endpoint.failing_since >= DISABLE_AFTER:
            delivery.status = "failed"
            _disable(session, endpoint, "every delivery failed for 5 days")
            return
        if outcome.attempt > len(RETRY_DELAYS):
            delivery.status = "failed"
            return
        wait = _jittered(RETRY_DELAYS[outcome.attempt - 1])
        if code in (429, 503) and outcome.retry_after_seconds is not None:
            wait = min(timedelta(seconds=outcome.retry_after_seconds), MAX_RETRY_AFTER)
        delivery.next_attempt_at = now + wait
        retry = DeliverJob(
            company_id=outcome.company_id,
            delivery_id=delivery.id,
            attempt=outcome.attempt + 1,
            not_before=delivery.next_attempt_at,
        )
        delivery.job_id = record_deliver(session, retry)


def _disable(session: Session, endpoint: WebhookEndpoint, reason: str) -> None:
    endpoint.enabled, endpoint.disabled_reason = False, reason
    notifications.notify(
        session,
        company_id=endpoint.company_id,
        kind="webhook_endpoint.disabled",
        title="A webhook endpoint was disabled",
        body=f"Deliveries to {endpoint.url} stopped: {reason}. Fix it, then enable the endpoint again.",
        data={"endpoint_id": str(endpoint.id)},
    )
