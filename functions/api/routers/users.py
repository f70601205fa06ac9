"""The caller (`/v1/me`), the company's defaults and its users (admin and up)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from functions.api.deps import CallerDep, ContainerDep, PageDep
from functions.api.error_docs import problems
from masteria.pagination import Page
from masteria.tenancy import service
from masteria.tenancy.schemas import (
    CompanyRead,
    CompanyUpdate,
    InvitationRead,
    MeRead,
    UserInvite,
    UserRead,
    UserUpdate,
)

router = APIRouter(prefix="/v1", tags=["users"])


@router.get("/me", response_model=MeRead)
def me(caller: CallerDep) -> MeRead:
    """The signed-in user and their company."""
    return service.me(session=caller.session, actor=caller.principal)


@router.patch("/company", responses=problems(403), response_model=CompanyRead)
def update_company(body: CompanyUpdate, caller: CallerDep) -> CompanyRead:
    """Rename the company or change its timezone and default phone region (admin and up)."""
    return service.update_company(session=caller.session, actor=caller.principal, data=body)


@router.get("/users", responses=problems(403), response_model=Page[UserRead])
def list_users(caller: CallerDep, page: PageDep) -> Page[UserRead]:
    """The company's users, newest first (admin and up)."""
    return service.list_users(session=caller.session, actor=caller.principal, page=page)


@router.post("/users", responses=problems(403, 409), status_code=status.HTTP_201_CREATED, response_model=InvitationRead)
def invite_user(body: UserInvite, caller: CallerDep, container: ContainerDep) -> InvitationRead:
    """Invite a user (admin and up, never above your own role); the invitation token is shown once."""
    return service.invite_user(session=caller.session, clock=container.clock, actor=caller.principal, data=body)


@router.get("/users/{user_id}", responses=problems(403), response_model=UserRead)
def get_user(user_id: uuid.UUID, caller: CallerDep) -> UserRead:
    return service.get_user(session=caller.session, actor=caller.principal, user_id=user_id)


@router.patch("/users/{user_id}", responses=problems(403), response_model=UserRead)
def update_user(user_id: uuid.UUID, body: UserUpdate, caller: CallerDep, container: ContainerDep) -> UserRead:
    """Rename, change role, deactivate (`is_active: false`, which also signs them out) or reactivate."""
    return service.update_user(
        session=caller.session, clock=container.clock, actor=caller.principal, user_id=user_id, data=body
    )
