"""The sandbox's Graph side refuses what Meta would refuse, in Meta's error shape."""

from __future__ import annotations

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
