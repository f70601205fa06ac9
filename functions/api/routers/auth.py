"""Sign-up, login, token refresh, logout, accepting an invitation."""

from __future__ import annotations

from fastapi import APIRouter, status

from functions.api.deps import AddressDep, ContainerDep, LoginThrottleDep, TokenConfigDep
from masteria.tenancy import service
from masteria.tenancy.schemas import AcceptInvite, Login, RefreshRequest, SignUp, TokenPair

router = APIRouter(prefix="/v1/auth", tags=["auth"])


@router.post("/signup", status_code=status.HTTP_201_CREATED, response_model=TokenPair)
def sign_up(body: SignUp, container: ContainerDep, tokens: TokenConfigDep) -> TokenPair:
    """Create a company and its owner; returns the owner's tokens."""
    return service.sign_up(db=container.database, clock=container.clock, tokens=tokens, data=body)


@router.post("/login", response_model=TokenPair)
def login(
    body: Login,
    container: ContainerDep,
    tokens: TokenConfigDep,
    throttle: LoginThrottleDep,
    address: AddressDep,
) -> TokenPair:
    """Exchange email and password for an access token (15 min) and a refresh token."""
    return service.login(
        db=container.database,
        clock=container.clock,
        tokens=tokens,
        throttle=throttle,
        data=body,
        address=address,
    )


@router.post("/refresh", response_model=TokenPair)
def refresh(body: RefreshRequest, container: ContainerDep, tokens: TokenConfigDep) -> TokenPair:
    """Rotate a refresh token. Reusing one revokes every token of that sign-in."""
    return service.refresh(
        db=container.database, clock=container.clock, tokens=tokens, refresh_token=body.refresh_token
    )


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(body: RefreshRequest, container: ContainerDep) -> None:
    """Revoke the sign-in the refresh token belongs to."""
    service.logout(db=container.database, clock=container.clock, refresh_token=body.refresh_token)


@router.post("/accept-invite", response_model=TokenPair)
def accept_invite(body: AcceptInvite, container: ContainerDep, tokens: TokenConfigDep) -> TokenPair:
    """Set a password with an invitation token; returns the new user's tokens."""
    return service.accept_invite(db=container.database, clock=container.clock, tokens=tokens, data=body)
