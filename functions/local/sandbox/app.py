"""The sandbox: Meta's Graph API as the local runtime's WhatsApp, served under ``/sandbox``.

Graph side (what our GraphClient calls, with ``GRAPH_BASE_URL=<local>/sandbox``): a number's facts, a
WABA's numbers, ``debug_token``, templates, and ``POST /{phone-number-id}/messages`` — every body checked
against Meta's spec (``spec.py``; a wrong one gets Meta's error shape), answered with a wamid, then
``sent`` → ``delivered`` → ``read`` status webhooks posted back, signed, to the number's webhook URL.

Tester side: ``PUT /sandbox/numbers/{id}`` registers a number (its WABA, token, app secret, webhook
URL); ``POST /sandbox/numbers/{id}/inbound`` sends a text "as a customer" (``age_seconds``: written that long
ago, as a webhook Meta delivers late); ``GET .../outbox`` lists what the number was asked to send; ``PUT
/sandbox/settings`` sets the status delays and probabilities and queues failures (``inject``: refused sends, or
sends accepted and then reported ``failed`` with Meta's error); ``PUT /sandbox/wabas/{waba}/templates/{id}``
changes a template as Meta then serves it; ``POST /sandbox/numbers/{id}/changes`` posts any other change Meta
sends (``{"field": "account_update", "value": {...}}``: a restriction, a template paused, a contact who
stopped marketing messages…).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import heapq
import hmac
import itertools
import json
import random
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from functions.local.sandbox.spec import message_errors, template_errors, warm
from masteria.observability import logger

VERSION_PATTERN = r"^v\d+\.\d+$"
STATUS_GATHER_SECONDS = 0.1  # with status_batch > 1: statuses due this close together share a webhook
# An undelivered status webhook comes again after 1, 2, 4 … s (at most a minute apart), ten times in all,
# then is dropped with a warning (Meta retries for 7 days; a sandbox whose receiver is gone need not).
WEBHOOK_RETRY_SECONDS = 1.0
WEBHOOK_RETRY_MAX_SECONDS = 60.0
WEBHOOK_ATTEMPTS = 10
MAX_AGE_SECONDS = 7 * 86400  # Meta retries an undelivered webhook for up to 7 days (META.md §2)
# The errors of a ``failed`` status webhook, as Meta words them (META.md §2.4, its error-codes page).
FAILURES: dict[int, tuple[str, str]] = {
    131026: (
        "Message undeliverable",
        "Unable to deliver message: the number may not be on WhatsApp, or its user has not accepted the new terms.",
    ),
    131049: (
        "This message was not delivered to maintain healthy ecosystem engagement.",
        "In order to maintain a healthy ecosystem engagement, the message failed to be delivered.",
    ),
    131050: (
        "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp "
        "from your business.",
        "The recipient has stopped marketing messages from your business.",
    ),
    131053: ("Media upload error", "Unable to upload the media used in the message."),
    132015: ("Template is paused", "The template was paused because of its low quality."),
}


class NumberSetup(BaseModel):
    waba_id: str = Field(examples=["102290129340398"])
    token: str = Field(examples=["sandbox-token"])
    app_secret: str = Field(examples=["sandbox-app-secret"])
    webhook_url: str | None = Field(default=None, examples=["http://127.0.0.1:8000/webhooks/meta/<key>"])
    display_phone_number: str = "+55 11 4000-0000"
    verified_name: str = "Sandbox"
    throughput_level: Literal["STANDARD", "HIGH"] = "STANDARD"


class InboundMedia(BaseModel):
    type: Literal["image", "audio", "video", "document", "sticker"] = Field(examples=["image"])
    mime_type: str = Field(examples=["image/jpeg"])
    data_base64: str = Field(description="the file", examples=["/9j/4AAQSkZJRg=="])
    caption: str | None = None
    filename: str | None = None


class Inbound(BaseModel):
    """A customer's message: a ``text``, a ``media`` file, or any Meta ``message`` object (location,
    contacts, interactive replies, reactions… as in Meta's webhooks, without from/id/timestamp)."""

    from_: str = Field(alias="from", examples=["5511987650001"])
    name: str = Field(default="Cliente", examples=["Carla"])
    text: str | None = Field(default=None, examples=["Oi! Vocês entregam?"])
    media: InboundMedia | None = None
    message: dict[str, Any] | None = Field(
        default=None, examples=[{"type": "location", "location": {"latitude": -23.5, "longitude": -46.6}}]
    )
    age_seconds: float = Field(
        default=0,
        ge=0,
        le=MAX_AGE_SECONDS,
        description="written that long ago: the message's timestamp is in the past (a webhook Meta delivers late,"
        " after its retries); over 86400 the customer service window is already closed",
        examples=[90000],
    )


