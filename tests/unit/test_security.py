"""Passwords, access tokens and opaque tokens: pure functions, no database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from masteria.errors import Unauthorized
from masteria.tenancy import security

CONFIG = security.TokenConfig(
    secret="s" * 48,
    issuer="masteria",
    audience="masteria-api",
    access_ttl=timedelta(minutes=15),
    refresh_ttl=timedelta(days=30),
)


def test_passwords_use_argon2id_and_verify() -> None:
    hashed = security.hash_password("a long passphrase")
    assert hashed.startswith("$argon2id$")
    assert security.verify_password(hashed, "a long passphrase")
    assert not security.verify_password(hashed, "another passphrase")
    assert not security.verify_password(None, "a long passphrase")
    assert not security.verify_password("not-a-hash", "a long passphrase")


def test_the_recommended_parameters_unless_the_test_suite_asks_and_never_cheap_on_aws() -> None:
    default = security._make_hasher({})
    assert (default.time_cost, default.memory_cost, default.parallelism) == (3, 65536, 4)
    cheap = security._make_hasher({security.CHEAP_HASHES_FOR_TESTS: "1"})
    assert cheap.memory_cost < default.memory_cost and cheap.time_cost == 1
    assert security._hasher.memory_cost == cheap.memory_cost  # this suite runs on the cheap ones
    with pytest.raises(RuntimeError, match="never on AWS"):
        security._make_hasher({security.CHEAP_HASHES_FOR_TESTS: "1", "AWS_LAMBDA_FUNCTION_NAME": "api"})


def test_access_token_round_trip_and_expiry() -> None:
    user, company = uuid.uuid4(), uuid.uuid4()
    now = datetime.now(UTC)
    token = security.issue_access_token(CONFIG, user_id=user, company_id=company, role="admin", now=now)
    claims = security.decode_access_token(CONFIG, token)
    assert (claims.user_id, claims.company_id, claims.role) == (user, company, "admin")
    old = security.issue_access_token(
        CONFIG, user_id=user, company_id=company, role="admin", now=now - timedelta(minutes=16)
    )
    with pytest.raises(Unauthorized):
        security.decode_access_token(CONFIG, old)


def test_tenant_tokens_name_their_company_and_are_unguessable() -> None:
    company = uuid.uuid4()
    first, second = security.new_refresh_token(company), security.new_refresh_token(company)
    assert first != second
    assert security.refresh_token_company(first) == company
    with pytest.raises(Unauthorized):
        security.refresh_token_company(security.new_invite_token(company))  # an invitation is no refresh token
    assert security.token_hash(first) != security.token_hash(second)
