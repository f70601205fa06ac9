"""Channel connections: WhatsApp numbers on Meta's Cloud API and SMS senders on AWS End User Messaging SMS (each
provider's configuration sealed per company)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, status

from functions.api.deps import CallerDep, ContainerDep, PageDep
from functions.api.error_docs import problems
from masteria.channels import connections as service
from masteria.channels.schemas import ConnectionCreate, ConnectionCreated, ConnectionRead, ConnectionUpdate
from masteria.pagination import Page

router = APIRouter(prefix="/v1/connections", tags=["connections"])


def _base(request: Request) -> str:
    return str(request.base_url)


@router.get("", response_model=Page[ConnectionRead])
def list_connections(  # noqa: PLR0917 - FastAPI query parameters
    request: Request,
    caller: CallerDep,
    container: ContainerDep,
    page: PageDep,
    q: Annotated[str | None, Query(max_length=200, description="a part of the name, display name or phone")] = None,
    status_: Annotated[Literal["active", "failing"] | None, Query(alias="status")] = None,
    channel: Annotated[Literal["whatsapp", "sms"] | None, Query(description="one channel's connections")] = None,
) -> Page[ConnectionRead]:
    """Oldest first."""
    return service.list_connections(
        session=caller.session,
        actor=caller.principal,
        keys=container.company_keys,
        providers=container.providers,
        base_url=_base(request),
        page=page,
        q=q or None,
        status=status_,
        channel=channel,
    )


@router.post(
    "", responses=problems(403, 409, 503), status_code=status.HTTP_201_CREATED, response_model=ConnectionCreated
)
def create_connection(
    body: ConnectionCreate, request: Request, caller: CallerDep, container: ContainerDep
) -> ConnectionCreated:
    """Connect a number (admins); ``provider`` says whose (``meta_cloud`` when omitted).

    WhatsApp (``meta_cloud``): Meta is asked first: the token must work and the number must belong to the WABA
    (422 otherwise; 503 when Meta does not answer). The answer carries the webhook URL and verify token to enter
    in Meta's app settings; the verify token, access token and app secret are never shown again.

    SMS (``sms_aws``): an origination number (E.164) or alphanumeric sender ID the country's carriers accept
    (a 422 on ``origination`` otherwise: no sender ID for BR, US or CA, and there only a number of the country),
    with its messages per second and price of a segment; the webhook URL is where its SNS topic delivers."""
    return service.create_connection(
        session=caller.session,
        actor=caller.principal,
        keys=container.company_keys,
        providers=container.providers,
        graph=container.graph,
        data=body,
        now=container.clock.now(),
        base_url=_base(request),
    )


@router.get("/{connection_id}", response_model=ConnectionRead)
def get_connection(
    connection_id: uuid.UUID, request: Request, caller: CallerDep, container: ContainerDep
) -> ConnectionRead:
    return service.get_connection(
        session=caller.session,
        actor=caller.principal,
        keys=container.company_keys,
        providers=container.providers,
        connection_id=connection_id,
        base_url=_base(request),
    )


@router.patch("/{connection_id}", responses=problems(403, 409, 503), response_model=ConnectionRead)
def update_connection(
    connection_id: uuid.UUID, body: ConnectionUpdate, request: Request, caller: CallerDep, container: ContainerDep
) -> ConnectionRead:
    """Rename; replace a WhatsApp connection's secrets (a new access token is verified with Meta before it is
    kept); change an SMS connection's rate, price or topics (admins). A field of the other provider's is a 422."""
    return service.update_connection(
        session=caller.session,
        actor=caller.principal,
        keys=container.company_keys,
        providers=container.providers,
        graph=container.graph,
        connection_id=connection_id,
        data=body,
        now=container.clock.now(),
        base_url=_base(request),
    )


@router.delete("/{connection_id}", responses=problems(403), status_code=status.HTTP_204_NO_CONTENT)
def delete_connection(connection_id: uuid.UUID, caller: CallerDep) -> None:
    service.delete_connection(session=caller.session, actor=caller.principal, connection_id=connection_id)


@router.post("/{connection_id}/test", responses=problems(503), response_model=ConnectionRead)
def test_connection(
    connection_id: uuid.UUID, request: Request, caller: CallerDep, container: ContainerDep
) -> ConnectionRead:
    """Ask Meta again: refreshes quality rating, throughput and messaging limit; a refusal marks it failing
    (WhatsApp connections; an SMS one is a 422)."""
    return service.test_connection(
        session=caller.session,
        actor=caller.principal,
        keys=container.company_keys,
        providers=container.providers,
        graph=container.graph,
        connection_id=connection_id,
        now=container.clock.now(),
        base_url=_base(request),
    )
