"""Use cases of webhook endpoints: CRUD with the URL checked against SSRF, the secret shown once, rotation
with a 24-hour overlap, a test event, replays, and the delivery log. A new delivery's job is an outbox job
of the same transaction (sent once it commits)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.crypto import CompanyKeys, seal_column, unseal_column
from masteria.db import get_or_404
from masteria.errors import FieldError, Invalid
from masteria.pagination import Page, PageRequest, paginate
from masteria.tenancy.models import Role
from masteria.tenancy.service import Principal
from masteria.webhooks import catalogue, delivery
from masteria.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookMessage
from masteria.webhooks.schemas import (
    AttemptRead,
    EndpointCreate,
    EndpointRead,
    EndpointUpdate,
    EndpointWithSecret,
    Replay,
    TestEvent,
)
from masteria.webhooks.ssrf import Resolver, UnsafeUrl, check_url, resolve

MAX_ENDPOINTS = 20


def _check_url(url: str, *, allow_http: bool, allow_private: bool, resolver: Resolver) -> None:
    try:
        check_url(url, allow_http=allow_http, allow_private=allow_private, resolver=resolver)
    except UnsafeUrl as error:
        raise Invalid(
            f"we will not deliver to this URL: {error}", [FieldError("url", str(error), code="url_refused")]
        ) from error


def _check_types(event_types: list[str]) -> list[str]:
    unknown = sorted(set(event_types) - set(catalogue.EVENT_TYPES))
    if unknown:
        raise Invalid(
            "unknown event types",
            [
                FieldError(
                    "event_types",
                    f"{t} is not an event type (see GET /v1/webhooks/event-types)",
                    code="unknown_event_type",
                    params={"type": t},
                )
                for t in unknown
            ],
        )
    return sorted(set(event_types))


def _read(row: WebhookEndpoint, now: datetime) -> EndpointRead:
    rotating = (
        row.previous_secret_expires_at
        if row.previous_secret_expires_at and row.previous_secret_expires_at > now
        else None
    )
    return EndpointRead(
        id=row.id,
        url=row.url,
        description=row.description,
        event_types=list(row.event_types),
        enabled=row.enabled,
        disabled_reason=row.disabled_reason,
        failing_since=row.failing_since,
        rotating_until=rotating,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def create_endpoint(
    *,
    session: Session,
    actor: Principal,
    keys: CompanyKeys,
    data: EndpointCreate,
    now: datetime,
    allow_http: bool = False,
    allow_private: bool = False,
    resolver: Resolver = resolve,
) -> EndpointWithSecret:
    actor.require(Role.ADMIN)
    _check_url(data.url, allow_http=allow_http, allow_private=allow_private, resolver=resolver)
    if len(list(session.scalars(select(WebhookEndpoint.id)))) >= MAX_ENDPOINTS:
        raise Invalid(
            "too many endpoints",
            [
                FieldError(
                    "url",
                    f"a company has at most {MAX_ENDPOINTS} endpoints",
                    code="too_many_endpoints",
                    params={"max": MAX_ENDPOINTS},
                )
            ],
        )
    secret = delivery.new_secret()
    row = WebhookEndpoint(
        id=uuid.uuid4(),
        company_id=actor.company_id,
        url=data.url,
        description=data.description,
        event_types=_check_types(data.event_types),
        enabled=data.enabled,
    )
    row.secret = seal_column(keys, session, row, "secret", secret)
    session.add(row)
    session.flush()
    session.refresh(row)
    return EndpointWithSecret(**_read(row, now).model_dump(), secret=secret)


def list_endpoints(*, session: Session, actor: Principal, now: datetime) -> list[EndpointRead]:
    rows = session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.created_at))
    return [_read(row, now) for row in rows]


def get_endpoint(*, session: Session, actor: Principal, endpoint_id: uuid.UUID, now: datetime) -> EndpointRead:
    return _read(get_or_404(session, WebhookEndpoint, endpoint_id, "endpoint"), now)


def update_endpoint(
    *,
    session: Session,
    actor: Principal,
    endpoint_id: uuid.UUID,
    data: EndpointUpdate,
    now: datetime,
    allow_http: bool = False,
    allow_private: bool = False,
    resolver: Resolver = resolve,
) -> EndpointRead:
    """Change the URL (checked again), description, event types; enabling clears the failure state."""
    actor.require(Role.ADMIN)
    row = get_or_404(session, WebhookEndpoint, endpoint_id, "endpoint")
    changes = data.model_dump(exclude_unset=True)
    if changes.get("url") is not None:
        _check_url(changes["url"], allow_http=allow_http, allow_private=allow_private, resolver=resolver)
        row.url = changes["url"]
    if "description" in changes:
        row.description = changes["description"]
    if changes.get("event_types") is not None:
        row.event_types = _check_types(changes["event_types"])
    if changes.get("enabled") is not None:
        row.enabled = changes["enabled"]
        if row.enabled:
            row.disabled_reason, row.failing_since = None, None
    session.flush()
    session.refresh(row)
    return _read(row, now)


def delete_endpoint(*, session: Session, actor: Principal, endpoint_id: uuid.UUID) -> None:
    actor.require(Role.ADMIN)
    session.delete(get_or_404(session, WebhookEndpoint, endpoint_id, "endpoint"))


def rotate_secret(
    *, session: Session, actor: Principal, keys: CompanyKeys, endpoint_id: uuid.UUID, now: datetime
) -> EndpointWithSecret:
    """A new secret (shown once); for 24 hours every delivery is signed with the old one too."""
    actor.require(Role.ADMIN)
    row = get_or_404(session, WebhookEndpoint, endpoint_id, "endpoint")
    old = unseal_column(keys, session, row, "secret")
    secret = delivery.new_secret()
    row.previous_secret = seal_column(keys, session, row, "previous_secret", old)
    row.previous_secret_expires_at = now + delivery.ROTATION_OVERLAP
    row.secret = seal_column(keys, session, row, "secret", secret)
    session.flush()
    session.refresh(row)
    return EndpointWithSecret(**_read(row, now).model_dump(), secret=secret)


def send_test(
    *, session: Session, actor: Principal, endpoint_id: uuid.UUID, data: TestEvent, now: datetime
) -> list[delivery.DeliverJob]:
    """A delivery of an example event of ``event_type`` to this endpoint only."""
    actor.require(Role.ADMIN)
    row = get_or_404(session, WebhookEndpoint, endpoint_id, "endpoint")
    if data.event_type not in catalogue.EVENT_TYPES:
        raise Invalid(
            "unknown event type",
            [
                FieldError(
                    "event_type",
                    f"{data.event_type} is not an event type",
                    code="unknown_event_type",
                    params={"type": data.event_type},
                )
            ],
        )
    message = WebhookMessage(
        company_id=row.company_id,
        message_id=f"msg_{uuid.uuid4().hex}",
        event_type=data.event_type,
        body=delivery.message_body(data.event_type, now, catalogue.example(data.event_type)),
    )
    session.add(message)
    session.flush()
    return [delivery.queue_delivery(session, endpoint=row, message_id=message.id)]


def replay(*, session: Session, actor: Principal, endpoint_id: uuid.UUID, data: Replay) -> list[delivery.DeliverJob]:
    """Deliver again one message (by its ``webhook-id``), or every message whose delivery failed since a time."""
    actor.require(Role.ADMIN)
    row = get_or_404(session, WebhookEndpoint, endpoint_id, "endpoint")
    if (data.message_id is None) == (data.since is None):
        raise Invalid(
            "say what to replay",
            [FieldError("message_id", "give message_id or since, not both", code="message_or_since")],
        )
    if data.message_id is not None:
        messages = list(session.scalars(select(WebhookMessage).where(WebhookMessage.message_id == data.message_id)))
        if not messages:
            raise Invalid(
                "no such message", [FieldError("message_id", "no message with this id", code="unknown_webhook_message")]
            )
    else:
        messages = list(
            session.scalars(
                select(WebhookMessage)
                .join(WebhookDelivery, WebhookDelivery.message_id == WebhookMessage.id)
                .where(
                    WebhookDelivery.endpoint_id == row.id,
                    WebhookDelivery.status == "failed",
                    WebhookDelivery.created_at >= data.since,
                )
                .distinct()
            )
        )
    return [delivery.queue_delivery(session, endpoint=row, message_id=m.id) for m in messages]


def list_attempts(
    *, session: Session, actor: Principal, endpoint_id: uuid.UUID, page: PageRequest
) -> Page[AttemptRead]:
    """The delivery log of an endpoint, newest first."""
    get_or_404(session, WebhookEndpoint, endpoint_id, "endpoint")
    rows, cursor = paginate(
        session,
        select(WebhookAttempt).where(WebhookAttempt.endpoint_id == endpoint_id),
        keys=[WebhookAttempt.attempted_at, WebhookAttempt.id],
        page=page,
    )
    deliveries = {
        d.id: d
        for d in session.scalars(select(WebhookDelivery).where(WebhookDelivery.id.in_({r.delivery_id for r in rows})))
    }
    messages = {
        m.id: m
        for m in session.scalars(
            select(WebhookMessage).where(WebhookMessage.id.in_({d.message_id for d in deliveries.values()}))
        )
    }
    items = []
    for attempt in rows:
        owner = deliveries[attempt.delivery_id]
        message = messages[owner.message_id]
        items.append(
            AttemptRead(
                id=attempt.id,
                delivery_id=owner.id,
                message_id=message.message_id,
                event_type=message.event_type,
                attempt=attempt.attempt,
                attempted_at=attempt.attempted_at,
                status_code=attempt.status_code,
                latency_ms=attempt.latency_ms,
                response=attempt.response,
                error=attempt.error,
                delivery_status=owner.status,
                next_attempt_at=owner.next_attempt_at,
            )
        )
    return Page[AttemptRead](items=items, next_cursor=cursor)
