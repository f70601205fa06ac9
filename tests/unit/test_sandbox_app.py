"""The sandbox's Graph side refuses what Meta would refuse, in Meta's error shape."""

from __future__ import annotations

import gc
import hashlib
import hmac
import itertools
import json
import threading
import time
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from functions.local.sandbox.app import NumberSetup, Sandbox, SandboxNumber, router
from tests.e2e.waits import eventually


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
    # kept as the bytes that came, nothing for the garbage collector to walk (a full pass over 100,000 parsed
    # bodies holds the event loop a fifth of a second, bunching the arrival times the stats count)
    assert not any(gc.is_tracked(raw) for raw in sandbox.numbers["111"].sent)


class _Clock:
    """The sandbox's clock (its module's ``time``), moved by hand: a fake at the edge, so no test waits a second."""

    def __init__(self) -> None:
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset

    def monotonic(self) -> float:
        return time.monotonic() + self.offset

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


def test_configured_limits_and_injected_failures(monkeypatch: Any) -> None:
    from functions.local.sandbox import app as sandbox_app

    clock = _Clock()
    monkeypatch.setattr(sandbox_app, "time", clock)
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
    clock.offset += 1.1  # a fresh second
    assert client.put("/sandbox/settings", json={"rate_per_second": 1}).status_code == 200
    assert "messages" in send("551190000002")
    assert send("551190000003")["error"]["code"] == 130429  # type: ignore[index]  # 1 per second used up


def _statuses(bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for body in bodies for e in body["entry"] for c in e["changes"] for s in c["value"]["statuses"]]


def test_statuses_echo_our_callback_data_in_batches_and_timeouts_hang_only_their_own_request() -> None:
    received: list[dict[str, Any]] = []
    hook = FastAPI()

    @hook.post("/hook")
    async def collect(request: Request) -> dict[str, bool]:
        raw = await request.body()
        expected = "sha256=" + hmac.new(b"s", raw, hashlib.sha256).hexdigest()
        assert request.headers["x-hub-signature-256"] == expected
        received.append(json.loads(raw))
        return {"ok": True}

    sandbox = Sandbox()
    app = FastAPI()
    app.include_router(router(sandbox))
    app.include_router(hook.router)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    try:
        setup = {"waba_id": "222", "token": "t", "app_secret": "s", "webhook_url": f"{base}/hook"}
        assert httpx.put(f"{base}/sandbox/numbers/111", json=setup).status_code == 200
        settings = {"delay_seconds": 0.2, "read_probability": 0, "status_batch": 10, "inject": [{"hang_seconds": 2}]}
        assert httpx.put(f"{base}/sandbox/settings", json=settings).status_code == 200
        body = {
            "messaging_product": "whatsapp", "type": "template",
            "template": {"name": "hello_world", "language": {"code": "en_US"}},
        }  # fmt: skip
        auth = {"Authorization": "Bearer t"}
        with httpx.Client(base_url=base, headers=auth) as client:
            hung = threading.Thread(
                target=lambda: client.post(
                    "/sandbox/v23.0/111/messages",
                    json={**body, "to": "551190000000", "biz_opaque_callback_data": "hung"},
                    timeout=10,
                )
            )
            hung.start()
            time.sleep(0.1)
            started = time.monotonic()
            for n in range(1, 4):
                sent = client.post(
                    "/sandbox/v23.0/111/messages",
                    json={**body, "to": f"55119000000{n}", "biz_opaque_callback_data": f"r{n}"},
                )
                assert sent.status_code == 200
            assert time.monotonic() - started < 1.0  # the hanging request did not hold the others up
            hung.join()
        # every status has come: sent and delivered for each of the four
        eventually(lambda: len(_statuses(received)) >= 8)
    finally:
        server.should_exit = True
        thread.join(timeout=5)
    statuses = _statuses(received)
    by_opaque: dict[str, list[str]] = {}
    for status in statuses:
        by_opaque.setdefault(status["biz_opaque_callback_data"], []).append(status["status"])
    # the timed-out send was accepted all the same: its statuses come too
    assert by_opaque == {k: ["sent", "delivered"] for k in ("hung", "r1", "r2", "r3")}
    assert len(received) < len(statuses)  # several statuses per webhook body


