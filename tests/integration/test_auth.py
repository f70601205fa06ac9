"""Sign-up, login, tokens, refresh rotation, logout, throttling — through the API on a real database."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import jwt
from fastapi.testclient import TestClient

from masteria.bootstrap import Container
from masteria.errors import RateLimited, Unauthorized
from masteria.tenancy import service
from masteria.tenancy.schemas import Login
from tests.api import PASSWORD, invite, sign_up
from tests.conftest import JWT_SECRET


def _claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": str(uuid.uuid4()),
        "cid": str(uuid.uuid4()),
        "role": "owner",
        "iss": "masteria",
        "aud": "masteria-api",
        "iat": now,
        "exp": now + 300,
        "typ": "access",
    }
    claims.update(overrides)
    return claims


def test_signup_login_me_refresh_logout(client: TestClient) -> None:
    # GIVEN a new company
    owner = sign_up(client, company="Acme")
    # WHEN its owner logs in
    login = client.post("/v1/auth/login", json={"email": owner.email.upper(), "password": PASSWORD})
    # THEN they get a bearer pair whose access token lasts at most 15 minutes
    assert login.status_code == 200, login.text
    pair = login.json()
    assert pair["token_type"] == "bearer"
    assert 0 < pair["expires_in"] <= 900
    me = client.get("/v1/me", headers={"Authorization": f"Bearer {pair['access_token']}"})
    assert me.json()["company"]["name"] == "Acme"
    assert me.json()["user"]["role"] == "owner"
    # AND refresh rotates the refresh token
    rotated = client.post("/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert rotated.status_code == 200
    assert rotated.json()["refresh_token"] != pair["refresh_token"]
    # AND logout revokes the sign-in: the rotated token no longer refreshes
    assert client.post("/v1/auth/logout", json={"refresh_token": rotated.json()["refresh_token"]}).status_code == 204
    again = client.post("/v1/auth/refresh", json={"refresh_token": rotated.json()["refresh_token"]})
    assert again.status_code == 401


def test_reused_refresh_token_revokes_its_family(client: TestClient) -> None:
    owner = sign_up(client)
    first = client.post("/v1/auth/refresh", json={"refresh_token": owner.refresh_token})
    assert first.status_code == 200
    newest = first.json()["refresh_token"]
    # WHEN the already-used token is presented again (a thief replaying it)
    replay = client.post("/v1/auth/refresh", json={"refresh_token": owner.refresh_token})
    # THEN it is refused and the legitimate newest token of the same family is revoked too
    assert replay.status_code == 401
    assert client.post("/v1/auth/refresh", json={"refresh_token": newest}).status_code == 401
    # AND another sign-in (another family) is untouched
    other = client.post("/v1/auth/login", json={"email": owner.email, "password": PASSWORD}).json()
    assert client.post("/v1/auth/refresh", json={"refresh_token": other["refresh_token"]}).status_code == 200


def test_refresh_token_naming_another_company_is_refused(client: TestClient) -> None:
    a = sign_up(client)
    b = sign_up(client)
    prefix, _, secret = a.refresh_token.split(".")
    forged = f"{prefix}.{uuid.UUID(b.company_id).hex}.{secret}"
    assert client.post("/v1/auth/refresh", json={"refresh_token": forged}).status_code == 401
    for garbage in ("x", "mrt1.nothex.abc", "a.b.c.d"):
        assert client.post("/v1/auth/refresh", json={"refresh_token": garbage}).status_code == 401


def test_bad_access_tokens_are_401(client: TestClient) -> None:
    owner = sign_up(client)
    good = jwt.decode(owner.access_token, JWT_SECRET, algorithms=["HS256"], audience="masteria-api")
    unsigned = jwt.encode(good, key=None, algorithm="none")  # type: ignore[arg-type]
    tokens = {
        "alg none": unsigned,
        "wrong key": jwt.encode(good, "k" * 48, algorithm="HS256"),
        "expired": jwt.encode({**good, "exp": int(time.time()) - 60}, JWT_SECRET, algorithm="HS256"),
        "wrong aud": jwt.encode({**good, "aud": "someone-else"}, JWT_SECRET, algorithm="HS256"),
        "wrong iss": jwt.encode({**good, "iss": "evil"}, JWT_SECRET, algorithm="HS256"),
        "other alg": jwt.encode(good, JWT_SECRET, algorithm="HS512"),
        "no exp": jwt.encode({k: v for k, v in good.items() if k != "exp"}, JWT_SECRET, algorithm="HS256"),
        "unknown user": jwt.encode(_claims(), JWT_SECRET, algorithm="HS256"),
        "garbage": "not-a-jwt",
    }
    for name, token in tokens.items():
        response = client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, name
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"] == "Bearer"
    assert client.get("/v1/me").status_code == 401
    assert client.get("/v1/me", headers=owner.headers).status_code == 200


def test_signup_conflicts_and_validation(client: TestClient) -> None:
    owner = sign_up(client)
    duplicate = client.post(
        "/v1/auth/signup",
        json={"company_name": "X", "name": "Y", "email": owner.email.upper(), "password": PASSWORD},
    )
    assert duplicate.status_code == 409
    invalid = client.post(
        "/v1/auth/signup",
        json={"company_name": "", "name": "Y", "email": "not-an-email", "password": "short", "plan": "gold"},
    )
    assert invalid.status_code == 422
    problem = invalid.json()
    assert problem["status"] == 422
    assert {e["field"] for e in problem["errors"]} == {"company_name", "email", "password", "plan"}


def test_failed_logins_are_throttled_per_account(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    limit = container.settings.login_max_failures_per_account
    for _ in range(limit):
        wrong = client.post("/v1/auth/login", json={"email": owner.email, "password": "wrong password"})
        assert wrong.status_code == 401
    # THEN even the right password is refused for a while, with Retry-After
    blocked = client.post("/v1/auth/login", json={"email": owner.email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["retry-after"]) <= container.settings.login_failure_window_seconds + 1
    # AND an unknown account fails exactly like a wrong password (no account enumeration)
    unknown = client.post("/v1/auth/login", json={"email": "nobody@example.com", "password": PASSWORD})
    assert unknown.status_code == 401
    assert unknown.json()["detail"] == "wrong email or password"


def test_parallel_wrong_guesses_get_no_more_than_the_limit(client: TestClient, container: Container) -> None:
    # GIVEN an account, and 30 wrong passwords tried for it at the same moment (each its own thread)
    owner = sign_up(client)
    limit = container.settings.login_max_failures_per_account
    start = threading.Barrier(30)

    def guess(n: int) -> str:
        start.wait()
        try:
            service.login(
                db=container.database,
                clock=container.clock,
                tokens=container.token_config,
                throttle=container.login_throttle,
                data=Login(email=owner.email, password=f"wrong password {n}"),
                address=f"198.51.100.{n}",
            )
        except Unauthorized:
            return "401"
        except RateLimited:
            return "429"
        return "200"

    with ThreadPoolExecutor(max_workers=30) as pool:
        answers = list(pool.map(guess, range(30)))
    # THEN at most the limit had their password checked; the others were refused before it
    assert answers.count("200") == 0
    assert answers.count("401") <= limit, answers
    assert answers.count("429") >= 30 - limit
    # AND the right password is refused too, for the window
    assert client.post("/v1/auth/login", json={"email": owner.email, "password": PASSWORD}).status_code == 429


def test_a_right_password_clears_the_account_and_gives_the_address_its_attempt(
    client: TestClient, container: Container
) -> None:
    owner = sign_up(client)
    per_account = container.settings.login_max_failures_per_account
    for _ in range(per_account - 1):
        assert client.post("/v1/auth/login", json={"email": owner.email, "password": "wrong"}).status_code == 401
    assert client.post("/v1/auth/login", json={"email": owner.email, "password": PASSWORD}).status_code == 200
    # the account starts over: a full set of wrong passwords before the lock
    for _ in range(per_account):
        assert client.post("/v1/auth/login", json={"email": owner.email, "password": "wrong"}).status_code == 401
    assert client.post("/v1/auth/login", json={"email": owner.email, "password": PASSWORD}).status_code == 429


def test_failed_logins_are_throttled_per_address(client: TestClient, container: Container) -> None:
    accounts = [sign_up(client) for _ in range(2)]
    limit = container.settings.login_max_failures_per_address
    for i in range(limit):
        email = accounts[i % 2].email if i % 3 else f"ghost{i}@example.com"
        client.post("/v1/auth/login", json={"email": email, "password": "wrong password"})
    blocked = client.post("/v1/auth/login", json={"email": accounts[0].email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert "retry-after" in blocked.headers


def test_invite_roles_and_deactivation(client: TestClient) -> None:
    owner = sign_up(client)
    admin = invite(client, owner, role="admin")
    agent = invite(client, admin, role="agent")
    # agents cannot list or invite
    assert client.get("/v1/users", headers=agent.headers).status_code == 403
    forbidden = client.post(
        "/v1/users", headers=agent.headers, json={"email": "z@example.com", "name": "Z", "role": "agent"}
    )
    assert forbidden.status_code == 403
    # an admin cannot invite an owner, nor promote anyone to owner, nor touch the owner
    assert (
        client.post(
            "/v1/users", headers=admin.headers, json={"email": "o@example.com", "name": "O", "role": "owner"}
        ).status_code
        == 403
    )
    assert client.patch(f"/v1/users/{agent.user_id}", headers=admin.headers, json={"role": "owner"}).status_code == 403
    assert (
        client.patch(f"/v1/users/{owner.user_id}", headers=admin.headers, json={"is_active": False}).status_code == 403
    )
    # nobody changes their own role; the last owner cannot be demoted
    assert client.patch(f"/v1/users/{admin.user_id}", headers=admin.headers, json={"role": "owner"}).status_code == 403
    # listing shows all three, newest first, with a cursor
    first = client.get("/v1/users?limit=2", headers=owner.headers).json()
    assert [u["id"] for u in first["items"]] == [agent.user_id, admin.user_id]
    rest = client.get(f"/v1/users?limit=2&cursor={first['next_cursor']}", headers=owner.headers).json()
    assert [u["id"] for u in rest["items"]] == [owner.user_id]
    assert rest["next_cursor"] is None
    assert client.get("/v1/users?limit=201", headers=owner.headers).status_code == 422
    assert client.get("/v1/users?cursor=bogus", headers=owner.headers).status_code == 422
    # deactivating signs the agent out at once and blocks login and refresh
    off = client.patch(f"/v1/users/{agent.user_id}", headers=admin.headers, json={"is_active": False})
    assert off.status_code == 200 and off.json()["is_active"] is False
    assert client.get("/v1/me", headers=agent.headers).status_code == 401
    assert client.post("/v1/auth/refresh", json={"refresh_token": agent.refresh_token}).status_code == 401
    assert client.post("/v1/auth/login", json={"email": agent.email, "password": PASSWORD}).status_code == 401
    # an invitation token works once
    pending = client.post(
        "/v1/users", headers=owner.headers, json={"email": "p@example.com", "name": "P", "role": "agent"}
    ).json()
    assert pending["user"]["invitation_pending"] is True
    body = {"token": pending["invite_token"], "password": PASSWORD}
    assert client.post("/v1/auth/accept-invite", json=body).status_code == 200
    assert client.post("/v1/auth/accept-invite", json=body).status_code == 401


def test_only_owners_manage_owners(client: TestClient) -> None:
    owner = sign_up(client)
    second = invite(client, owner, role="owner")
    assert client.patch(f"/v1/users/{second.user_id}", headers=owner.headers, json={"role": "admin"}).status_code == 200
    # second is now an admin: it cannot demote or deactivate the remaining owner
    demote_last = client.patch(f"/v1/users/{owner.user_id}", headers=second.headers, json={"role": "admin"})
    assert demote_last.status_code == 403
    # and the owner cannot demote themselves, so the company keeps an owner
    assert client.patch(f"/v1/users/{owner.user_id}", headers=owner.headers, json={"role": "admin"}).status_code == 403


def test_problem_json_and_correlation_id(client: TestClient) -> None:
    response = client.get("/v1/nowhere", headers={"X-Correlation-Id": "abc-123"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-correlation-id"] == "abc-123"
    assert response.json()["correlation_id"] == "abc-123"
    generated = client.get("/health", headers={"X-Correlation-Id": "bad id with spaces"})
    assert generated.headers["x-correlation-id"] != "bad id with spaces"
    uuid.UUID(generated.headers["x-correlation-id"])


def test_health_reports_the_database(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
