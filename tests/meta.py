"""Meta at the edge of the world: its own examples of the message templates API (tests/fixtures/meta,
copied from Meta's spec) and ``FakeMeta``, a small in-memory Graph API that answers with them."""

from __future__ import annotations

import itertools
import json
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import httpx

from functions.local.sandbox.spec import SPEC_DIR, message_errors

EXAMPLES = SPEC_DIR / "examples" / "message_templates"
VERSION = "v23.0"


def example(part: str, name: str = "example_response.json") -> Any:
    return json.loads((EXAMPLES / part / name).read_text())


def create_requests() -> dict[str, dict[str, Any]]:
    """Every template creation request of Meta's examples, by file name."""
    return {path.stem: json.loads(path.read_text()) for path in sorted((EXAMPLES / "post_request").glob("*.json"))}


@dataclass
class Number:
    waba_id: str
    token: str
    display_phone_number: str = "+55 11 4000-0000"
    verified_name: str = "Loja Exemplo"
    quality_rating: str = "GREEN"
    throughput: str = "STANDARD"
    messaging_limit_tier: str = "TIER_1K"
    expires_at: int = 0  # what debug_token says (0: never expires)


@dataclass
class FakeMeta:
    """Phone numbers, their WABAs and templates; a wrong token gets Meta's error 190. Records every request.
    Template lists are served one per page, so every page must be followed."""

    numbers: dict[str, Number] = field(default_factory=dict)
    templates: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)  # bodies POSTed to /{phone-number-id}/messages
    media: dict[str, bytes] = field(default_factory=dict)  # media id → file (inbound media to download)
    # what the next /messages sends get, in order: a Meta error code (answered 400), "timeout" (accepted,
    # answer lost), "connect" (refused before anything was sent); then normal answers again
    script: deque[int | str] = field(default_factory=deque)
    send_delay: float = 0.0  # seconds each /messages send takes (concurrency tests)
    sent_at: list[float] = field(default_factory=list)  # time.monotonic() of each accepted send
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1_000_000_000_000_000))

    def add_number(self, phone_number_id: str, waba_id: str, token: str, **facts: str) -> Number:
        self.numbers[phone_number_id] = Number(waba_id=waba_id, token=token, **facts)
        return self.numbers[phone_number_id]

    def _next_step(self) -> int | str | None:
        try:
            return self.script.popleft()
        except IndexError:
            return None

    def _tokens_of(self, waba_id: str) -> set[str]:
        return {n.token for n in self.numbers.values() if n.waba_id == waba_id}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        parts = request.url.path.strip("/").split("/")
        known_token = any(n.token == token for n in self.numbers.values())
        if request.url.host == "lookaside.fbsbx.com":  # Meta's media CDN wants the token too
            mid = request.url.params.get("mid", "")
            if not known_token or mid not in self.media:
                return httpx.Response(404)
            return httpx.Response(200, content=self.media[mid])
        if len(parts) == 2 and parts[1] in self.media:  # GET /{media-id}
            if not known_token:
                return _error(401, 190, "Error validating access token")
            url = f"https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid={parts[1]}"
            data = self.media[parts[1]]
            return httpx.Response(
                200, json={"url": url, "mime_type": "image/jpeg", "file_size": len(data), "id": parts[1]}
            )
        if parts[0] != VERSION:
            return _error(400, 2500, "Unknown path components")
        if len(parts) == 2 and parts[1] == "debug_token":
            if not known_token or request.url.params.get("input_token") != token:
                return _error(401, 190, "Error validating access token")
            expires = next(n.expires_at for n in self.numbers.values() if n.token == token)
            return httpx.Response(200, json={"data": {"is_valid": True, "expires_at": expires, "type": "SYSTEM_USER"}})
        if len(parts) == 2 and parts[1] in self.numbers:  # GET /{phone-number-id}
            number = self.numbers[parts[1]]
            if token != number.token:
                return _error(401, 190, "Error validating access token")
            return httpx.Response(
                200,
                json={
                    "id": parts[1],
                    "display_phone_number": number.display_phone_number,
                    "verified_name": number.verified_name,
                    "quality_rating": number.quality_rating,
                    "throughput": {"level": number.throughput},
                    "messaging_limit_tier": number.messaging_limit_tier,
                },
            )
        if len(parts) == 3 and parts[2] == "messages" and parts[1] in self.numbers:
            if token != self.numbers[parts[1]].token:
                return _error(401, 190, "Error validating access token")
            body = json.loads(request.content)
            problems = message_errors(body)  # what we send is checked against Meta's own spec
            if problems:
                return _error(400, 100, "Invalid parameter", details="; ".join(problems))
            step = self._next_step()
            if step == "connect":
                raise httpx.ConnectError("connection refused", request=request)
            if isinstance(step, int):
                return _error(400, step, f"Scripted error {step}", details=f"error {step}")
            if self.send_delay:
                time.sleep(self.send_delay)
            self.sent.append(body)
            self.sent_at.append(time.monotonic())
            if step == "timeout":
                raise httpx.ReadTimeout("no answer", request=request)
            if body.get("status") == "read":
                return httpx.Response(200, json={"success": True})
            wamid = f"wamid.fake{next(self._ids)}"
            answer = {"messaging_product": "whatsapp", "contacts": [{"input": body["to"], "wa_id": body["to"]}]}
            return httpx.Response(200, json={**answer, "messages": [{"id": wamid, "message_status": "accepted"}]})
        if len(parts) == 3 and token not in self._tokens_of(parts[1]):
            return _error(401, 190, "Error validating access token")
        if len(parts) == 3 and parts[2] == "phone_numbers":
            ids = [{"id": pid} for pid, n in self.numbers.items() if n.waba_id == parts[1]]
            return httpx.Response(200, json={"data": ids})
        if len(parts) == 3 and parts[2] == "message_templates":
            return self._templates(request, parts[1])
        return _error(400, 100, "Unsupported request")

    def _templates(self, request: httpx.Request, waba_id: str) -> httpx.Response:
        templates = self.templates.setdefault(waba_id, [])
        if request.method == "GET":
            at = int(request.url.params.get("after", "0"))
            page: dict[str, Any] = {"data": templates[at : at + 1], "paging": {"cursors": {"after": str(at + 1)}}}
            if at + 1 < len(templates):
                page["paging"]["next"] = str(request.url.copy_merge_params({"after": str(at + 1)}))
            return httpx.Response(200, json=page)
        if request.method == "POST":
            body = json.loads(request.content)
            created = {**example("post_response_200"), "id": str(next(self._ids))}
            templates.append({**body, "id": created["id"], "status": created["status"]})
            return httpx.Response(200, json=created)
        if request.method == "DELETE":
            name, hsm_id = request.url.params.get("name"), request.url.params.get("hsm_id")
            kept = [t for t in templates if not (t["name"] == name and hsm_id in (None, t["id"]))]
            if len(kept) == len(templates):
                return _error(400, 100, "Template not found")
            self.templates[waba_id] = kept
            return httpx.Response(200, json=example("delete_response_200"))
        return _error(400, 100, "Unsupported method")


def _error(status: int, code: int, message: str, *, details: str | None = None) -> httpx.Response:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "Atrace"}
    if details:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return httpx.Response(status, json={"error": error})