class Injection(BaseModel):
    """A failure for one of the next sends: refused with Meta's ``error`` code, an HTTP 5xx, or a hang past our
    timeout; or accepted (a wamid) and then reported ``sent`` and ``failed`` with Meta's error ``failed``."""

    error: int | None = Field(default=None, examples=[131026])
    http_status: int | None = Field(default=None, ge=500, le=599, examples=[503])
    hang_seconds: float | None = Field(default=None, ge=0, le=120, examples=[35])
    failed: int | None = Field(
        default=None, ge=1, description="the code of the failed status webhook's error", examples=[131026]
    )


class MetaChange(BaseModel):
    """One change of any field Meta posts (account_update, user_preferences, message_template_status_update,
    template_category_update…), its ``value`` as given and unchecked, as Meta's webhooks grow new shapes."""

    field: str = Field(pattern=r"^[a-z_]{1,64}$", examples=["account_update"])
    value: dict[str, Any] = Field(examples=[{"event": "DISABLED_UPDATE", "ban_info": {"waba_ban_state": "DISABLE"}}])


class TemplateChange(BaseModel):
    """A template's ``components`` as Meta serves them from now on (an edit), as given and unchecked: a shape
    our code may not expect, as Meta's API grows new ones."""

    components: list[Any] = Field(
        examples=[[{"type": "BODY", "text": "Oi {{1}}!"}, {"type": "BUTTONS", "buttons": "x"}]]
    )


class SandboxSettings(BaseModel):
    delay_seconds: float = Field(default=0.2, ge=0, le=60, description="between sent, delivered and read")
    delivered_probability: float = Field(default=1.0, ge=0, le=1)
    read_probability: float = Field(default=1.0, ge=0, le=1)
    rate_per_second: float | None = Field(default=None, gt=0, description="above it: error 130429")
    pair_interval_seconds: float | None = Field(default=None, gt=0, description="closer to one recipient: 131056")
    enforce_window: bool = Field(default=True, description="free-form outside the 24-hour window: error 131047")
    inject: list[Injection] = Field(
        default_factory=list, description="failures for the next sends (not read receipts), in order"
    )
    transient_error_rate: float = Field(default=0, ge=0, le=1, description="share of sends answered 500, code 2")
    timeout_rate: float = Field(
        default=0, ge=0, le=1, description="share of sends accepted but answered only after hang_seconds"
    )
    hang_seconds: float = Field(default=35, ge=0, le=120, description="how long a timed-out send hangs")
    status_batch: int = Field(default=1, ge=1, le=1000, description="statuses at most per webhook body")
    send_statuses: bool = Field(default=True, description="false: no status webhooks at all")


@dataclass
class SandboxNumber:
    setup: NumberSetup
    # What it was asked to send, as the bytes that came: a hundred thousand bodies kept parsed are two million
    # objects for the garbage collector, whose full passes (a fifth of a second at that size) would hold up the
    # requests arriving meanwhile and bunch their arrival times.
    sent: list[bytes] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)  # of each message sent (read receipts are none)
    accepted_at: list[float] = field(default_factory=list)  # time.monotonic() of each accepted message

    @property
    def outbox(self) -> list[dict[str, Any]]:
        """What it was asked to send (read receipts too), oldest first."""
        return [json.loads(raw) for raw in self.sent]

    def record(self, raw: bytes, body: dict[str, Any], arrived: float) -> None:
        self.sent.append(raw)
        self.accepted_at.append(arrived)
        if body.get("status") != "read":
            self.recipients.append(str(body.get("to")))


