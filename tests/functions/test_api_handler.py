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
