"""The browser's sign-in: the refresh token in an HttpOnly cookie, the Origin check, and curl's JSON tokens
unchanged — through the API on a real database."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient

from masteria.bootstrap import Container
from tests.api import PASSWORD, sign_up

ORIGIN = "http://testserver"  # the TestClient's own origin
BROWSER = {"X-Refresh-Cookie": "1", "Origin": ORIGIN}


def _set_cookies(response: httpx.Response) -> list[dict[str, str]]:
    """Each Set-Cookie header as {name: value, attribute (lower case): value}."""
    cookies = []
    for header in response.headers.get_list("set-cookie"):
        name_value, *attributes = (part.strip() for part in header.split(";"))
        name, _, value = name_value.partition("=")
        parsed = {"name": name, "value": value}
        for attribute in attributes:
            key, _, attribute_value = attribute.partition("=")
            parsed[key.lower()] = attribute_value
        cookies.append(parsed)
    return cookies


def _refresh_cookie(response: httpx.Response) -> dict[str, str]:
    (cookie,) = _set_cookies(response)
    assert cookie["name"] == "masteria_refresh"
    return cookie


def _with_cookie(token: str, **headers: str) -> dict[str, str]:
    return {"Cookie": f"masteria_refresh={token}", **headers}


def _browser_login(client: TestClient) -> str:
    owner = sign_up(client)
    login = client.post("/v1/auth/login", headers=BROWSER, json={"email": owner.email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return _refresh_cookie(login)["value"]


def test_browser_mode_puts_the_refresh_token_in_a_strict_httponly_cookie(client: TestClient) -> None:
    # GIVEN a browser that asks for the cookie
    # WHEN it signs up
    signup = client.post(
        "/v1/auth/signup",
        headers=BROWSER,
        json={"company_name": "Acme", "name": "Ana", "email": "ana@cookie.example.com", "password": PASSWORD},
    )
    # THEN the refresh token is only in the cookie, scoped to /v1/auth, out of reach of scripts and other sites
    assert signup.status_code == 201, signup.text
    body = signup.json()
    assert body["refresh_token"] is None
    assert body["refresh_expires_in"] == 30 * 24 * 3600
    cookie = _refresh_cookie(signup)
    assert cookie["value"].startswith("mrt1.")
    assert cookie["path"] == "/v1/auth"
    assert cookie["max-age"] == str(30 * 24 * 3600)
    assert cookie["samesite"] == "Strict"
    assert "httponly" in cookie
    assert "secure" in cookie
    assert "domain" not in cookie  # host-only
    # AND the access token works as usual
    me = client.get("/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    # AND login does the same
    login = client.post(
        "/v1/auth/login", headers=BROWSER, json={"email": "ana@cookie.example.com", "password": PASSWORD}
    )
    assert login.json()["refresh_token"] is None
    assert _refresh_cookie(login)["value"] != cookie["value"]


def test_accepting_an_invitation_in_browser_mode_sets_the_cookie(client: TestClient) -> None:
    owner = sign_up(client)
    invited = client.post(
        "/v1/users", headers=owner.headers, json={"email": "bia@cookie.example.com", "name": "Bia", "role": "agent"}
    )
    accepted = client.post(
        "/v1/auth/accept-invite",
        headers=BROWSER,
        json={"token": invited.json()["invite_token"], "password": PASSWORD},
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["refresh_token"] is None
    assert _refresh_cookie(accepted)["value"].startswith("mrt1.")


def test_refresh_by_cookie_rotates_the_cookie(client: TestClient) -> None:
    # GIVEN a browser signed in with a refresh cookie
    first = _browser_login(client)
    # WHEN it refreshes with no body at all, only the cookie
    rotated = client.post("/v1/auth/refresh", headers=_with_cookie(first, **BROWSER))
    # THEN it gets a new access token and a new cookie, and still no token in JSON
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["refresh_token"] is None
    assert rotated.json()["access_token"]
    second = _refresh_cookie(rotated)
    assert second["value"] != first
    assert second["max-age"] == str(30 * 24 * 3600)
    # AND a cookie sent without the mode header is answered in cookie mode too (never back into JSON)
    again = client.post("/v1/auth/refresh", headers=_with_cookie(second["value"], Origin=ORIGIN))
    assert again.status_code == 200, again.text
    assert again.json()["refresh_token"] is None
    assert _refresh_cookie(again)["value"] not in (first, second["value"])


def test_a_reused_cookie_is_refused_cleared_and_revokes_the_newer_one(client: TestClient) -> None:
    old = _browser_login(client)
    newer = _refresh_cookie(client.post("/v1/auth/refresh", headers=_with_cookie(old, **BROWSER)))["value"]
    # WHEN the already-rotated cookie is presented again (another tab, or a thief)
    replay = client.post("/v1/auth/refresh", headers=_with_cookie(old, **BROWSER))
    # THEN 401 problem+json, and the cookie is cleared
    assert replay.status_code == 401
    assert replay.headers["content-type"] == "application/problem+json"
    assert "revoked" in replay.json()["detail"]
    cleared = _refresh_cookie(replay)
    assert (cleared["value"], cleared["max-age"], cleared["path"]) == ("", "0", "/v1/auth")
    # AND the newer cookie of the same sign-in no longer works either
    refused = client.post("/v1/auth/refresh", headers=_with_cookie(newer, **BROWSER))
    assert refused.status_code == 401
    assert _refresh_cookie(refused)["max-age"] == "0"


def test_the_cookie_routes_need_the_apis_own_origin(client: TestClient, container: Container) -> None:
    token = _browser_login(client)
    # GIVEN no Origin, or another one
    for origin in (None, "https://evil.example.com", "http://testserver.evil.example.com", "null"):
        headers = _with_cookie(token, **({"Origin": origin} if origin else {}))
        # WHEN the cookie is used
        for path in ("/v1/auth/refresh", "/v1/auth/logout"):
            refused = client.post(path, headers=headers)
            # THEN 403 problem+json that says why, and nothing changes
            assert refused.status_code == 403, (path, origin, refused.text)
            assert refused.headers["content-type"] == "application/problem+json"
            assert "origin" in refused.json()["detail"].lower()
            assert not refused.headers.get_list("set-cookie")
    # AND asking for the cookie on login needs the Origin as well
    owner = sign_up(client)
    login = {"email": owner.email, "password": PASSWORD}
    assert client.post("/v1/auth/login", headers={"X-Refresh-Cookie": "1"}, json=login).status_code == 403
    evil = {"X-Refresh-Cookie": "1", "Origin": "https://evil.example.com"}
    assert client.post("/v1/auth/login", headers=evil, json=login).status_code == 403
    # AND the untouched cookie still works with the right Origin
    assert client.post("/v1/auth/refresh", headers=_with_cookie(token, Origin=ORIGIN)).status_code == 200


def test_the_origin_behind_a_proxy_and_the_allow_list(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    login = {"email": owner.email, "password": PASSWORD}
    # behind CloudFront / API Gateway: the forwarded scheme and host are the API's own origin
    proxied = {"X-Refresh-Cookie": "1", "Origin": "https://app.example.com", "X-Forwarded-Proto": "https"}
    forwarded = client.post("/v1/auth/login", headers={**proxied, "X-Forwarded-Host": "app.example.com"}, json=login)
    assert forwarded.status_code == 200, forwarded.text
    assert client.post("/v1/auth/login", headers=proxied, json=login).status_code == 403
    # ALLOWED_ORIGINS admits another origin (the dashboard's, when the API sees API Gateway's host)
    container.settings = container.settings.model_copy(update={"allowed_origins": ("https://app.example.com",)})
    allowed = client.post("/v1/auth/login", headers=proxied, json=login)
    assert allowed.status_code == 200, allowed.text
    # a default port is the same origin
    explicit_port = {"X-Refresh-Cookie": "1", "Origin": "http://testserver:80"}
    assert client.post("/v1/auth/login", headers=explicit_port, json=login).status_code == 200


def test_logout_by_cookie_revokes_the_sign_in_and_clears_the_cookie(client: TestClient) -> None:
    token = _browser_login(client)
    # WHEN the browser logs out with its cookie and no body
    logout = client.post("/v1/auth/logout", headers=_with_cookie(token, **BROWSER))
    # THEN 204, the cookie is cleared and the sign-in is revoked
    assert logout.status_code == 204, logout.text
    cleared = _refresh_cookie(logout)
    assert (cleared["value"], cleared["max-age"], cleared["path"]) == ("", "0", "/v1/auth")
    assert {"httponly", "secure"} <= cleared.keys()
    assert cleared["samesite"] == "Strict"
    assert client.post("/v1/auth/refresh", headers=_with_cookie(token, **BROWSER)).status_code == 401
    # AND logging out again with no cookie left is fine (idempotent), clearing it once more
    again = client.post("/v1/auth/logout", headers=BROWSER)
    assert again.status_code == 204
    assert _refresh_cookie(again)["max-age"] == "0"


def test_curl_keeps_json_tokens_and_sets_no_cookie(client: TestClient) -> None:
    owner = sign_up(client)
    login = client.post("/v1/auth/login", json={"email": owner.email, "password": PASSWORD})
    assert login.status_code == 200
    assert login.json()["refresh_token"].startswith("mrt1.")
    assert not login.headers.get_list("set-cookie")
    rotated = client.post("/v1/auth/refresh", json={"refresh_token": login.json()["refresh_token"]})
    assert rotated.status_code == 200
    assert rotated.json()["refresh_token"].startswith("mrt1.")
    assert not rotated.headers.get_list("set-cookie")
    # no token at all: 401 that says what to send
    missing = client.post("/v1/auth/refresh")
    assert missing.status_code == 401
    assert "refresh_token" in missing.json()["detail"]
    assert not missing.headers.get_list("set-cookie")
    # a body token wins over a cookie, with no Origin needed (curl with a cookie jar)
    body_wins = client.post(
        "/v1/auth/logout",
        headers=_with_cookie("mrt1.garbage.x"),
        json={"refresh_token": rotated.json()["refresh_token"]},
    )
    assert body_wins.status_code == 204
    assert not body_wins.headers.get_list("set-cookie")
    revoked = client.post("/v1/auth/refresh", json={"refresh_token": rotated.json()["refresh_token"]})
    assert revoked.status_code == 401


def test_openapi_documents_browser_mode(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    pair = spec["components"]["schemas"]["TokenPair"]
    assert {"type": "null"} in pair["properties"]["refresh_token"]["anyOf"]
    assert "masteria_refresh" in pair["properties"]["refresh_token"]["description"]
    refresh = spec["paths"]["/v1/auth/refresh"]["post"]
    assert not refresh["requestBody"].get("required", False)
    parameters = {(p["in"], p["name"]) for p in refresh["parameters"]}
    assert parameters == {("header", "X-Refresh-Cookie"), ("cookie", "masteria_refresh")}
    login = {(p["in"], p["name"]) for p in spec["paths"]["/v1/auth/login"]["post"]["parameters"]}
    assert login == {("header", "X-Refresh-Cookie")}
