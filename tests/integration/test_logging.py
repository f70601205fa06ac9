"""Logs are structured JSON with correlation and company ids, and carry no secrets, tokens or phones."""

from __future__ import annotations

import io
import json
import logging

from fastapi.testclient import TestClient

from masteria.observability import RedactingFilter, logger
from tests.api import PASSWORD, sign_up


def test_request_logs_have_ids_and_no_secrets(client: TestClient) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    try:
        owner = sign_up(client)
        login = client.post("/v1/auth/login", json={"email": owner.email, "password": PASSWORD}).json()
        client.post("/v1/auth/refresh", json={"refresh_token": login["refresh_token"]})
        client.get("/v1/me", headers={**owner.headers, "X-Correlation-Id": "corr-42"})
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines, "requests are logged"
    text = stream.getvalue()
    for secret in (PASSWORD, owner.access_token, owner.refresh_token, login["access_token"], login["refresh_token"]):
        assert secret not in text
    me_line = [line for line in lines if line.get("route") == "/v1/me"][-1]
    assert me_line["correlation_id"] == "corr-42"
    assert me_line["company_id"] == owner.company_id
    assert me_line["status"] == 200


def test_filter_redacts_secret_fields_and_phone_numbers() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "sending to +55 11 91234-5678 now", None, None)
    record.access_token = "abc"
    record.phone = "+5511912345678"
    record.company_id = "c1"
    RedactingFilter().filter(record)
    assert "91234" not in record.getMessage()
    assert record.access_token == "[redacted]"
    assert record.phone == "[redacted]"
    assert record.company_id == "c1"
