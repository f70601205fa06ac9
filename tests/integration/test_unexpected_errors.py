"""An error nothing handles (our own bug, a database fault) is a 500 problem+json with its correlation id, logged
without the customer data its text may quote, and the next request on the same pool works."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from functions.api.app import create_app
from functions.api.deps import CallerDep
from masteria.bootstrap import Container
from masteria.observability import logger
from tests.api import sign_up

SECRET = "maria.souza@example.com"  # a customer's email, quoted by the database error


@pytest.fixture
def failing(container: Container) -> Iterator[TestClient]:
    """The API with one more route, which fails in the database with a customer's phone number as a parameter."""
    del container
    app = create_app()

    def broken(caller: CallerDep) -> dict[str, str]:
        caller.session.execute(text("SELECT CAST(:email AS integer)"), {"email": SECRET})
        return {}

    app.add_api_route("/v1/broken", broken, methods=["GET"])
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_a_500_carries_its_correlation_id_and_logs_no_customer_data(failing: TestClient) -> None:
    owner = sign_up(failing)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    try:
        answer = failing.get("/v1/broken", headers={**owner.headers, "X-Correlation-Id": "trace-me-42"})
    finally:
        logger.removeHandler(handler)
    assert answer.status_code == 500
    assert answer.headers["content-type"].startswith("application/problem+json")
    body = answer.json()
    assert (body["correlation_id"], body["code"]) == ("trace-me-42", "internal")
    assert answer.headers["x-correlation-id"] == "trace-me-42"
    assert "integer" not in body["detail"] and SECRET not in answer.text
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    failure = [line for line in lines if line["message"] == "unhandled error"]
    assert len(failure) == 1, lines
    assert (failure[0]["correlation_id"], failure[0]["route"]) == ("trace-me-42", "/v1/broken")
    assert "ProgrammingError" in failure[0]["error_type"]  # what kind of fault, and where: for whoever reads it
    assert "test_unexpected_errors.py" in failure[0]["traceback"]
    assert SECRET not in stream.getvalue()
    # the pool's connection was rolled back and given back: the same caller goes on
    again = failing.get("/v1/me", headers=owner.headers)
    assert again.status_code == 200, again.text
