"""Outgoing webhook endpoints: the event catalogue, endpoints, secret rotation, tests, replays, the log."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, status

from functions.api.deps import CallerDep, ContainerDep, PageDep
from functions.api.error_docs import problems
from masteria.pagination import Page
from masteria.webhooks import catalogue, delivery, service
from masteria.webhooks.schemas import (
    AttemptRead,
    EndpointCreate,
    EndpointRead,
    EndpointUpdate,
    EndpointWithSecret,
    EventTypeRead,
    Replay,
    ReplayResult,
    TestEvent,
)

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])


@router.get("/event-types", response_model=list[EventTypeRead])
def event_types() -> list[dict[str, Any]]:
    """Every event an endpoint can subscribe to, with the JSON schema of its `data`. A delivery's body is
    `{"type", "timestamp", "data"}`, signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`,
    `webhook-signature`)."""
    return catalogue.schemas()


@router.get("/endpoints", response_model=list[EndpointRead])
def list_endpoints(caller: CallerDep, container: ContainerDep) -> list[EndpointRead]:
    return service.list_endpoints(session=caller.session, actor=caller.principal, now=container.clock.now())


@router.post(
    "/endpoints", responses=problems(403), status_code=status.HTTP_201_CREATED, response_model=EndpointWithSecret
)
def create_endpoint(body: EndpointCreate, caller: CallerDep, container: ContainerDep) -> EndpointWithSecret:
    """An https URL that resolves only to public addresses (422 says why not), the event types it receives. The
    answer carries the `whsec_…` secret, shown only this once."""
    s = container.settings
    return service.create_endpoint(
        session=caller.session,
        actor=caller.principal,
        keys=container.company_keys,
        data=body,
        now=container.clock.now(),
        allow_http=s.webhooks_allow_http,
        allow_private=s.webhooks_allow_private,
    )


@router.get("/endpoints/{endpoint_id}", response_model=EndpointRead)
def get_endpoint(endpoint_id: uuid.UUID, caller: CallerDep, container: ContainerDep) -> EndpointRead:
    return service.get_endpoint(
        session=caller.session, actor=caller.principal, endpoint_id=endpoint_id, now=container.clock.now()
    )


@router.patch("/endpoints/{endpoint_id}", responses=problems(403), response_model=EndpointRead)
def update_endpoint(
    endpoint_id: uuid.UUID, body: EndpointUpdate, caller: CallerDep, container: ContainerDep
) -> EndpointRead:
    """Change the URL (checked again), description or event types; `enabled: true` re-enables a disabled one."""
    s = container.settings
    return service.update_endpoint(
        session=caller.session,
        actor=caller.principal,
        endpoint_id=endpoint_id,
        data=body,
        now=container.clock.now(),
        allow_http=s.webhooks_allow_http,
        allow_private=s.webhooks_allow_private,
    )


@router.delete("/endpoints/{endpoint_id}", responses=problems(403), status_code=status.HTTP_204_NO_CONTENT)
def delete_endpoint(endpoint_id: uuid.UUID, caller: CallerDep) -> None:
    service.delete_endpoint(session=caller.session, actor=caller.principal, endpoint_id=endpoint_id)


@router.post("/endpoints/{endpoint_id}/rotate-secret", responses=problems(403), response_model=EndpointWithSecret)
def rotate_secret(endpoint_id: uuid.UUID, caller: CallerDep, container: ContainerDep) -> EndpointWithSecret:
    """A new secret, shown once; for 24 hours every delivery carries a signature by each secret."""
    return service.rotate_secret(
        session=caller.session,
        actor=caller.principal,
        keys=container.company_keys,
        endpoint_id=endpoint_id,
        now=container.clock.now(),
    )


def _queued(jobs: list[delivery.DeliverJob]) -> ReplayResult:
    return ReplayResult(queued=len(jobs))  # outbox jobs of the request's transaction: sent once it commits


@router.post(
    "/endpoints/{endpoint_id}/test",
    responses=problems(403),
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ReplayResult,
)
def send_test(endpoint_id: uuid.UUID, body: TestEvent, caller: CallerDep, container: ContainerDep) -> ReplayResult:
    """Deliver an example event of `event_type` to this endpoint (watch it in the delivery log)."""
    jobs = service.send_test(
        session=caller.session, actor=caller.principal, endpoint_id=endpoint_id, data=body, now=container.clock.now()
    )
    return _queued(jobs)


@router.post(
    "/endpoints/{endpoint_id}/replay",
    responses=problems(403),
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ReplayResult,
)
def replay(endpoint_id: uuid.UUID, body: Replay, caller: CallerDep) -> ReplayResult:
    """Deliver again one message (`message_id`, the `webhook-id`) or every message whose delivery failed `since`."""
    jobs = service.replay(session=caller.session, actor=caller.principal, endpoint_id=endpoint_id, data=body)
    return _queued(jobs)


@router.get("/endpoints/{endpoint_id}/attempts", response_model=Page[AttemptRead])
def list_attempts(endpoint_id: uuid.UUID, caller: CallerDep, page: PageDep) -> Page[AttemptRead]:
    """The delivery log, newest first: each attempt's time, HTTP status, latency and response (truncated)."""
    return service.list_attempts(session=caller.session, actor=caller.principal, endpoint_id=endpoint_id, page=page)