class Sandbox:
    """The sandbox's state (one per process) and its outgoing webhooks."""

    def __init__(self) -> None:
        self.numbers: dict[str, SandboxNumber] = {}
        self.templates: dict[str, list[dict[str, Any]]] = {}
        self.settings = SandboxSettings()
        self.sends: dict[str, deque[float]] = {}  # number → send times in the last second (the rate limit)
        self.last_to: dict[tuple[str, str], float] = {}  # (number, recipient) → last send (the pair rate)
        self.last_inbound: dict[tuple[str, str], float] = {}  # (number, customer) → last message (the window)
        self.media: dict[str, tuple[str, bytes]] = {}  # media id → (mime type, bytes), for inbound media
        self._lock = threading.Lock()
        # (due, order, number, status, attempt) heap
        self._statuses: list[tuple[float, int, str, dict[str, Any], int]] = []
        self._order = itertools.count()
        self._status_ready = threading.Condition()
        self._status_thread: threading.Thread | None = None
        # One client for every webhook it posts: a new one per post would build a TLS context each time.
        self._http = httpx.Client(timeout=10)
        self._wamid_prefix = uuid.uuid4().hex[:20]
        self._wamids = itertools.count()

    def wamid(self) -> str:
        """Unique across restarts too (the database remembers wamids; the sandbox's memory does not): a
        random part drawn once per process, then a counter (a fresh uuid4 per send cost a system call)."""
        return f"wamid.sandbox{self._wamid_prefix}{next(self._wamids):012x}"

    def number_by_token(self, token: str) -> tuple[str, SandboxNumber] | None:
        return next(((i, n) for i, n in self.numbers.items() if n.setup.token == token), None)

    def post_webhook(self, number_id: str, value: dict[str, Any], *, field: str = "messages") -> int | None:
        """Post one change to the number's webhook URL, signed as Meta signs."""
        number = self.numbers[number_id]
        if not number.setup.webhook_url:
            return None
        if field in ("messages", "user_preferences", "calls") and "metadata" not in value:
            metadata = {"display_phone_number": number.setup.display_phone_number, "phone_number_id": number_id}
            value = {"messaging_product": "whatsapp", "metadata": metadata, **value}
        body = {
            "object": "whatsapp_business_account",
            # Meta's time of the event (it keeps it on retries): what tells an event happening again apart
            "entry": [
                {"id": number.setup.waba_id, "time": int(time.time()), "changes": [{"field": field, "value": value}]}
            ],
        }
        raw = json.dumps(body, separators=(",", ":")).encode()
        signature = "sha256=" + hmac.new(number.setup.app_secret.encode(), raw, hashlib.sha256).hexdigest()
        try:
            response = self._http.post(
                number.setup.webhook_url,
                content=raw,
                headers={"content-type": "application/json", "x-hub-signature-256": signature},
            )
        except httpx.HTTPError:
            logger.warning("sandbox could not reach the webhook URL")
            return None
        return response.status_code

    def approve_later(self, waba_id: str, template: dict[str, Any]) -> None:
        def run() -> None:
            time.sleep(self.settings.delay_seconds)
            template["status"] = "APPROVED"
            value = {
                "event": "APPROVED", "message_template_id": int(template["id"]),
                "message_template_name": template.get("name"), "message_template_language": template.get("language"),
                "reason": "NONE",
            }  # fmt: skip
            for number_id, number in self.numbers.items():
                if number.setup.waba_id == waba_id:
                    self.post_webhook(number_id, value, field="message_template_status_update")

        threading.Thread(target=run, name="sandbox-templates", daemon=True).start()

    def statuses_later(
        self, number_id: str, wamid: str, recipient: str, opaque: str | None = None, *, failed: int | None = None
    ) -> None:
        """Queue the message's sent → delivered → read statuses (by the settings' probabilities), or sent →
        failed with Meta's error ``failed``, each due ``delay_seconds`` after the one before; one thread posts
        them, up to ``status_batch`` per body."""
        settings = self.settings
        if not settings.send_statuses:
            return
        steps = ["sent"]
        if failed is not None:
            steps.append("failed")
        elif random.random() < settings.delivered_probability:  # noqa: S311 - a simulation
            steps.append("delivered")
            if random.random() < settings.read_probability:  # noqa: S311
                steps.append("read")
        now = time.monotonic()
        with self._status_ready:
            for n, status in enumerate(steps, start=1):
                body: dict[str, Any] = {"id": wamid, "status": status, "recipient_id": recipient}
                if opaque:
                    body["biz_opaque_callback_data"] = opaque
                if status == "failed" and failed is not None:
                    body["errors"] = [failure(failed)]
                due = now + n * settings.delay_seconds
                heapq.heappush(self._statuses, (due, next(self._order), number_id, body, 1))
            if self._status_thread is None:
                self._status_thread = threading.Thread(target=self._post_statuses, name="sandbox-statuses", daemon=True)
                self._status_thread.start()
            self._status_ready.notify()

    def _post_statuses(self) -> None:
        while True:
            with self._status_ready:
                while not self._statuses or self._statuses[0][0] > time.monotonic():
                    wait = self._statuses[0][0] - time.monotonic() if self._statuses else None
                    self._status_ready.wait(wait)
                number_id, attempt = self._statuses[0][2], self._statuses[0][4]
                due: list[dict[str, Any]] = []
                kept: list[tuple[float, int, str, dict[str, Any], int]] = []
                # with batching on, statuses due within the next moment go in the same body
                horizon = time.monotonic() + (STATUS_GATHER_SECONDS if self.settings.status_batch > 1 else 0)
                while self._statuses and self._statuses[0][0] <= horizon:
                    item = heapq.heappop(self._statuses)
                    if item[2] == number_id and item[4] == attempt and len(due) < self.settings.status_batch:
                        due.append(item[3])
                    else:
                        kept.append(item)
                for item in kept:
                    heapq.heappush(self._statuses, item)
            stamp = str(int(time.time()))
            try:
                status = self.post_webhook(number_id, {"statuses": [{**b, "timestamp": stamp} for b in due]})
            except Exception:
                logger.exception("sandbox could not post statuses")
                status = None
            wanted = bool(self.numbers[number_id].setup.webhook_url)
            if wanted and (status is None or status >= 500) and attempt >= WEBHOOK_ATTEMPTS:
                logger.warning("sandbox dropped undelivered status webhooks", extra={"statuses": len(due)})
            elif wanted and (status is None or status >= 500):  # as Meta does: retried, further apart each time
                delay = min(WEBHOOK_RETRY_SECONDS * 2 ** (attempt - 1), WEBHOOK_RETRY_MAX_SECONDS)
                retry_at = time.monotonic() + delay
                with self._status_ready:
                    for body in due:
                        heapq.heappush(self._statuses, (retry_at, next(self._order), number_id, body, attempt + 1))


