"""The SMS sandbox: AWS End User Messaging SMS as the local runtime's SMS, served under ``/sandbox/sms``.

Service side (what our boto3 client calls, with ``SMS_ENDPOINT_URL=<local>/sandbox/sms``): ``POST /sandbox/sms/``
speaks the service's JSON protocol (``X-Amz-Target: PinpointSMSVoiceV2.<Operation>``); ``SendTextMessage`` and the
opt-out list operations are checked against the service model botocore ships (a wrong request gets AWS's
``ValidationException``), a send is answered with a message id, then its delivery events (``TEXT_SUCCESSFUL`` →
``TEXT_DELIVERED``, or an injected failure) are posted to the number's webhook URL as SNS notifications signed with
the sandbox's certificate. Like AWS, a destination on the opt-out list is refused (``ConflictException``) and
AWS's own opt-out keywords (STOP, UNSUBSCRIBE…) put the customer on it.

Tester side: ``PUT /sandbox/sms/numbers/{origination}`` registers a number (its webhook URL, topic, opt-out list;
SNS's subscription confirmation is posted to the URL first); ``POST .../inbound`` writes as a customer; ``GET
.../outbox`` and ``.../stats`` tell what it was asked to send; ``PUT /sandbox/sms/settings`` sets delays, the rate
and queued failures.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from functions.local.sandbox.sms_sns import CERT_PATH, SnsSigner
from masteria.adapters.aws.sms_voice import request_problems
from masteria.observability import logger

TARGET_PREFIX = "PinpointSMSVoiceV2."
# AWS's own opt-out keywords (honoured by the service itself unless opt-outs are self-managed)
AWS_STOP_WORDS = frozenset(
    {"STOP", "ARRET", "CANCEL", "END", "OPT-OUT", "OPTOUT", "QUIT", "REMOVE", "STOPALL", "UNSUBSCRIBE"}
)
WEBHOOK_ATTEMPTS = 5
ACCOUNT = "123456789012"


class SmsNumberSetup(BaseModel):
    webhook_url: str | None = Field(default=None, examples=["http://127.0.0.1:8000/webhooks/sms/<key>"])
    topic_arn: str = Field(default=f"arn:aws:sns:us-east-1:{ACCOUNT}:masteria-sms", examples=[None])
    opt_out_list: str = "Default"


class SmsInbound(BaseModel):
    from_: str = Field(alias="from", pattern=r"^\+?[1-9]\d{7,14}$", examples=["5531987650001"])
    text: str = Field(min_length=1, max_length=1600, examples=["Oi! Vocês entregam?"])


class SmsInjection(BaseModel):
    """A failure for one of the next sends: refused with AWS's ``error`` (and ``reason``), or accepted and then
    reported with a failure ``event`` (TEXT_BLOCKED, TEXT_TTL_EXPIRED…)."""

    error: str | None = Field(default=None, examples=["ThrottlingException"])
    reason: str | None = Field(default=None, examples=["DESTINATION_PHONE_NUMBER_OPTED_OUT"])
    event: str | None = Field(default=None, pattern=r"^TEXT_[A-Z_]+$", examples=["TEXT_BLOCKED"])


class SmsSandboxSettings(BaseModel):
    delay_seconds: float = Field(default=0.2, ge=0, le=60, description="between the send and each event")
    rate_per_second: float | None = Field(default=None, gt=0, description="above it: ThrottlingException")
    inject: list[SmsInjection] = Field(default_factory=list, description="failures for the next sends, in order")
    send_events: bool = Field(default=True, description="false: no delivery events at all")


@dataclass
class SmsNumber:
    setup: SmsNumberSetup
    outbox: list[dict[str, Any]] = field(default_factory=list)
    accepted_at: list[float] = field(default_factory=list)


class SmsSandbox:
    def __init__(self) -> None:
        self.numbers: dict[str, SmsNumber] = {}  # by origination identity
        self.opted_out: dict[str, dict[str, float]] = {}  # opt-out list → number → when
        self.settings = SmsSandboxSettings()
        self.signer = SnsSigner()
        self.sends: deque[float] = deque()
        self.tokens: dict[str, str] = {}  # subscription confirmation token → its number, not yet confirmed
        self.confirmed: set[str] = set()  # numbers whose webhook subscription was confirmed
        self._http = httpx.Client(timeout=10)
        # (due, order, origination, body or how to sign it, attempt)
        self._events: list[tuple[float, int, str, bytes | Callable[[], bytes], int]] = []
        self._order = itertools.count()
        self._ready = threading.Condition()
        self._thread: threading.Thread | None = None

    def post(self, origination: str, base_url: str, message: dict[str, Any] | str, **kw: Any) -> int | None:
        setup = self.numbers[origination].setup
        if not setup.webhook_url:
            return None
        kind = kw.get("kind", "Notification")
        raw = self.signer.message(base_url, setup.topic_arn, message, **kw)
        return self._deliver(setup, raw, kind)

    def _deliver(self, setup: SmsNumberSetup, raw: bytes, kind: str) -> int | None:
        assert setup.webhook_url is not None
        try:
            headers = self.signer.headers(setup.topic_arn, kind)
            return self._http.post(setup.webhook_url, content=raw, headers=headers).status_code
        except httpx.HTTPError:
            logger.warning("sms sandbox could not reach the webhook URL")
            return None

    def events_later(self, origination: str, base_url: str, events: list[dict[str, Any]]) -> None:
        now = time.monotonic()
        setup = self.numbers[origination].setup
        with self._ready:
            for n, event in enumerate(events, start=1):
                # signed when it is posted, by the events thread: not on the request's way (the arrival times
                # a campaign's pacing is measured by); held as text meanwhile, not as objects for the garbage
                # collector to walk (a backlog of thousands made its full collections stall the sandbox)
                text = json.dumps(event, separators=(",", ":"))
                sign = functools.partial(self.signer.message, base_url, setup.topic_arn, text)
                heapq.heappush(
                    self._events, (now + n * self.settings.delay_seconds, next(self._order), origination, sign, 1)
                )
            if self._thread is None:
                self._thread = threading.Thread(target=self._post_events, name="sms-sandbox-events", daemon=True)
                self._thread.start()
            self._ready.notify()

    def _post_events(self) -> None:
        while True:
            with self._ready:
                while not self._events or self._events[0][0] > time.monotonic():
                    self._ready.wait(self._events[0][0] - time.monotonic() if self._events else None)
                _, _, origination, message, attempt = heapq.heappop(self._events)
            raw = message() if callable(message) else message
            status = self._deliver(self.numbers[origination].setup, raw, "Notification")
            if (status is None or status >= 500) and attempt < WEBHOOK_ATTEMPTS:  # SNS retries, further apart
                with self._ready:
                    heapq.heappush(
                        self._events,
                        (time.monotonic() + 2.0**attempt, next(self._order), origination, raw, attempt + 1),
                    )

    def stats(self, origination: str) -> dict[str, Any]:
        number = self.numbers.get(origination)
        if number is None:
            return {"messages": 0, "recipients": 0, "duplicates": 0, "max_per_second": 0}
        recipients = [str(b["DestinationPhoneNumber"]) for b in number.outbox]
        times, busiest, start = sorted(number.accepted_at), 0, 0
        for end, at in enumerate(times):
            while at - times[start] >= 1.0:
                start += 1
            busiest = max(busiest, end - start + 1)
        span = times[-1] - times[0] if len(times) > 1 else 0.0
        return {
            "messages": len(recipients),
            "recipients": len(set(recipients)),
            "duplicates": len(recipients) - len(set(recipients)),
            "max_per_second": busiest,
            "mean_per_second": (len(times) - 1) / span if span else 0.0,
        }


def _error(name: str, message: str, status: int = 400, **members: Any) -> JSONResponse:
    """An error as the service answers it (awsJson 1.0: ``__type`` names the exception)."""
    body = {"__type": f"com.amazonaws.pinpointsmsvoicev2#{name}", "Message": message, **members}
    return JSONResponse(
        body,
        status_code=status,
        headers={"x-amzn-requestid": str(uuid.uuid4())},
        media_type="application/x-amz-json-1.0",
    )


def _ok(body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, headers={"x-amzn-requestid": str(uuid.uuid4())}, media_type="application/x-amz-json-1.0")


def _event(event_type: str, request: dict[str, Any], message_id: str, parts: int) -> dict[str, Any]:
    status = event_type.removeprefix("TEXT_")
    now = int(time.time() * 1000)
    return {
        "eventType": event_type,
        "eventVersion": "1.0",
        "eventTimestamp": now,
        "isFinal": event_type != "TEXT_SUCCESSFUL",
        "originationPhoneNumber": request.get("OriginationIdentity"),
        "destinationPhoneNumber": request["DestinationPhoneNumber"],
        "messageId": message_id,
        "messageRequestTimestamp": now,
        "messageEncoding": "GSM",
        "messageType": request.get("MessageType", "TRANSACTIONAL"),
        "messageStatus": status,
        "messageStatusDescription": f"Sandbox: {status.lower().replace('_', ' ')}",
        "context": request.get("Context", {}),
        "totalMessageParts": parts,
        "totalMessagePrice": 0.0,
    }


def _send(sandbox: SmsSandbox, request: dict[str, Any], base_url: str, arrived: float) -> JSONResponse:
    from masteria.channels.providers.sms.segments import count

    origination = str(request.get("OriginationIdentity", ""))
    number = sandbox.numbers.get(origination)
    if number is None:
        return _error(
            "ResourceNotFoundException",
            "origination identity not found",
            404,
            ResourceType="origination-identity",
            ResourceId=origination,
        )
    destination = str(request["DestinationPhoneNumber"])
    injection = sandbox.settings.inject.pop(0) if sandbox.settings.inject else None
    if injection is not None and injection.error:
        extra = {"Reason": injection.reason} if injection.reason else {}
        status = 500 if injection.error == "InternalServerException" else 400
        return _error(injection.error, f"Injected {injection.error}", status, **extra)
    if destination in sandbox.opted_out.get(number.setup.opt_out_list, {}):
        return _error(
            "ConflictException",
            "The destination phone number is opted out",
            400,
            Reason="DESTINATION_PHONE_NUMBER_OPTED_OUT",
            ResourceType="phone-number",
            ResourceId=destination,
        )
    now = time.time()
    while sandbox.sends and now - sandbox.sends[0] >= 1.0:
        sandbox.sends.popleft()
    if sandbox.settings.rate_per_second is not None and len(sandbox.sends) >= sandbox.settings.rate_per_second:
        return _error("ThrottlingException", "Rate exceeded")
    sandbox.sends.append(now)
    number.outbox.append(request)
    number.accepted_at.append(arrived)
    message_id = str(uuid.uuid4())
    if sandbox.settings.send_events:
        parts = count(str(request.get("MessageBody", ""))).count
        last = injection.event if injection is not None and injection.event else "TEXT_DELIVERED"
        sandbox.events_later(
            origination, base_url, [_event(t, request, message_id, parts) for t in ("TEXT_SUCCESSFUL", last)]
        )
    return _ok({"MessageId": message_id})


def _opt_out_list(sandbox: SmsSandbox, name: str) -> dict[str, float] | None:
    known = {n.setup.opt_out_list for n in sandbox.numbers.values()} | set(sandbox.opted_out)
    return sandbox.opted_out.setdefault(name, {}) if name in known or name == "Default" else None


def _arn(name: str) -> str:
    return f"arn:aws:sms-voice:us-east-1:{ACCOUNT}:opt-out-list/{name}"


def router(sandbox: SmsSandbox) -> APIRouter:
    api = APIRouter(prefix="/sandbox/sms", tags=["sandbox"], include_in_schema=False)

    @api.post("")
    @api.post("/")
    async def service(request: Request) -> JSONResponse:
        arrived = time.monotonic()
        operation = request.headers.get("x-amz-target", "").removeprefix(TARGET_PREFIX)
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            return _error("ValidationException", "Could not parse the request", Reason="CANNOT_PARSE")
        supported = ("SendTextMessage", "PutOptedOutNumber", "DeleteOptedOutNumber", "DescribeOptedOutNumbers")
        if operation not in supported:
            return _error(
                "ValidationException", f"Operation {operation or '?'} is not in the sandbox", Reason="UNKNOWN_OPERATION"
            )
        problems = request_problems(operation, body) if isinstance(body, dict) else ["the request is no object"]
        if problems:
            return _error(
                "ValidationException",
                "; ".join(problems)[:1000],
                Reason="FIELD_VALIDATION_FAILED",
                Fields=[{"Name": p.split(" ")[-1][:100], "Message": p[:500]} for p in problems[:5]],
            )
        base_url = str(request.base_url)
        if operation == "SendTextMessage":
            return _send(sandbox, body, base_url, arrived)
        name, number = str(body["OptOutListName"]), str(body.get("OptedOutNumber", ""))
        listed = _opt_out_list(sandbox, name)
        if listed is None:
            return _error(
                "ResourceNotFoundException", "opt-out list not found", 404, ResourceType="opt-out-list", ResourceId=name
            )
        if operation == "DescribeOptedOutNumbers":
            items = [
                {"OptedOutNumber": n, "OptedOutTimestamp": at, "EndUserOptedOut": True} for n, at in listed.items()
            ]
            start = int(body.get("NextToken") or 0)
            size = int(body.get("MaxResults") or 100)
            page = {"OptOutListArn": _arn(name), "OptOutListName": name, "OptedOutNumbers": items[start : start + size]}
            return _ok(page | ({"NextToken": str(start + size)} if start + size < len(items) else {}))
        if operation == "PutOptedOutNumber":
            listed.setdefault(number, time.time())
        else:
            listed.pop(number, None)
        return _ok(
            {
                "OptOutListArn": _arn(name),
                "OptOutListName": name,
                "OptedOutNumber": number,
                "OptedOutTimestamp": time.time(),
                "EndUserOptedOut": False,
            }
        )

    @api.get("/cert.pem")
    def certificate() -> Response:
        return Response(content=sandbox.signer.pem, media_type="application/x-pem-file")

    @api.get("/confirm")
    def confirm(token: str) -> Response:
        origination = sandbox.tokens.pop(token, None)
        if origination is None:
            return Response(status_code=404)
        sandbox.confirmed.add(origination)
        return Response(content=b"<ConfirmSubscriptionResponse/>", media_type="text/xml")

    @api.put("/numbers/{origination}")
    def register(origination: str, setup: SmsNumberSetup, request: Request) -> dict[str, Any]:
        """Register a number; with a webhook URL, SNS's subscription confirmation is posted there first."""
        sandbox.numbers[origination] = SmsNumber(setup)
        status = None
        if setup.webhook_url:
            token = uuid.uuid4().hex
            sandbox.tokens[token] = origination
            base = str(request.base_url).rstrip("/")
            extra = {"Token": token, "SubscribeURL": f"{base}/sandbox/sms/confirm?token={token}"}
            status = sandbox.post(
                origination,
                base,
                "You have chosen to subscribe to the topic.",
                kind="SubscriptionConfirmation",
                extra=extra,
            )
        return {"origination": origination, "webhook_status": status, "confirmed": origination in sandbox.confirmed}

    @api.post("/numbers/{origination}/inbound")
    def inbound(origination: str, message: SmsInbound, request: Request) -> JSONResponse:
        number = sandbox.numbers.get(origination)
        if number is None:
            return JSONResponse({"error": "unknown number"}, status_code=404)
        sender = "+" + message.from_.removeprefix("+")
        if message.text.strip().upper() in AWS_STOP_WORDS:
            sandbox.opted_out.setdefault(number.setup.opt_out_list, {}).setdefault(sender, time.time())
        inbound_id = str(uuid.uuid4())
        body = {
            "originationNumber": sender,
            "destinationNumber": origination,
            "messageKeyword": "KEYWORD_" + ACCOUNT,
            "messageBody": message.text,
            "inboundMessageId": inbound_id,
            "previousPublishedMessageId": "",
        }
        status = sandbox.post(origination, str(request.base_url), body)
        return JSONResponse({"inbound_message_id": inbound_id, "webhook_status": status})

    @api.get("/numbers/{origination}/outbox")
    def outbox(origination: str) -> list[dict[str, Any]]:
        number = sandbox.numbers.get(origination)
        return list(number.outbox) if number is not None else []

    @api.get("/numbers/{origination}/stats")
    def stats(origination: str) -> dict[str, Any]:
        return sandbox.stats(origination)

    @api.put("/settings")
    def settings(body: SmsSandboxSettings) -> SmsSandboxSettings:
        sandbox.settings = body
        return body

    return api


__all__ = ["CERT_PATH", "SmsNumberSetup", "SmsSandbox", "router"]
