"""Live-update latency on the local runtime: a customer's message posted by the sandbox → Meta's webhook →
inbound queue → inbound processor → outbox relay → event router → push → the frame at a subscribed WebSocket
client. p50 and p95 over 1,000 messages, sent one after another (goal: p95 ≤ 250 ms)."""

from __future__ import annotations

import json
import statistics
import time

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from tests.bench.results import report
from tests.runtime import data_dir, dev_runtime

MESSAGES = 1_000
WARM_UP = 20
CUSTOMERS = 25  # messages rotate over this many customers: a few conversations, as a busy inbox has


def _next_message_created(ws: ClientConnection) -> dict[str, object]:
    while True:
        frame: dict[str, object] = json.loads(ws.recv(timeout=30))
        if frame["type"] == "message.created":
            return frame


@pytest.mark.bench
def test_customer_message_to_websocket_frame_latency() -> None:
    with data_dir("bench-realtime") as data, dev_runtime(data) as runtime, httpx.Client(
        base_url=runtime.url, timeout=30
    ) as http:  # fmt: skip
        login = {"email": runtime.email, "password": runtime.password}
        token = http.post("/v1/auth/login", json=login).json()["access_token"]
        (connection,) = http.get(
            "/v1/connections", headers={"Authorization": f"Bearer {token}"}, params={"channel": "whatsapp"}
        ).json()["items"]
        inbound = f"/sandbox/numbers/{connection['phone_number_id']}/inbound"
        latencies: list[float] = []
        with connect(f"{runtime.ws_url}?token={token}", open_timeout=10) as ws:
            ws.send(json.dumps({"action": "subscribe", "topics": ["inbox"]}))
            assert json.loads(ws.recv(timeout=10))["type"] == "subscribed"
            for n in range(WARM_UP + MESSAGES):
                customer = f"55119{n % CUSTOMERS:08d}"
                started = time.perf_counter()
                sent = http.post(inbound, json={"from": customer, "text": f"mensagem {n}"})
                assert sent.json()["webhook_status"] == 200, sent.text
                frame = _next_message_created(ws)
                if n >= WARM_UP:
                    latencies.append((time.perf_counter() - started) * 1000)
                assert frame["v"] == 1
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    report("realtime_frame_latency_p50_ms", cuts[49], "ms", "")
    report("realtime_frame_latency_p95_ms", cuts[94], "ms", "<= 250")
    report("realtime_frame_latency_max_ms", max(latencies), "ms", "")