def failure(code: int) -> dict[str, Any]:
    """One error of a ``failed`` status webhook, in Meta's shape (code, title, message, details, href)."""
    title, details = FAILURES.get(code, (f"Error {code}", f"The message failed with error {code}."))
    return {
        "code": code, "title": title, "message": title, "error_data": {"details": details},
        "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
    }  # fmt: skip


def _error(status: int, code: int, message: str, details: str | None = None) -> JSONResponse:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "Asandbox"}
    if details:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return JSONResponse({"error": error}, status_code=status)


def _inbound_content(sandbox: Sandbox, message: Inbound) -> dict[str, Any] | None:
    """The type-specific part of a Meta inbound message object."""
    if message.message is not None:
        return dict(message.message)
    if message.media is not None:
        data = base64.b64decode(message.media.data_base64)
        media_id = str(uuid.uuid4().int % 10**15)
        sandbox.media[media_id] = (message.media.mime_type, data)
        body: dict[str, Any] = {
            "id": media_id,
            "mime_type": message.media.mime_type,
            "sha256": hashlib.sha256(data).hexdigest(),
        }
        if message.media.caption:
            body["caption"] = message.media.caption
        if message.media.filename:
            body["filename"] = message.media.filename
        return {"type": message.media.type, message.media.type: body}
    if message.text is not None:
        return {"type": "text", "text": {"body": message.text}}
    return None


