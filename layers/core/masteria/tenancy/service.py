"""Use cases of tenancy and auth: sign-up, login, refresh, logout, invitations, users."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from masteria.db import Database, get_or_404
from masteria.errors import Conflict, Forbidden, RateLimited, Unauthorized
from masteria.pagination import Page, PageRequest, paginate
from masteria.pipelines.defaults import create_default_pipeline
from masteria.ports import Clock
from masteria.tenancy import security
from masteria.tenancy.models import Company, LoginFailure, RefreshToken, Role, User
from masteria.tenancy.schemas import (
    AcceptInvite,
    CompanyRead,
    CompanyUpdate,
    InvitationRead,
    Login,
    MeRead,
    SignUp,
    TokenPair,
    UserInvite,
    UserRead,
    UserUpdate,
)

INVITE_TTL = timedelta(days=7)


@dataclass(frozen=True)
class Principal:
    """Who is calling: from a verified access token, confirmed against the database."""

    user_id: uuid.UUID
    company_id: uuid.UUID
    role: Role

    def require(self, minimum: Role) -> None:
        if self.role.rank < minimum.rank:
            raise Forbidden(
                f"this action needs the {minimum.value} role or higher",
                code="role_required",
                params={"role": minimum.value},
            )


@dataclass(frozen=True)
class LoginThrottle:
    max_per_account: int
    max_per_address: int
    window: timedelta


def user_read(user: User) -> UserRead:
    return UserRead(
        id=user.id,
        email=user.email,
        name=user.name,
        role=Role(user.role),
        is_active=user.is_active,
        invitation_pending=user.password_hash is None,
        last_login_at=user.last_login_at,
        created_at=user.created_at,
    )


def _issue_pair(
    session: Session,
    *,
    tokens: security.TokenConfig,
    user: User,
    now: datetime,
    family_id: uuid.UUID | None = None,
) -> TokenPair:
    refresh = security.new_refresh_token(user.company_id)
    # Keeps the table bounded: each sign-in sheds the user's tokens that can no longer be used.
    session.execute(delete(RefreshToken).where(RefreshToken.user_id == user.id, RefreshToken.expires_at < now))
    session.add(
        RefreshToken(
            company_id=user.company_id,
            user_id=user.id,
            family_id=family_id or uuid.uuid4(),
            token_hash=security.token_hash(refresh),
            expires_at=now + tokens.refresh_ttl,
        )
    )
    access = security.issue_access_token(tokens, user_id=user.id, company_id=user.company_id, role=user.role, now=now)
    return TokenPair(
        access_token=access,
        expires_in=int(tokens.access_ttl.total_seconds()),
        refresh_token=refresh,
        refresh_expires_in=int(tokens.refresh_ttl.total_seconds()),
    )


def _email_taken() -> Conflict:
    return Conflict("a user with this email already exists", code="email_taken")


def sign_up(*, db: Database, clock: Clock, tokens: security.TokenConfig, data: SignUp) -> TokenPair:
    """Create a company (with its default sales pipeline) and its owner, and sign the owner in."""
    company_id = uuid.uuid4()
    now = clock.now()
    password_hash = security.hash_password(data.password)
    try:
        with db.tenant(company_id) as session:
            session.add(Company(id=company_id, name=data.company_name, default_region=data.default_region))
            session.flush()
            create_default_pipeline(session, company_id=company_id, region=data.default_region)
            owner = User(
                company_id=company_id,
                email=str(data.email),
                name=data.name,
                role=Role.OWNER.value,
                password_hash=password_hash,
                last_login_at=now,
            )
            session.add(owner)
            session.flush()
            return _issue_pair(session, tokens=tokens, user=owner, now=now)
    except IntegrityError as error:
        raise _email_taken() from error


def _throttle_keys(email: str, address: str | None) -> list[tuple[str, str]]:
    keys = [("account", email.lower())]
    if address:
        keys.append(("address", address))
    return [(kind, hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()) for kind, value in keys]


def _reserve_attempt(db: Database, keys: list[tuple[str, str]], throttle: LoginThrottle, now: datetime) -> None:
    """Count this attempt as a failure before the password is checked (one atomic upsert per key, so parallel
    guesses each see their own count); over a limit, a 429 that takes the count back (the transaction rolls back).
    A window older than ``throttle.window`` starts over. A right password clears the account's failures and gives
    the address its attempt back."""
    limits = {"account": throttle.max_per_account, "address": throttle.max_per_address}
    expired = LoginFailure.window_started_at < now - throttle.window
    with db.tenant(None) as session:
        locked_until: datetime | None = None
        for kind, key in keys:
            statement = insert(LoginFailure).values(key=key, failures=1, window_started_at=now)
            failures, started = session.execute(
                statement.on_conflict_do_update(
                    index_elements=[LoginFailure.key],
                    set_={
                        "failures": case((expired, 1), else_=LoginFailure.failures + 1),
                        "window_started_at": case((expired, now), else_=LoginFailure.window_started_at),
                    },
                ).returning(LoginFailure.failures, LoginFailure.window_started_at)
            ).one()
            if failures > limits[kind]:
                retry_at = started + throttle.window
                locked_until = max(locked_until or retry_at, retry_at)
        if locked_until is not None:
            raise RateLimited(
                "too many failed logins; try again later",
                code="login_locked",
                retry_after=int((locked_until - now).total_seconds()) + 1,
            )


def _give_back(db: Database, keys: list[tuple[str, str]]) -> None:
    """A right password: the attempt reserved for it was not a failure."""
    if not keys:
        return
    with db.tenant(None) as session:
        session.execute(
            update(LoginFailure)
            .where(LoginFailure.key.in_([k for _, k in keys]), LoginFailure.failures > 0)
            .values(failures=LoginFailure.failures - 1)
        )


def login(
    *,
    db: Database,
    clock: Clock,
    tokens: security.TokenConfig,
    throttle: LoginThrottle,
    data: Login,
    address: str | None,
) -> TokenPair:
    """Sign in with email and password. Too many recent failures for the account or the
    address answer 429 before the password is even checked."""
    now = clock.now()
    email = str(data.email).lower()
    keys = _throttle_keys(email, address)
    _reserve_attempt(db, keys, throttle, now)
    with db.login_lookup(email) as session:
        found = session.scalars(select(User).where(func.lower(User.email) == email)).first()
        candidate = (found.id, found.company_id, found.password_hash, found.is_active) if found else None
    password_ok = security.verify_password(candidate[2] if candidate else None, data.password)
    if candidate is None or not password_ok or not candidate[3]:
        raise Unauthorized("wrong email or password", code="wrong_credentials")  # the reserved failure stays
    _give_back(db, keys[1:])  # the address's; the account's failures are cleared below
    user_id, company_id, password_hash, _ = candidate
    with db.tenant(company_id) as session:
        user = session.get_one(User, user_id)
        user.last_login_at = now
        if password_hash and security.needs_rehash(password_hash):
            user.password_hash = security.hash_password(data.password)
        session.execute(delete(LoginFailure).where(LoginFailure.key == keys[0][1]))
        return _issue_pair(session, tokens=tokens, user=user, now=now)


def refresh(*, db: Database, clock: Clock, tokens: security.TokenConfig, refresh_token: str) -> TokenPair:
    """Rotate a refresh token. A token used twice revokes its whole family (it was stolen)."""
    now = clock.now()
    company_id = security.refresh_token_company(refresh_token)
    with db.tenant(company_id) as session:
        row = session.scalars(
            select(RefreshToken).where(RefreshToken.token_hash == security.token_hash(refresh_token)).with_for_update()
        ).first()
        if row is None or row.revoked_at is not None or row.expires_at <= now:
            raise Unauthorized("invalid refresh token", code="session_expired")
        if row.used_at is not None:
            _revoke_family(session, row.family_id, now)
            reused = True
        else:
            reused = False
            user = session.get(User, row.user_id)
            if user is None or not user.is_active:
                raise Unauthorized("invalid refresh token", code="session_expired")
            row.used_at = now
            pair = _issue_pair(session, tokens=tokens, user=user, now=now, family_id=row.family_id)
    # Raised after the commit, so the family stays revoked.
    if reused:
        raise Unauthorized("refresh token reused; every session of this sign-in was revoked", code="session_revoked")
    return pair


def _revoke_family(session: Session, family_id: uuid.UUID, now: datetime) -> None:
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def logout(*, db: Database, clock: Clock, refresh_token: str) -> None:
    """Revoke the sign-in that ``refresh_token`` belongs to. Unknown tokens are ignored (idempotent)."""
    try:
        company_id = security.refresh_token_company(refresh_token)
    except Unauthorized:
        return
    with db.tenant(company_id) as session:
        row = session.scalars(
            select(RefreshToken).where(RefreshToken.token_hash == security.token_hash(refresh_token))
        ).first()
        if row is not None:
            _revoke_family(session, row.family_id, clock.now())


def authenticate(session: Session, claims: security.AccessClaims) -> Principal:
    """Confirm an access token's user still exists and is active; the role comes from the database."""
    user = session.get(User, claims.user_id)
    if user is None or not user.is_active or user.company_id != claims.company_id:
        raise Unauthorized("invalid or expired access token", code="session_expired")
    return Principal(user_id=user.id, company_id=user.company_id, role=Role(user.role))


