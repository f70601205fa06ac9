"""The sandbox's Graph side refuses what Meta would refuse, in Meta's error shape."""

from __future__ import annotations

import time

from fastapi import FastAPI
from fastapi.testclient import TestClient

from functions.local.sandbox.app import NumberSetup, Sandbox, SandboxNumber, router


def _client() -> tuple[TestClient, Sandbox]:
    sandbox = Sandbox()
    sandbox.numbers["111"] = SandboxNumber(NumberSetup(waba_id="222", token="t", app_secret="s"))
    app = FastAPI()
    app.include_router(router(sandbox))
    return TestClient(app), sandbox


def test_bodies_against_the_spec_and_tokens() -> None:
    client, sandbox = _client()
    auth = {"Authorization": "Bearer t"}
    good = {"messaging_product": "whatsapp", "to": "5511912345678", "type": "text", "text": {"body": "Oi"}}
    outside = client.post("/sandbox/v23.0/111/messages", headers=auth, json=good)
    assert outside.json()["error"]["code"] == 131047  # the customer never wrote: outside the window
    client.post("/sandbox/numbers/111/inbound", json={"from": "5511912345678", "text": "oi"})
    sent = client.post("/sandbox/v23.0/111/messages", headers=auth, json=good)
    assert sent.status_code == 200 and sent.json()["messages"][0]["id"].startswith("wamid.")
    bad = client.post("/sandbox/v23.0/111/messages", headers=auth, json={**good, "text": {"body": "x", "bold": 1}})
    assert bad.status_code == 400
    error = bad.json()["error"]
    assert error["code"] == 100 and "bold" in error["error_data"]["details"]
    wrong = client.post("/sandbox/v23.0/111/messages", headers={"Authorization": "Bearer nope"}, json=good)
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (401, 190)
    assert client.get("/sandbox/v23.0/222/phone_numbers", headers=auth).json() == {"data": [{"id": "111"}]}
    assert [b["text"]["body"] for b in sandbox.numbers["111"].outbox] == ["Oi"]  # only the valid one


def test_configured_limits_and_injected_failures() -> None:
    client, _ = _client()
    auth = {"Authorization": "Bearer t"}

    def send(to: str) -> dict[str, object]:
        body = {
            "messaging_product": "whatsapp",
            "to": to,
            "type": "template",
            "template": {"name": "hello_world", "language": {"code": "en_US"}},
        }
        response = client.post("/sandbox/v23.0/111/messages", headers=auth, json=body)
        return {"status": response.status_code, **response.json()}

    settings = {"pair_interval_seconds": 60, "inject": [{"http_status": 503}, {"error": 131026}]}
    assert client.put("/sandbox/settings", json=settings).status_code == 200
    assert send("551190000001")["status"] == 503
    assert send("551190000001")["error"]["code"] == 131026  # type: ignore[index]
    assert "messages" in send("551190000001")  # a template goes outside the window too
    assert send("551190000001")["error"]["code"] == 131056  # type: ignore[index]  # the same recipient again
    time.sleep(1.1)  # a fresh second
    assert client.put("/sandbox/settings", json={"rate_per_second": 1}).status_code == 200
    assert "messages" in send("551190000002")
    assert send("551190000003")["error"]["code"] == 130429  # type: ignore[index]  # 1 per second used up
