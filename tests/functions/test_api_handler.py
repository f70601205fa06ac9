"""The REST API's Lambda handler (Mangum) with API Gateway HTTP API v2 events."""

from __future__ import annotations

import json

from masteria.bootstrap import Container
from tests.functions.events import FakeContext, http_api_event


def test_health_through_mangum(container: Container) -> None:
    from functions.api.handler import handler

    response = handler(http_api_event("GET", "/health"), FakeContext())
    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {"status": "ok", "database": "ok"}


def test_signup_and_me_through_mangum(container: Container) -> None:
    from functions.api.handler import handler

    body = {"company_name": "Lambda Co", "name": "L", "email": "l@lambda.example.com", "password": "pass phrase 1"}
    # GIVEN a base64-encoded body, as API Gateway sends binary-safe payloads
    created = handler(http_api_event("POST", "/v1/auth/signup", body=body, base64_body=True), FakeContext())
    assert created["statusCode"] == 201, created["body"]
    token = json.loads(created["body"])["access_token"]
    me = handler(http_api_event("GET", "/v1/me", headers={"authorization": f"Bearer {token}"}), FakeContext())
    assert me["statusCode"] == 200
    assert json.loads(me["body"])["company"]["name"] == "Lambda Co"
    assert me["headers"]["x-correlation-id"]


def test_errors_leak_no_detail(container: Container) -> None:
    from functions.api.handler import handler

    response = handler(http_api_event("POST", "/v1/auth/login", body={"email": "x"}), FakeContext())
    assert response["statusCode"] == 422
    assert response["headers"]["content-type"] == "application/problem+json"
    problem = json.loads(response["body"])
    assert {e["field"] for e in problem["errors"]} == {"email", "password"}


def test_the_refresh_cookie_through_mangum(container: Container) -> None:
    """API Gateway v2 carries cookies in `cookies` lists both ways; the origin is https + the Host it was called on."""
    from functions.api.handler import handler

    browser = {"x-refresh-cookie": "1", "origin": "https://api.example.com", "x-forwarded-proto": "https"}
    body = {"company_name": "Cookie Co", "name": "C", "email": "c@cookie.example.com", "password": "pass phrase 1"}
    created = handler(http_api_event("POST", "/v1/auth/signup", body=body, headers=browser), FakeContext())
    assert created["statusCode"] == 201, created["body"]
    assert json.loads(created["body"])["refresh_token"] is None
    (cookie,) = created["cookies"]
    assert cookie.startswith("masteria_refresh=mrt1.")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    # WHEN the browser refreshes with its cookie and no body
    event = http_api_event("POST", "/v1/auth/refresh", headers=browser)
    event["cookies"] = [cookie.split(";")[0]]
    rotated = handler(event, FakeContext())
    # THEN it rotates: a new cookie
    assert rotated["statusCode"] == 200, rotated["body"]
    (new_cookie,) = rotated["cookies"]
    assert new_cookie.split(";")[0] != cookie.split(";")[0]
