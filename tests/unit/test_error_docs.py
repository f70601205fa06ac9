"""The OpenAPI document lists each route's error statuses as problem+json (functions/api/error_docs.py); the test
session also fails on any status a route answered that the document does not list (tests/statuses.py)."""

from __future__ import annotations

from typing import Any

import pytest

from functions.api.app import create_app


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return create_app().openapi()


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, op) for path, ops in document["paths"].items() for method, op in ops.items()]


def test_every_error_is_problem_json_with_the_problem_schema(document: dict[str, Any]) -> None:
    errors = [(m, p, s, r) for m, p, op in _operations(document) for s, r in op["responses"].items() if int(s) >= 400]
    assert errors
    for method, path, status, response in errors:
        assert list(response["content"]) == ["application/problem+json"], (method, path, status)
        assert response["content"]["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert "HTTPValidationError" not in document["components"]["schemas"]
    problem = document["components"]["schemas"]["Problem"]
    assert {"code", "correlation_id", "errors", "status", "detail"} <= set(problem["properties"])


def test_statuses_follow_from_each_routes_shape(document: dict[str, Any]) -> None:
    for method, path, operation in _operations(document):
        statuses = set(operation["responses"])
        assert "422" in statuses, (method, path)  # a NUL in the query is refused everywhere
        if operation.get("security"):
            assert "401" in statuses, (method, path)
        if "{" in path:
            assert "404" in statuses, (method, path)
        if "requestBody" in operation:
            assert {"400", "413"} <= statuses, (method, path)


def test_statuses_only_the_use_case_knows_are_declared(document: dict[str, Any]) -> None:
    paths = document["paths"]
    assert {"401", "403", "429"} <= set(paths["/v1/auth/login"]["post"]["responses"])
    assert "403" in paths["/v1/users"]["post"]["responses"]  # an agent may not invite
    assert "409" in paths["/v1/campaigns/{campaign_id}/pause"]["post"]["responses"]  # not running
    assert "403" not in paths["/v1/me"]["get"]["responses"]  # any signed-in user may
