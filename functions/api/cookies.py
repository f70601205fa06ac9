"""The browser's sign-in: its refresh token travels in an HttpOnly cookie instead of the JSON body.

A browser asks for it with ``X-Refresh-Cookie: 1`` (sign-up, login, accepting an invitation, refresh); the
answer then sets ``masteria_refresh`` (HttpOnly, Secure, SameSite=Strict, Path=/v1/auth) and its JSON
``refresh_token`` is null, so no script ever sees the token. ``/refresh`` and ``/logout`` take the cookie
when the body is empty. Every request in this mode must carry an ``Origin`` that is the API's own (or one of
``ALLOWED_ORIGINS``): SameSite stops other sites, the Origin check also stops sibling subdomains. curl users
keep sending and receiving the token in JSON. The tokens themselves are the domain's (masteria.tenancy).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Annotated, Literal
from urllib.parse import urlsplit

from fastapi import Cookie, Depends, Header, HTTPException, Request, Response

from functions.api.deps import ContainerDep
from masteria.errors import Forbidden, Unauthorized
from masteria.tenancy.schemas import RefreshRequest, TokenPair

COOKIE_NAME = "masteria_refresh"
COOKIE_PATH = "/v1/auth"
MODE_HEADER = "X-Refresh-Cookie"
_ATTRIBUTES = f"Path={COOKIE_PATH}; HttpOnly; Secure; SameSite=Strict"
CLEARED_COOKIE = f"{COOKIE_NAME}=; Max-Age=0; {_ATTRIBUTES}"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def refresh_cookie(token: str, max_age: int) -> str:
    """The ``Set-Cookie`` value that hands ``token`` to the browser."""
    return f"{COOKIE_NAME}={token}; Max-Age={max_age}; {_ATTRIBUTES}"


def normalize_origin(value: str) -> str | None:
    """``scheme://host[:port]`` in lower case without a default port, or None when ``value`` is not an origin."""
    try:
        parts = urlsplit(value.strip().lower())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname or parts.path not in ("", "/") or parts.query:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != _DEFAULT_PORTS[parts.scheme] else "")


def own_origin(request: Request) -> str | None:
    """The origin the caller reached: behind CloudFront or API Gateway, the forwarded scheme and host."""

    def first(name: str) -> str | None:
        value = (request.headers.get(name) or "").split(",")[0].strip()
        return value or None

    scheme = first("x-forwarded-proto") or request.url.scheme
    host = first("x-forwarded-host") or request.headers.get("host") or request.url.netloc
    return normalize_origin(f"{scheme}://{host}")


@dataclass
class BrowserSession:
    """Whether this request runs in cookie mode, and what that mode needs from the request."""

    request: Request
    allowed_origins: tuple[str, ...]
    requested: bool  # the X-Refresh-Cookie header
    cookie: str | None = None
    active: bool = field(init=False)  # answers set or clear the cookie

    def __post_init__(self) -> None:
        self.active = self.requested
        if self.requested:
            self._check_origin()

    def _check_origin(self) -> None:
        supplied = self.request.headers.get("origin")
        if not supplied:
            raise Forbidden(
                "the refresh cookie is used only with an Origin header, which browsers send "
                '(without a browser, send {"refresh_token": ...} in the body and no X-Refresh-Cookie header)'
            )
        origin = normalize_origin(supplied)
        own = own_origin(self.request)
        allowed = {own, *(normalize_origin(o) for o in self.allowed_origins)} - {None}
        if origin not in allowed:
            raise Forbidden(
                f"origin {supplied!r} may not use the refresh cookie: it is not this API's origin ({own}) "
                "nor one of ALLOWED_ORIGINS"
            )

    def refresh_token(self, body: RefreshRequest | None) -> str | None:
        """The body's token (curl), else the cookie's (browser): the cookie needs the Origin check."""
        if body is not None:
            return body.refresh_token
        if self.cookie is None:
            return None
        if not self.active:
            self._check_origin()
            self.active = True
        return self.cookie

    def deliver(self, pair: TokenPair, response: Response) -> TokenPair:
        """In cookie mode, move the refresh token from the JSON answer into the cookie."""
        if not self.active or pair.refresh_token is None:
            return pair
        response.headers.append("set-cookie", refresh_cookie(pair.refresh_token, pair.refresh_expires_in))
        return pair.model_copy(update={"refresh_token": None})

    def forget(self, response: Response) -> None:
        if self.active:
            response.headers.append("set-cookie", CLEARED_COOKIE)

    @contextmanager
    def clearing_refused_cookie(self) -> Iterator[None]:
        """A refused cookie (reused, revoked, expired) is cleared in the same 401."""
        try:
            yield
        except Unauthorized as error:
            if not self.active:
                raise
            headers = {"WWW-Authenticate": "Bearer", "Set-Cookie": CLEARED_COOKIE}
            raise HTTPException(401, detail=error.detail, headers=headers) from error


_MODE_DESCRIPTION = (
    "`1`: browser mode. The refresh token is set in the HttpOnly cookie `masteria_refresh` (Path=/v1/auth) "
    "and `refresh_token` in the answer is null. Needs an `Origin` header of this API's own origin."
)
ModeHeader = Annotated[Literal["1"] | None, Header(alias=MODE_HEADER, description=_MODE_DESCRIPTION)]


async def browser_sign_in(request: Request, container: ContainerDep, mode: ModeHeader = None) -> BrowserSession:
    return BrowserSession(request, container.settings.allowed_origins, requested=mode is not None)


async def browser_refresh(
    request: Request,
    container: ContainerDep,
    mode: ModeHeader = None,
    cookie: Annotated[
        str | None,
        Cookie(
            alias=COOKIE_NAME,
            max_length=512,
            description="Set by browser mode; used when the body is empty (needs an `Origin` header)",
        ),
    ] = None,
) -> BrowserSession:
    return BrowserSession(request, container.settings.allowed_origins, requested=mode is not None, cookie=cookie)


BrowserSignInDep = Annotated[BrowserSession, Depends(browser_sign_in)]
BrowserRefreshDep = Annotated[BrowserSession, Depends(browser_refresh)]