def me(*, session: Session, actor: Principal) -> MeRead:
    user = session.get_one(User, actor.user_id)
    company = session.get_one(Company, actor.company_id)
    return MeRead(user=user_read(user), company=CompanyRead.model_validate(company))


def update_company(*, session: Session, actor: Principal, data: CompanyUpdate) -> CompanyRead:
    """Rename the company or change its defaults: the timezone (campaign windows, schedules) and the
    region that phone numbers without a country code are read in (admin and up)."""
    actor.require(Role.ADMIN)
    company = session.get_one(Company, actor.company_id)
    for name, value in data.model_dump(exclude_none=True).items():
        setattr(company, name, value)
    session.flush()
    session.refresh(company)
    return CompanyRead.model_validate(company)


def _get_user(session: Session, user_id: uuid.UUID) -> User:
    return get_or_404(session, User, user_id, "user")


def invite_user(*, session: Session, clock: Clock, actor: Principal, data: UserInvite) -> InvitationRead:
    """Create a pending user and the one-time token they accept the invitation with."""
    actor.require(Role.ADMIN)
    if data.role.rank > actor.role.rank:
        raise Forbidden(f"an {actor.role.value} cannot invite an {data.role.value}", code="role_above_yours")
    token = security.new_invite_token(actor.company_id)
    expires_at = clock.now() + INVITE_TTL
    user = User(
        company_id=actor.company_id,
        email=str(data.email),
        name=data.name,
        role=data.role.value,
        invite_token_hash=security.token_hash(token),
        invite_expires_at=expires_at,
    )
    try:
        with session.begin_nested():
            session.add(user)
            session.flush()
    except IntegrityError as error:
        raise _email_taken() from error
    session.refresh(user)
    return InvitationRead(user=user_read(user), invite_token=token, expires_at=expires_at)