def _injected(sandbox: Sandbox) -> Injection | None:
    """The failure this send gets: the next one queued, else one drawn at the configured rates."""
    settings = sandbox.settings
    if settings.inject:
        return settings.inject.pop(0)
    draw = random.random()  # noqa: S311 - a simulation
    if draw < settings.transient_error_rate:
        return Injection(http_status=500)
    if draw < settings.transient_error_rate + settings.timeout_rate:
        return Injection(hang_seconds=settings.hang_seconds)
    return None


def _limits(sandbox: Sandbox, number_id: str, body: dict[str, Any], injection: Injection | None) -> JSONResponse | None:
    """Meta's refusals, as configured: injected failures first, then throughput, pair rate and the window."""
    settings, now = sandbox.settings, time.time()
    if injection is not None:
        if injection.http_status:
            return JSONResponse(
                {"error": {"message": "Service unavailable", "code": 2}}, status_code=injection.http_status
            )
        if injection.error:
            return _error(400, injection.error, f"Injected error {injection.error}")
    if body.get("status") == "read":
        return None
    recent = sandbox.sends.setdefault(number_id, deque())
    while recent and now - recent[0] >= 1.0:
        recent.popleft()
    if settings.rate_per_second is not None and len(recent) >= settings.rate_per_second:
        return _error(400, 130429, "Rate limit hit", "Cloud API message throughput has been reached.")
    recipient = str(body.get("to"))
    last = sandbox.last_to.get((number_id, recipient))
    if settings.pair_interval_seconds is not None and last is not None and now - last < settings.pair_interval_seconds:
        return _error(400, 131056, "(Business Account, Consumer Account) pair rate limit hit")
    inbound_at = sandbox.last_inbound.get((number_id, recipient))
    if settings.enforce_window and body.get("type") != "template" and (inbound_at is None or now - inbound_at > 86400):
        return _error(
            400, 131047, "Re-engagement message", "More than 24 hours have passed since the customer last replied."
        )
    recent.append(now)
    sandbox.last_to[(number_id, recipient)] = now
    return None


def _token(request: Request) -> str:
    return request.headers.get("authorization", "").removeprefix("Bearer ").strip()


