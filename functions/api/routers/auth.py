"""Sign-up, login, token refresh, logout, accepting an invitation.

Browsers ask for their refresh token in a cookie (``X-Refresh-Cookie: 1``): see ``functions/api/cookies.py``."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from functions.api.cookies import BrowserRefreshDep, BrowserSignInDep
from functions.api.deps import AddressDep, ContainerDep, LoginThrottleDep, TokenConfigDep
from functions.api.error_docs import problems
from masteria.errors import Unauthorized
from masteria.tenancy import service
from masteria.tenancy.schemas import AcceptInvite, Login, RefreshRequest, SignUp, TokenPair

router = APIRouter(prefix="/v1/auth", tags=["auth"])


@router.post("/signup", responses=problems(409), status_code=status.HTTP_201_CREATED, response_model=TokenPair)
def sign_up(
    body: SignUp, container: ContainerDep, tokens: TokenConfigDep, browser: BrowserSignInDep, response: Response
) -> TokenPair:
    """Create a company and its owner; returns the owner's tokens."""
    pair = service.sign_up(db=container.database, clock=container.clock, tokens=tokens, data=body)
    return browser.deliver(pair, response)


@router.post("/login", responses=problems(401, 403, 429), response_model=TokenPair)
def login(
    body: Login,
    *,
    container: ContainerDep,
    tokens: TokenConfigDep,
    throttle: LoginThrottleDep,
    address: AddressDep,
    browser: BrowserSignInDep,
    response: Response,
) -> TokenPair:
    """Exchange email and password for an access token (15 min) and a refresh token."""
    pair = service.login(
        db=container.database,
        clock=container.clock,
        tokens=tokens,
        throttle=throttle,
        data=body,
        address=address,
    )
    return browser.deliver(pair, response)


@router.post("/refresh", responses=problems(401, 403), response_model=TokenPair)
def refresh(
    container: ContainerDep,
    tokens: TokenConfigDep,
    browser: BrowserRefreshDep,
    response: Response,
    body: RefreshRequest | None = None,
) -> TokenPair:
    """Rotate a refresh token (the body's, else the `masteria_refresh` cookie's). Reusing one revokes every
    token of that sign-in (and a refused cookie is cleared)."""
    with browser.clearing_refused_cookie():
        token = browser.refresh_token(body)
        if token is None:
            raise Unauthorized('no refresh token: send {"refresh_token": ...} or the masteria_refresh cookie')
        pair = service.refresh(db=container.database, clock=container.clock, tokens=tokens, refresh_token=token)
    return browser.deliver(pair, response)


@router.post("/logout", responses=problems(403), status_code=status.HTTP_204_NO_CONTENT)
def logout(
    container: ContainerDep, browser: BrowserRefreshDep, response: Response, body: RefreshRequest | None = None
) -> None:
    """Revoke the sign-in the refresh token (the body's, else the cookie's) belongs to; clears the cookie."""
    token = browser.refresh_token(body)
    if token is not None:
        service.logout(db=container.database, clock=container.clock, refresh_token=token)
    browser.forget(response)


@router.post("/accept-invite", responses=problems(401), response_model=TokenPair)
def accept_invite(
    body: AcceptInvite, container: ContainerDep, tokens: TokenConfigDep, browser: BrowserSignInDep, response: Response
) -> TokenPair:
    """Set a password with an invitation token; returns the new user's tokens."""
    pair = service.accept_invite(db=container.database, clock=container.clock, tokens=tokens, data=body)
    return browser.deliver(pair, response)