def accept_invite(*, db: Database, clock: Clock, tokens: security.TokenConfig, data: AcceptInvite) -> TokenPair:
    """Set the invitee's password from their invitation token and sign them in."""
    now = clock.now()
    company_id = security.invite_token_company(data.token)
    with db.tenant(company_id) as session:
        user = session.scalars(
            select(User).where(User.invite_token_hash == security.token_hash(data.token)).with_for_update()
        ).first()
        if user is None or user.invite_expires_at is None or user.invite_expires_at <= now or not user.is_active:
            raise Unauthorized("invalid or expired invitation", code="invitation_invalid")
        user.password_hash = security.hash_password(data.password)
        user.invite_token_hash = None
        user.invite_expires_at = None
        user.last_login_at = now
        if data.name:
            user.name = data.name
        return _issue_pair(session, tokens=tokens, user=user, now=now)


def list_users(*, session: Session, actor: Principal, page: PageRequest) -> Page[UserRead]:
    actor.require(Role.ADMIN)
    rows, cursor = paginate(session, select(User), keys=[User.created_at, User.id], page=page)
    return Page[UserRead](items=[user_read(u) for u in rows], next_cursor=cursor)


def get_user(*, session: Session, actor: Principal, user_id: uuid.UUID) -> UserRead:
    actor.require(Role.ADMIN)
    return user_read(_get_user(session, user_id))


def update_user(*, session: Session, clock: Clock, actor: Principal, user_id: uuid.UUID, data: UserUpdate) -> UserRead:
    """Rename, change role, deactivate or reactivate a user. Nobody changes their own role or
    status and nobody acts on a user above their own role; since only owners manage owners and
    nobody demotes themselves, a company always keeps an active owner."""
    actor.require(Role.ADMIN)
    user = _get_user(session, user_id)
    current = Role(user.role)
    changes_access = (data.role is not None and data.role != current) or data.is_active is not None
    if user.id == actor.user_id and changes_access:
        raise Forbidden("you cannot change your own role or status", code="own_role")
    if current.rank > actor.role.rank or (data.role is not None and data.role.rank > actor.role.rank):
        raise Forbidden(f"an {actor.role.value} cannot manage users or roles above their own", code="role_above_yours")
    if data.name is not None:
        user.name = data.name
    if data.role is not None:
        user.role = data.role.value
    if data.is_active is not None:
        user.is_active = data.is_active
        if not data.is_active:
            session.execute(
                update(RefreshToken)
                .where(RefreshToken.user_id == user.id, RefreshToken.revoked_at.is_(None))
                .values(revoked_at=clock.now())
            )
    session.flush()
    session.refresh(user)
    return user_read(user)


def sweep_expired(*, db: Database, clock: Clock, throttle: LoginThrottle) -> int:
    """Delete stale failed-login counters. (Expired refresh tokens are shed at each sign-in.)"""
    now = clock.now()
    with db.tenant(None) as session:
        result = session.execute(delete(LoginFailure).where(LoginFailure.window_started_at < now - throttle.window))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
