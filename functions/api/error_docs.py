"""The OpenAPI document tells the truth about errors: every status a route can answer, as problem+json.

Most statuses follow from a route's shape, so they are derived here rather than written on every route:
  * 401 when it needs a signed-in caller, 404 when its path names something ({id}), 422 for every route (a NUL
    in the query is refused everywhere, and any parameter or field may be invalid);
  * 400 (malformed JSON) and 413 (too large) when it takes a body.
The statuses only the use case knows (403 for a role, 409 for a state, 429 for a throttle…) are declared on the
route with ``responses=problems(403, 409)``. A test session records the status of every response the API gives
and fails when one is not in this document (tests/conftest.py).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field

from functions.api.errors import PROBLEM_JSON

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


class FieldProblem(BaseModel):
    field: str = Field(description="the field, dotted (`custom.plan`), or `body`")
    message: str = Field(description="in English")
    code: str = Field(description="stable: what a client translates for its user")
    params: dict[str, Any] | None = Field(None, description="values for the translated message")


class Problem(BaseModel):
    """RFC 9457 problem details, with a stable ``code`` and the request's ``correlation_id``."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    code: str = Field(description="stable: what a client translates for its user")
    instance: str = Field(description="the request's path")
    correlation_id: str | None = Field(description="quote it when reporting a problem")
    params: dict[str, Any] | None = Field(None, description="values for the translated message")
    errors: list[FieldProblem] | None = Field(None, description="one per invalid field (422)")


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: the error statuses its use case may answer beyond those its shape implies."""
    return {status: _problem_response(status) for status in statuses}


def _problem_response(status: int) -> dict[str, Any]:
    return {"description": HTTPStatus(status).phrase, "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}}}


def implied_statuses(operation: dict[str, Any]) -> set[int]:
    """The error statuses an operation can answer because of its shape (see the module's docstring)."""
    statuses = {422}
    if operation.get("security"):
        statuses.add(401)
    if any(parameter.get("in") == "path" for parameter in operation.get("parameters", [])):
        statuses.add(404)
    if "requestBody" in operation:
        statuses |= {400, 413}
    return statuses


def document(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes, servers=app.servers
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(problem.pop("$defs", {}))
    components["Problem"] = problem
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            declared = {int(status) for status in responses if str(status).isdigit()}
            for status in implied_statuses(operation) | declared:
                if status >= 400:
                    responses[str(status)] = _problem_response(status)
    app.openapi_schema = schema
    return schema


def install(app: FastAPI) -> None:
    app.openapi = lambda: document(app)  # type: ignore[method-assign]
