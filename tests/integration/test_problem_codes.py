"""Every error body carries a ``code`` (and its ``params``) beside the English text, for the whole body and
for each field, so a client can say it in its user's language."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api import invite, sign_up


def _codes(body: dict) -> dict[str, tuple[str, dict]]:
    return {e["field"]: (e["code"], e.get("params", {})) for e in body["errors"]}


def test_validation_errors_carry_pydantic_codes_and_our_own(client: TestClient) -> None:
    owner = sign_up(client)
    bad = client.patch(
        "/v1/company", headers=owner.headers, json={"timezone": "Mars/Olympus", "default_region": "br", "name": ""}
    )
    assert bad.status_code == 422
    body = bad.json()
    assert body["code"] == "invalid_fields"
    codes = _codes(body)
    assert codes["name"] == ("string_too_short", {"min_length": 1})
    assert codes["timezone"] == ("unknown_timezone", {"name": "Mars/Olympus"})
    assert codes["default_region"][0] == "string_pattern_mismatch"
    # an email pydantic refuses is named as such (pydantic's own type is a bare value_error)
    signup = client.post(
        "/v1/auth/signup",
        json={"company_name": "A", "name": "B", "email": "not-an-email", "password": "long enough pw"},
    )
    assert signup.status_code == 422
    assert _codes(signup.json())["email"][0] == "invalid_email"


def test_domain_errors_carry_their_code_and_params(client: TestClient) -> None:
    owner = sign_up(client)
    agent = invite(client, owner, role="agent")
    # a field error raised by the domain
    field = client.put(
        "/v1/contacts/settings",
        headers=owner.headers,
        json={"stop_keywords": ["sair"], "opt_in_keywords": ["sair"]},
    )
    assert field.status_code == 422, field.text
    assert _codes(field.json())["opt_in_keywords"] == ("keywords_both", {"keywords": "sair"})
    # a clash on a unique name, with the name
    first = client.post("/v1/templates", headers=owner.headers, json={"name": "Oi", "body": "Olá"})
    assert first.status_code == 201, first.text
    again = client.post("/v1/templates", headers=owner.headers, json={"name": "Oi", "body": "Olá"})
    assert (again.status_code, again.json()["code"], again.json()["params"]) == (409, "name_taken", {"name": "Oi"})
    # a role the caller lacks, with the role it needs
    forbidden = client.post(
        "/v1/users", headers=agent.headers, json={"email": "x@example.com", "name": "X", "role": "agent"}
    )
    assert forbidden.status_code == 403, forbidden.text
    assert (forbidden.json()["code"], forbidden.json()["params"]) == ("role_required", {"role": "admin"})
    # a wrong password, and a plain 404 from the router, get codes too
    wrong = client.post("/v1/auth/login", json={"email": owner.email, "password": "wrong password"})
    assert (wrong.status_code, wrong.json()["code"]) == (401, "wrong_credentials")
    missing = client.get("/v1/no-such-route", headers=owner.headers)
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
