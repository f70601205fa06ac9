"""Passwords (argon2id), access tokens (JWT, HS256 pinned) and opaque refresh tokens."""

from __future__ import annotations

import hashlib
import os
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from masteria.errors import Unauthorized

ALGORITHM = "HS256"  # pinned: tokens naming any other algorithm (or "none") are refused
_REFRESH_PREFIX = "mrt1"
_INVITE_PREFIX = "miv1"

# The test suite's own switch: argon2's cheapest parameters (a profile the library offers for tests), since one
# hash at the recommended ones costs ~0.2 s of CPU and the tests sign up thousands of accounts. Refused on AWS.
CHEAP_HASHES_FOR_TESTS = "MASTERIA_TEST_CHEAP_PASSWORD_HASHES"


def _make_hasher(environ: os._Environ[str] | dict[str, str]) -> PasswordHasher:
    if environ.get(CHEAP_HASHES_FOR_TESTS) != "1":
        return PasswordHasher()  # argon2id with the library's current recommended parameters
    if environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        raise RuntimeError(f"{CHEAP_HASHES_FOR_TESTS} is for the test suite only, never on AWS")
    return PasswordHasher.from_parameters(profiles.CHEAPEST)


_hasher = _make_hasher(os.environ)
# Verified when the account does not exist, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@dataclass(frozen=True)
class TokenConfig:
    secret: str
    issuer: str
    audience: str
    access_ttl: timedelta
    refresh_ttl: timedelta


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    company_id: uuid.UUID
    role: str


def issue_access_token(
    config: TokenConfig, *, user_id: uuid.UUID, company_id: uuid.UUID, role: str, now: datetime
) -> str:
    claims = {
        "sub": str(user_id),
        "cid": str(company_id),
        "role": role,
        "iss": config.issuer,
        "aud": config.audience,
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int((now + config.access_ttl).timestamp()),
        "jti": secrets.token_hex(8),
        "typ": "access",
    }
    return jwt.encode(claims, config.secret, algorithm=ALGORITHM)


def decode_access_token(config: TokenConfig, token: str) -> AccessClaims:
    """Verify signature, algorithm, ``exp``, ``iss`` and ``aud``; any failure is 401."""
    try:
        claims = jwt.decode(
            token,
            config.secret,
            algorithms=[ALGORITHM],
            audience=config.audience,
            issuer=config.issuer,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "cid"]},
            leeway=5,
        )
        if claims.get("typ") != "access":
            raise Unauthorized("not an access token")
        return AccessClaims(
            user_id=uuid.UUID(claims["sub"]), company_id=uuid.UUID(claims["cid"]), role=str(claims["role"])
        )
    except (jwt.PyJWTError, ValueError, KeyError, TypeError) as error:
        raise Unauthorized("invalid or expired access token", code="session_expired") from error


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def _new_tenant_token(prefix: str, company_id: uuid.UUID) -> str:
    return f"{prefix}.{company_id.hex}.{secrets.token_urlsafe(32)}"


def _tenant_of(prefix: str, token: str) -> uuid.UUID:
    """The company a refresh or invitation token names: where to look it up, not proof of anything."""
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != prefix:
        raise Unauthorized("malformed token")
    try:
        return uuid.UUID(hex=parts[1])
    except ValueError as error:
        raise Unauthorized("malformed token") from error


def new_refresh_token(company_id: uuid.UUID) -> str:
    return _new_tenant_token(_REFRESH_PREFIX, company_id)


def refresh_token_company(token: str) -> uuid.UUID:
    return _tenant_of(_REFRESH_PREFIX, token)


def new_invite_token(company_id: uuid.UUID) -> str:
    return _new_tenant_token(_INVITE_PREFIX, company_id)


def invite_token_company(token: str) -> uuid.UUID:
    return _tenant_of(_INVITE_PREFIX, token)
