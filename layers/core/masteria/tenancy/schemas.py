from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

from masteria.schemas import Email, ReadModel, StrictModel
from masteria.tenancy.models import Role

Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
# NIST SP 800-63B: at least 8 characters, long passphrases allowed, no composition rules.
Password = Annotated[str, StringConstraints(min_length=8, max_length=256, strip_whitespace=False)]
Region = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]


def _iana_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise PydanticCustomError("unknown_timezone", "{name!r} is not an IANA timezone", {"name": name}) from error
    return name


Timezone = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(_iana_zone)]


class SignUp(StrictModel):
    company_name: Name = Field(examples=["Acme Ltda"])
    name: Name = Field(examples=["Ana Souza"])
    email: Email = Field(examples=["ana@acme.com.br"])
    password: Password = Field(examples=["correct horse battery staple"])
    default_region: Region = Field(default="BR", description="ISO 3166 region for phone numbers")


class Login(StrictModel):
    email: Email = Field(examples=["ana@acme.com.br"])
    password: Annotated[str, StringConstraints(min_length=1, max_length=256, strip_whitespace=False)]


class RefreshRequest(StrictModel):
    refresh_token: Annotated[str, StringConstraints(min_length=1, max_length=512)]


class AcceptInvite(StrictModel):
    token: Annotated[str, StringConstraints(min_length=1, max_length=512)]
    password: Password
    name: Name | None = None


class TokenPair(ReadModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - a scheme name, not a secret
    expires_in: int
    refresh_token: str | None = Field(
        description="null in browser mode (request header `X-Refresh-Cookie: 1`): the token is in the "
        "HttpOnly cookie `masteria_refresh` instead"
    )
    refresh_expires_in: int


class UserInvite(StrictModel):
    email: Email = Field(examples=["bruno@acme.com.br"])
    name: Name = Field(examples=["Bruno Lima"])
    role: Role = Field(default=Role.AGENT, examples=["agent"])


class UserUpdate(StrictModel):
    name: Name | None = Field(default=None, examples=["Bruno Lima"])
    role: Role | None = Field(default=None, examples=["admin"])
    is_active: bool | None = Field(default=None, examples=[True])


class UserRead(ReadModel):
    id: uuid.UUID
    email: str
    name: str
    role: Role
    is_active: bool
    invitation_pending: bool
    last_login_at: datetime | None
    created_at: datetime


class InvitationRead(ReadModel):
    user: UserRead
    invite_token: str = Field(description="Shown once: the invitee sends it to POST /v1/auth/accept-invite")
    expires_at: datetime


class CompanyRead(ReadModel):
    id: uuid.UUID
    name: str
    default_region: str
    timezone: str


class CompanyUpdate(StrictModel):
    name: Name | None = Field(default=None, examples=["Acme Ltda"])
    timezone: Timezone | None = Field(default=None, examples=["America/Sao_Paulo"])
    default_region: Region | None = Field(
        default=None, examples=["BR"], description="ISO 3166 region for phone numbers without a country code"
    )


class MeRead(ReadModel):
    user: UserRead
    company: CompanyRead
