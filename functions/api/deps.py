"""FastAPI dependencies: the container, the caller, a tenant-scoped transaction, pagination."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from masteria import bootstrap
from masteria.bootstrap import Container
from masteria.contacts.schemas import NameSearch
from masteria.errors import Unauthorized
from masteria.observability import log_context
from masteria.pagination import DEFAULT_LIMIT, MAX_LIMIT, PageRequest
from masteria.tenancy import security, service
from masteria.tenancy.service import LoginThrottle, Principal

# A dependency that does no I/O (or once, then cached: the token key) is ``async def``: FastAPI runs a plain
# ``def`` in its thread pool, a thread hop for each one on every request (``caller`` and the routes, which wait
# on the database, stay plain).


async def get_container() -> Container:
    return bootstrap.container()


ContainerDep = Annotated[Container, Depends(get_container)]


async def token_config(container: ContainerDep) -> security.TokenConfig:
    return container.token_config


TokenConfigDep = Annotated[security.TokenConfig, Depends(token_config)]


async def login_throttle(container: ContainerDep) -> LoginThrottle:
    return container.login_throttle


LoginThrottleDep = Annotated[LoginThrottle, Depends(login_throttle)]

_bearer = HTTPBearer(auto_error=False, description="An access token from /v1/auth/login")


@dataclass(frozen=True)
class Caller:
    """The authenticated caller and the transaction their request runs in (scoped to their company). Work that
    follows the request (a queue message, a call to another service) is an outbox job of that transaction
    (masteria.jobs), never a callback after its commit: a job cannot be lost between the two."""

    principal: Principal
    session: Session

    @property
    def company_id(self) -> uuid.UUID:
        return self.principal.company_id


def caller(
    request: Request,
    container: ContainerDep,
    tokens: TokenConfigDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Iterator[Caller]:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("missing bearer token")
    claims = security.decode_access_token(tokens, credentials.credentials)
    with container.database.tenant(claims.company_id) as session:
        principal = service.authenticate(session, claims)
        request.state.company_id = str(principal.company_id)  # for the middleware's request log line
        with log_context(company_id=str(principal.company_id), user_id=str(principal.user_id)):
            yield Caller(principal=principal, session=session)


# The transaction commits before the response is sent (FastAPI's default for a dependency with ``yield``
# ends it after): a client that reads what it just wrote finds it, and a commit that fails is an error
# answer, not a 201 for nothing.
CallerDep = Annotated[Caller, Depends(caller, scope="function")]


async def page_request(
    cursor: Annotated[str | None, Query(max_length=512, description="`next_cursor` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"page size, at most {MAX_LIMIT}")] = DEFAULT_LIMIT,
) -> PageRequest:
    return PageRequest(cursor=cursor, limit=limit)


PageDep = Annotated[PageRequest, Depends(page_request)]


async def name_search(
    q: Annotated[str | None, Query(max_length=200, description="part of the name, ignoring case")] = None,
    ids: Annotated[list[uuid.UUID], Query(alias="id", max_length=200, description="only these (repeat `id=`)")] = [],  # noqa: B006
) -> NameSearch:
    return NameSearch(q=q or None, ids=ids)


# Tags, lists, segments and custom fields: searched by name, cursor-paginated in name order.
SearchDep = Annotated[NameSearch, Depends(name_search)]


async def client_address(request: Request) -> str | None:
    """The caller's address: API Gateway's sourceIp on AWS, the socket peer locally."""
    event = request.scope.get("aws.event")
    if isinstance(event, dict):
        source = event.get("requestContext", {}).get("http", {}).get("sourceIp")
        if isinstance(source, str):
            return source
    return request.client.host if request.client else None


AddressDep = Annotated[str | None, Depends(client_address)]