def router(sandbox: Sandbox) -> APIRouter:
    warm()
    api = APIRouter(prefix="/sandbox", tags=["sandbox"], include_in_schema=False)

    @api.put("/numbers/{number_id}")
    def register(number_id: str, setup: NumberSetup) -> dict[str, str]:
        sandbox.numbers[number_id] = SandboxNumber(setup)
        return {"phone_number_id": number_id}

    @api.post("/numbers/{number_id}/inbound")
    def inbound(number_id: str, message: Inbound) -> JSONResponse:
        if number_id not in sandbox.numbers:
            return JSONResponse({"error": "unknown number"}, status_code=404)
        content = _inbound_content(sandbox, message)
        if content is None:
            return JSONResponse({"error": "give text, media or message"}, status_code=422)
        wamid = sandbox.wamid()
        written = time.time() - message.age_seconds
        key = (number_id, message.from_)
        sandbox.last_inbound[key] = max(written, sandbox.last_inbound.get(key, written))  # a late one opens nothing
        status = sandbox.post_webhook(
            number_id,
            {
                "contacts": [{"profile": {"name": message.name}, "wa_id": message.from_}],
                "messages": [{"from": message.from_, "id": wamid, "timestamp": str(int(written)), **content}],
            },
        )
        return JSONResponse({"wamid": wamid, "webhook_status": status})

    @api.post("/numbers/{number_id}/changes")
    def change(number_id: str, change: MetaChange) -> JSONResponse:
        """Meta posts one change about the number or its account; a template's new status is also Meta's copy's."""
        if number_id not in sandbox.numbers:
            return JSONResponse({"error": "unknown number"}, status_code=404)
        if change.field == "message_template_status_update":
            waba = sandbox.numbers[number_id].setup.waba_id
            meta_id = str(change.value.get("message_template_id"))
            for template in sandbox.templates.get(waba, []):
                if template["id"] == meta_id and change.value.get("event"):
                    template["status"] = str(change.value["event"])
        status = sandbox.post_webhook(number_id, change.value, field=change.field)
        return JSONResponse({"webhook_status": status})

    @api.get("/media/{media_id}")
    def media_file(media_id: str, request: Request) -> Response:
        if sandbox.number_by_token(_token(request)) is None or media_id not in sandbox.media:
            return Response(status_code=404)
        mime_type, data = sandbox.media[media_id]
        return Response(content=data, media_type=mime_type)

    @api.get("/numbers/{number_id}/outbox")
    def outbox(number_id: str) -> list[dict[str, Any]]:
        return list(sandbox.numbers[number_id].outbox) if number_id in sandbox.numbers else []

    @api.get("/numbers/{number_id}/stats")
    def stats(number_id: str) -> dict[str, Any]:
        """What the number accepted, counted here: messages, distinct recipients, repeats, the most messages
        accepted in any one-second window and where that window starts (seconds after the first message)."""
        number = sandbox.numbers.get(number_id)
        if number is None:
            return {"messages": 0, "recipients": 0, "duplicates": 0, "max_per_second": 0}
        recipients = number.recipients
        times, busiest, busiest_at, start = sorted(number.accepted_at), 0, 0.0, 0
        for end, at in enumerate(times):
            while at - times[start] >= 1.0:
                start += 1
            if end - start + 1 > busiest:
                busiest, busiest_at = end - start + 1, times[start] - times[0]
        span = times[-1] - times[0] if len(times) > 1 else 0.0
        return {
            "messages": len(recipients),
            "recipients": len(set(recipients)),
            "duplicates": len(recipients) - len(set(recipients)),
            "max_per_second": busiest,
            "busiest_second_at": round(busiest_at, 3),
            "mean_per_second": (len(times) - 1) / span if span else 0.0,
        }

    @api.put("/settings")
    def settings(body: SandboxSettings) -> SandboxSettings:
        sandbox.settings = body
        return body

    @api.put("/wabas/{waba_id}/templates/{template_id}")
    def change_template(waba_id: str, template_id: str, change: TemplateChange) -> JSONResponse:
        """Meta's copy of a template changes (our mirror follows at its next sync)."""
        found = next((t for t in sandbox.templates.get(waba_id, []) if t["id"] == template_id), None)
        if found is None:
            return JSONResponse({"error": "unknown template"}, status_code=404)
        found["components"] = change.components
        return JSONResponse(found)

    @api.get("/{version}/{node}")
    def node(version: str, node: str, request: Request) -> JSONResponse:
        token = _token(request)
        if node == "debug_token":
            found = sandbox.number_by_token(request.query_params.get("input_token", ""))
            if found is None or request.query_params.get("input_token") != token:
                return _error(401, 190, "Error validating access token")
            return JSONResponse({"data": {"is_valid": True, "expires_at": 0, "type": "SYSTEM_USER"}})
        if node in sandbox.media:  # GET /{media-id}: where to download it (with the token)
            if sandbox.number_by_token(token) is None:
                return _error(401, 190, "Error validating access token")
            mime_type, data = sandbox.media[node]
            base = str(request.base_url).rstrip("/")
            return JSONResponse(
                {
                    "url": f"{base}/sandbox/media/{node}", "mime_type": mime_type, "file_size": len(data), "id": node,
                    "sha256": hashlib.sha256(data).hexdigest(), "messaging_product": "whatsapp",
                }
            )  # fmt: skip
        number = sandbox.numbers.get(node)
        if number is None:
            return _error(400, 100, f"Unsupported get request. Object with ID '{node}' does not exist")
        if token != number.setup.token:
            return _error(401, 190, "Error validating access token")
        return JSONResponse(
            {
                "id": node,
                "display_phone_number": number.setup.display_phone_number,
                "verified_name": number.setup.verified_name,
                "quality_rating": "GREEN",
                "throughput": {"level": number.setup.throughput_level},
                "messaging_limit_tier": "TIER_1K",
            }
        )

    @api.get("/{version}/{waba_id}/phone_numbers")
    def phone_numbers(version: str, waba_id: str, request: Request) -> JSONResponse:
        mine = [
            i for i, n in sandbox.numbers.items() if n.setup.waba_id == waba_id and n.setup.token == _token(request)
        ]
        if not mine:
            return _error(401, 190, "Error validating access token")
        return JSONResponse({"data": [{"id": i} for i in mine]})

    def _waba_token(waba_id: str, request: Request) -> bool:
        return any(n.setup.waba_id == waba_id and n.setup.token == _token(request) for n in sandbox.numbers.values())

    @api.get("/{version}/{waba_id}/message_templates")
    def list_templates(version: str, waba_id: str, request: Request) -> JSONResponse:
        if not _waba_token(waba_id, request):
            return _error(401, 190, "Error validating access token")
        return JSONResponse({"data": sandbox.templates.get(waba_id, []), "paging": {"cursors": {}}})

    @api.post("/{version}/{waba_id}/message_templates")
    async def create_template(version: str, waba_id: str, request: Request) -> JSONResponse:
        """Submitted PENDING; approved after the status delay, with Meta's template status webhook."""
        if not _waba_token(waba_id, request):
            return _error(401, 190, "Error validating access token")
        try:
            body = json.loads(await request.body())
        except ValueError:
            return _error(400, 100, "Invalid JSON")
        problems = template_errors(body)
        if problems:
            return _error(400, 100, "Invalid parameter", "; ".join(problems))
        template_id = str(uuid.uuid4().int % 10**15)
        stored = {**body, "id": template_id, "status": "PENDING"}
        sandbox.templates.setdefault(waba_id, []).append(stored)
        sandbox.approve_later(waba_id, stored)
        return JSONResponse({"id": template_id, "status": "PENDING", "category": body.get("category")})

    @api.delete("/{version}/{waba_id}/message_templates")
    def delete_template(version: str, waba_id: str, request: Request) -> JSONResponse:
        if not _waba_token(waba_id, request):
            return _error(401, 190, "Error validating access token")
        name, hsm_id = request.query_params.get("name"), request.query_params.get("hsm_id")
        templates = sandbox.templates.get(waba_id, [])
        kept = [t for t in templates if not (t.get("name") == name and hsm_id in (None, t["id"]))]
        if len(kept) == len(templates):
            return _error(400, 100, "Template not found")
        sandbox.templates[waba_id] = kept
        return JSONResponse({"success": True})

    @api.post("/{version}/{number_id}/messages")
    async def send(version: str, number_id: str, request: Request) -> JSONResponse:
        arrived = time.monotonic()  # before the body is read and checked: when the request reached Meta
        number = sandbox.numbers.get(number_id)
        if number is None:
            return _error(400, 100, f"Object with ID '{number_id}' does not exist")
        if _token(request) != number.setup.token:
            return _error(401, 190, "Error validating access token")
        raw = await request.body()
        try:
            body = json.loads(raw)
        except ValueError:
            return _error(400, 100, "Invalid JSON")
        problems = message_errors(body)
        if problems:
            return _error(400, 100, "Invalid parameter", "; ".join(problems))
        # read receipts (our "mark read") are no send: the failures queued are for messages
        injection = None if body.get("status") == "read" else _injected(sandbox)
        refused = _limits(sandbox, number_id, body, injection)
        if refused is not None:
            return refused
        number.record(raw, body, arrived)
        if body.get("status") == "read":
            return JSONResponse({"success": True})
        wamid = sandbox.wamid()
        failed = injection.failed if injection is not None else None
        sandbox.statuses_later(number_id, wamid, str(body["to"]), body.get("biz_opaque_callback_data"), failed=failed)
        if injection is not None and injection.hang_seconds:
            # accepted (its statuses will come), but answered too late for the caller: a timeout
            await asyncio.sleep(injection.hang_seconds)
        return JSONResponse(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                "messages": [{"id": wamid, "message_status": "accepted"}],
            }
        )

    return api