def test_an_undelivered_status_webhook_is_retried_further_apart_then_dropped(monkeypatch: Any) -> None:
    from functions.local.sandbox import app as sandbox_app

    monkeypatch.setattr(sandbox_app, "WEBHOOK_RETRY_SECONDS", 0.05)
    monkeypatch.setattr(sandbox_app, "WEBHOOK_ATTEMPTS", 4)
    hits: list[float] = []
    hook = FastAPI()

    @hook.post("/hook")
    def refuse() -> JSONResponse:
        hits.append(time.monotonic())
        return JSONResponse({"error": "down"}, status_code=503)

    server = uvicorn.Server(uvicorn.Config(hook, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        sandbox = Sandbox()
        sandbox.settings = sandbox_app.SandboxSettings(delay_seconds=0.01, delivered_probability=0)
        setup = NumberSetup(waba_id="222", token="t", app_secret="s", webhook_url=f"http://127.0.0.1:{port}/hook")
        sandbox.numbers["111"] = SandboxNumber(setup)
        sandbox.statuses_later("111", "wamid.x", "5511912345678")  # one "sent" status
        eventually(lambda: len(hits) >= 4, seconds=10)  # 0.05 + 0.1 + 0.2 s of retries, then it is dropped
    finally:
        server.should_exit = True
        thread.join(timeout=5)
    assert len(hits) == 4
    gaps = [b - a for a, b in itertools.pairwise(hits)]
    assert gaps[0] >= 0.05 and gaps[1] >= 0.1 and gaps[2] >= 0.2  # further apart each time


def _hooked() -> tuple[TestClient, Sandbox, list[dict[str, Any]]]:
    """A sandbox whose number's webhooks are caught (httpx's MockTransport), as the webhook receiver gets them."""
    received: list[dict[str, Any]] = []

    def catch(request: httpx.Request) -> httpx.Response:
        received.append(json.loads(request.content))
        return httpx.Response(200)

    client, sandbox = _client()
    sandbox._http = httpx.Client(transport=httpx.MockTransport(catch))
    sandbox.numbers["111"].setup.webhook_url = "http://hook.test/webhooks/meta/k"
    return client, sandbox, received


def _values(received: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    return [item for body in received for e in body["entry"] for c in e["changes"] for item in c["value"].get(key, [])]


def test_a_message_written_long_ago_arrives_with_its_timestamp_and_leaves_the_window_closed() -> None:
    # GIVEN a customer whose message Meta delivers 25 hours late
    client, _, received = _hooked()
    auth = {"Authorization": "Bearer t"}
    text = {"messaging_product": "whatsapp", "to": "5511912345678", "type": "text", "text": {"body": "Oi"}}
    template = {
        "messaging_product": "whatsapp", "to": "5511912345678", "type": "template",
        "template": {"name": "hello_world", "language": {"code": "en_US"}},
    }  # fmt: skip
    # WHEN it is posted
    late = client.post(
        "/sandbox/numbers/111/inbound", json={"from": "5511912345678", "text": "oi", "age_seconds": 90000}
    )
    assert late.status_code == 200
    # THEN the webhook's message carries the time it was written, and only a template may answer it
    (message,) = _values(received, "messages")
    assert abs(int(message["timestamp"]) - (time.time() - 90000)) < 5
    assert client.post("/sandbox/v23.0/111/messages", headers=auth, json=text).json()["error"]["code"] == 131047
    assert "messages" in client.post("/sandbox/v23.0/111/messages", headers=auth, json=template).json()
    # AND a fresh message opens the window, which a late one does not close again
    client.post("/sandbox/numbers/111/inbound", json={"from": "5511912345678", "text": "de novo"})
    client.post("/sandbox/numbers/111/inbound", json={"from": "5511912345678", "text": "velha", "age_seconds": 90000})
    assert "messages" in client.post("/sandbox/v23.0/111/messages", headers=auth, json=text).json()
    # (older than Meta's 7 days of retries: refused, Pydantic's 422)
    too_old = client.post(
        "/sandbox/numbers/111/inbound", json={"from": "5511912345678", "text": "x", "age_seconds": 8 * 86400}
    )
    assert too_old.status_code == 422


def test_an_injected_failure_is_accepted_then_reported_failed_with_metas_error() -> None:
    # GIVEN the next send set to fail after it was accepted
    client, _, received = _hooked()
    settings = {"delay_seconds": 0.01, "inject": [{"failed": 131026}]}
    assert client.put("/sandbox/settings", json=settings).status_code == 200
    body = {
        "messaging_product": "whatsapp", "to": "5511912345678", "type": "template",
        "template": {"name": "hello_world", "language": {"code": "en_US"}}, "biz_opaque_callback_data": "r1",
    }  # fmt: skip
    # WHEN a read receipt goes (no message: it takes no failure), then two messages
    receipt = {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.in"}
    assert client.post("/sandbox/v23.0/111/messages", headers={"Authorization": "Bearer t"}, json=receipt).json() == {
        "success": True
    }
    first = client.post("/sandbox/v23.0/111/messages", headers={"Authorization": "Bearer t"}, json=body)
    second = client.post("/sandbox/v23.0/111/messages", headers={"Authorization": "Bearer t"}, json=body)
    # THEN both are accepted; the first comes back sent then failed with Meta's error, the second goes on
    wamid = first.json()["messages"][0]["id"]
    assert second.status_code == 200
    deadline = time.monotonic() + 5
    while len(_values(received, "statuses")) < 5 and time.monotonic() < deadline:
        time.sleep(0.02)
    statuses = _values(received, "statuses")
    mine = [s for s in statuses if s["id"] == wamid]
    assert [s["status"] for s in mine] == ["sent", "failed"]
    (error,) = mine[1]["errors"]
    assert (error["code"], error["title"]) == (131026, "Message undeliverable")
    assert error["error_data"]["details"] and mine[1]["biz_opaque_callback_data"] == "r1"
    assert [s["status"] for s in statuses if s["id"] != wamid] == ["sent", "delivered", "read"]


def test_a_template_changed_at_meta_is_served_as_changed() -> None:
    client, _ = _client()
    auth = {"Authorization": "Bearer t"}
    created = client.post(
        "/sandbox/v23.0/222/message_templates",
        headers=auth,
        json={"name": "oferta", "language": "pt_BR", "category": "MARKETING",
              "components": [{"type": "BODY", "text": "Oi!"}]},
    )  # fmt: skip
    template_id = created.json()["id"]
    odd = [{"type": "BODY", "text": "Oi!"}, {"type": "BUTTONS", "buttons": "x"}]
    changed = client.put(f"/sandbox/wabas/222/templates/{template_id}", json={"components": odd})
    assert changed.status_code == 200
    (served,) = client.get("/sandbox/v23.0/222/message_templates", headers=auth).json()["data"]
    assert served["components"] == odd
    assert client.put("/sandbox/wabas/222/templates/nope", json={"components": []}).status_code == 404


def test_any_change_meta_sends_is_posted_signed_and_a_template_status_becomes_metas_copys() -> None:
    client, sandbox, received = _hooked()
    auth = {"Authorization": "Bearer t"}
    created = client.post(
        "/sandbox/v23.0/222/message_templates",
        headers=auth,
        json={"name": "oferta", "language": "pt_BR", "category": "MARKETING",
              "components": [{"type": "BODY", "text": "Oi!"}]},
    )  # fmt: skip
    meta_id = created.json()["id"]
    eventually(lambda: any(c["value"].get("event") == "APPROVED" for b in received for c in b["entry"][0]["changes"]))
    restriction = {
        "event": "ACCOUNT_RESTRICTION",
        "restriction_info": [{"restriction_type": "RESTRICTED_ADD_PHONE_NUMBER_ACTION"}],
    }
    posted = client.post("/sandbox/numbers/111/changes", json={"field": "account_update", "value": restriction})
    assert posted.json() == {"webhook_status": 200}
    paused = {"event": "PAUSED", "message_template_id": int(meta_id), "message_template_name": "oferta"}
    client.post("/sandbox/numbers/111/changes", json={"field": "message_template_status_update", "value": paused})
    preference = {"user_preferences": [{"wa_id": "5511912345678", "category": "marketing_messages", "value": "stop"}]}
    client.post("/sandbox/numbers/111/changes", json={"field": "user_preferences", "value": preference})
    # (the template's approval, posted a moment after its creation, left aside)
    changes = [c for b in received for e in b["entry"] for c in e["changes"] if c["value"].get("event") != "APPROVED"]
    assert [c["field"] for c in changes] == ["account_update", "message_template_status_update", "user_preferences"]
    assert changes[-3]["value"] == restriction  # as given, no metadata for an account's change
    assert all(isinstance(e["time"], int) for b in received for e in b["entry"])  # Meta's time of each event
    assert changes[-1]["value"]["metadata"]["phone_number_id"] == "111"
    (served,) = client.get("/sandbox/v23.0/222/message_templates", headers=auth).json()["data"]
    assert served["status"] == "PAUSED"
    assert client.post("/sandbox/numbers/999/changes", json={"field": "x", "value": {}}).status_code == 404
    assert client.post("/sandbox/numbers/111/changes", json={"field": "Bad Field", "value": {}}).status_code == 422
    assert sandbox.numbers["111"].setup.webhook_url


def test_stats_name_the_busiest_one_second_window_and_where_it_starts() -> None:
    client, sandbox = _client()
    number = sandbox.numbers["111"]
    # evenly 0.5 s apart, then four within 0.3 s starting 10 s after the first
    for i, at in enumerate([100.0, 100.5, 101.0, 110.0, 110.1, 110.2, 110.3]):
        body = {"to": f"55119{i:08d}"}
        number.record(json.dumps(body).encode(), body, at)
    stats = client.get("/sandbox/numbers/111/stats").json()
    assert (stats["messages"], stats["duplicates"]) == (7, 0)
    assert (stats["max_per_second"], stats["busiest_second_at"]) == (4, 10.0)
