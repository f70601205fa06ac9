"""`masteria dev` as a new user runs it: it prints the URL and the demo login, serves the API, and stops
cleanly on Ctrl-C."""

from __future__ import annotations

import base64
import json
import re
import signal
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from tests.e2e.waits import eventually
from tests.runtime import Runtime, data_dir, dev_runtime, postgres_running
from tests.sink import sink


@pytest.fixture(scope="module")
def runtime() -> Iterator[Runtime]:
    with data_dir("dev") as data, dev_runtime(data) as running:
        yield running


def test_dev_serves_the_api_with_a_demo_login(runtime: Runtime) -> None:
    url, email, password = runtime.url, runtime.email, runtime.password
    with httpx.Client(base_url=url, timeout=10) as http:
        assert http.get("/health").json() == {"status": "ok", "database": "ok"}
        assert http.get("/openapi.json").status_code == 200
        assert http.get("/docs").status_code == 200
        tokens = http.post("/v1/auth/login", json={"email": email, "password": password}).json()
        me = http.get("/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}).json()
        assert me["company"]["name"] == "Demo Company"
        assert me["user"]["role"] == "owner"
        rotated = http.post("/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert rotated.status_code == 200
        signup = http.post(
            "/v1/auth/signup",
            json={"company_name": "New Co", "name": "N", "email": "n@new.example.com", "password": "pass phrase 1"},
        )
        assert signup.status_code == 201
        # a CSV import runs through the local queue pump into the importer worker
        auth = {"Authorization": f"Bearer {tokens['access_token']}"}
        created = http.post("/v1/contacts/imports", headers=auth, json={"filename": "c.csv"}).json()
        http.put(f"/v1/contacts/imports/{created['id']}/file", headers=auth, content=b"phone,name\n11912345678,Ana\n")
        http.post(f"/v1/contacts/imports/{created['id']}/start", headers=auth, json={})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            progress = http.get(f"/v1/contacts/imports/{created['id']}", headers=auth).json()
            if progress["status"] == "completed":
                break
            time.sleep(0.2)
        assert (progress["status"], progress["inserted"]) == ("completed", 1)


def test_a_domain_event_reaches_a_webhook_endpoint(runtime: Runtime) -> None:
    """outbox relay → event router → fan-out → signing → dispatcher → the sink, all in `masteria dev`."""
    url, email, password = runtime.url, runtime.email, runtime.password
    with httpx.Client(base_url=url, timeout=10) as http, sink() as receiver:
        tokens = http.post("/v1/auth/login", json={"email": email, "password": password}).json()
        auth = {"Authorization": f"Bearer {tokens['access_token']}"}
        endpoint = http.post(
            "/v1/webhooks/endpoints", headers=auth, json={"url": receiver.url, "event_types": ["contact.created"]}
        ).json()
        contact = http.post("/v1/contacts", headers=auth, json={"phone": "+5511987650001", "name": "Bia"}).json()
        deadline = time.monotonic() + 30
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.1)
        (request,) = receiver.received
        payload = Webhook(endpoint["secret"]).verify(request.body, request.headers)
        assert payload["data"] == {"contact_id": contact["id"]}


def test_a_customer_on_the_sandbox_reaches_the_inbox_and_our_reply_comes_back_read(
    runtime: Runtime,
) -> None:
    url, email, password = runtime.url, runtime.email, runtime.password
    with httpx.Client(base_url=url, timeout=10) as http:
        tokens = http.post("/v1/auth/login", json={"email": email, "password": password}).json()
        auth = {"Authorization": f"Bearer {tokens['access_token']}"}
        (connection,) = http.get("/v1/connections", headers=auth, params={"channel": "whatsapp"}).json()["items"]
        number = connection["phone_number_id"]
        sent = http.post(f"/sandbox/numbers/{number}/inbound", json={"from": "5511912340000", "text": "Oi, tem pão?"})
        assert sent.json()["webhook_status"] == 200, sent.text
        conversation = eventually(lambda: http.get("/v1/conversations", headers=auth).json()["items"])[0]
        assert conversation["contact"]["phone"] == "+5511912340000"
        url_messages = f"/v1/conversations/{conversation['id']}/messages"
        reply = http.post(url_messages, headers=auth, json={"text": "Tem sim!"})
        assert reply.status_code == 201, reply.text
        outbox = http.get(f"/sandbox/numbers/{number}/outbox").json()
        assert outbox[-1]["text"]["body"] == "Tem sim!" and outbox[-1]["to"] == "5511912340000"

        def read_back() -> list[str]:
            items = http.get(url_messages, headers=auth).json()["items"]
            return [m["status"] for m in items if m["direction"] == "out" and m["status"] == "read"]

        assert eventually(read_back) == ["read"]
        # a photo from the customer: copied from "Meta" to our store, served through an expiring link
        photo = b"\xff\xd8\xff\xe0 sandbox photo"
        media = {"type": "image", "mime_type": "image/jpeg", "data_base64": base64.b64encode(photo).decode()}
        http.post(f"/sandbox/numbers/{number}/inbound", json={"from": "5511912340000", "media": media})

        def images() -> list[dict[str, Any]]:
            items = http.get(url_messages, headers=auth).json()["items"]
            return [m for m in items if m["type"] == "image" and m["media_url"]]

        (image,) = eventually(images)
        assert http.get(image["media_url"]).content == photo
        # a template submitted to the sandbox is approved by Meta's status webhook
        template = {
            "name": "boas_vindas", "language": "pt_BR", "category": "UTILITY",
            "components": [{"type": "BODY", "text": "Oi {{1}}!", "example": {"body_text": [["Ana"]]}}],
        }  # fmt: skip
        created = http.post(f"/v1/connections/{connection['id']}/templates", headers=auth, json=template)
        assert created.status_code == 201 and created.json()["status"] == "PENDING", created.text
        approved = eventually(
            lambda: (
                http.get(f"/v1/whatsapp-templates/{created.json()['id']}", headers=auth).json()["status"] == "APPROVED"
            )
        )
        assert approved is True


def _frames_until(ws: Any, predicate: Any, seconds: float = 15) -> list[dict[str, Any]]:
    """Frames received until one satisfies ``predicate`` (that one last)."""
    received: list[dict[str, Any]] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        frame = json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
        received.append(frame)
        if predicate(frame):
            return received
    raise AssertionError(f"no such frame in time: {received}")


def test_live_updates_over_a_real_websocket(runtime: Runtime) -> None:
    url, email, password = runtime.url, runtime.email, runtime.password
    ws_url = url.replace("http://", "ws://", 1) + "/ws"
    with httpx.Client(base_url=url, timeout=10) as http:
        token = http.post("/v1/auth/login", json={"email": email, "password": password}).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        # no token, or a bad one: the handshake is refused
        for bad in (ws_url, f"{ws_url}?token=not-a-jwt"):
            with pytest.raises(InvalidStatus) as refused:
                connect(bad, open_timeout=10)
            assert refused.value.response.status_code == 403
        start = http.get("/v1/realtime/events", headers=auth).json()["cursor"]
        # the token as a subprotocol, as a browser sends it
        with connect(ws_url, subprotocols=[Subprotocol("masteria.v1"), Subprotocol(token)], open_timeout=10) as ws:
            assert ws.subprotocol == "masteria.v1"
            ws.send("{not json")
            assert json.loads(ws.recv(timeout=10))["type"] == "error"  # and the connection stays
            ws.send(json.dumps({"action": "subscribe", "topics": ["inbox"], "id": "s1"}))
            assert json.loads(ws.recv(timeout=10)) == {"v": 1, "type": "subscribed", "id": "s1", "topics": ["inbox"]}
            (connection,) = http.get("/v1/connections", headers=auth, params={"channel": "whatsapp"}).json()["items"]
            number = connection["phone_number_id"]
            # WHEN a customer writes on the sandbox
            sent = http.post(f"/sandbox/numbers/{number}/inbound", json={"from": "5511955550000", "text": "Ao vivo?"})
            assert sent.json()["webhook_status"] == 200, sent.text
            # THEN the inbox hears of it
            received = _frames_until(ws, lambda f: f["type"] == "message.created")
            created = received[-1]
            assert created["v"] == 1 and created["data"]["direction"] == "in"
            conversation = http.get(f"/v1/conversations/{created['data']['conversation_id']}", headers=auth).json()
            assert conversation["contact"]["phone"] == "+5511955550000"
            ws.send(json.dumps({"action": "ping"}))
            _frames_until(ws, lambda f: f["type"] == "pong")
        # a client that reconnects catches up on what it missed from its cursor
        caught = http.get("/v1/realtime/events", headers=auth, params={"after": start}).json()
        assert created in caught["frames"]


def test_docs_and_the_dashboard_are_served_by_the_runtime(runtime: Runtime) -> None:
    """/docs needs no CDN; / is the dashboard (or, not built yet, a page saying so), on the API's origin."""
    with httpx.Client(base_url=runtime.url, timeout=10) as http:
        docs = http.get("/docs")
        assert docs.status_code == 200
        assets = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
        assert assets
        for url in assets:
            assert url.startswith("/docs/assets/"), url
            asset = http.get(url)
            assert asset.status_code == 200, url
            assert asset.headers["content-type"].startswith(("text/javascript", "text/css", "image/png")), url
        page = http.get("/", headers={"Accept": "text/html"})
        assert page.status_code in (200, 503), page.text
        assert page.headers["content-type"].startswith("text/html")
        assert "script-src 'self';" in page.headers["content-security-policy"]
        assert http.get("/v1/nope").headers["content-type"] == "application/problem+json"


def test_a_browser_keeps_its_refresh_token_in_a_cookie(runtime: Runtime) -> None:
    browser = {"X-Refresh-Cookie": "1", "Origin": runtime.url}
    with httpx.Client(base_url=runtime.url, timeout=10) as http:
        login = {"email": runtime.email, "password": runtime.password}
        signed_in = http.post("/v1/auth/login", headers=browser, json=login)
        assert signed_in.status_code == 200, signed_in.text
        assert signed_in.json()["refresh_token"] is None
        cookie = signed_in.headers["set-cookie"].split(";")[0]
        assert cookie.startswith("masteria_refresh=")
        rotated = http.post("/v1/auth/refresh", headers={**browser, "Cookie": cookie})
        assert rotated.status_code == 200, rotated.text
        assert http.post("/v1/auth/refresh", headers={**browser, "Cookie": cookie}).status_code == 401
        assert http.post("/v1/auth/refresh", headers={"Cookie": cookie}).status_code == 403  # no Origin


def test_ctrl_c_stops_cleanly(runtime: Runtime) -> None:
    with httpx.Client(base_url=runtime.url, timeout=10) as http:
        login = {"email": runtime.email, "password": runtime.password}
        token = http.post("/v1/auth/login", json=login).json()["access_token"]
    # a dashboard still connected does not hold the stop up
    with connect(f"{runtime.ws_url}?token={token}", open_timeout=10) as ws:
        ws.send(json.dumps({"action": "subscribe", "topics": ["inbox"]}))
        ws.recv(timeout=10)
        runtime.process.send_signal(signal.SIGINT)
        runtime.process.wait(timeout=60)
    assert runtime.process.returncode == 0, runtime.output()
    assert "stopped" in runtime.output()
    assert not postgres_running(runtime.data_dir)  # its embedded PostgreSQL stopped with it
