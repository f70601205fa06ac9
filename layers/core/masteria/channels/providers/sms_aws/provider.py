"""SMS over AWS End User Messaging SMS, behind the provider port.

Text only, no customer-service window, no pair rate; a text of at most 1600 characters (the service's own
``MessageBody`` limit: up to 11 GSM-7 or 24 UCS-2 segments, split by the service and billed per segment). The rate
is the origination number's MPS from the connection's configuration. Webhooks are SNS notifications (an HTTPS
subscription per connection): two-way messages from the inbound topic and the configuration set's delivery events,
each signed by SNS and verified against the connection's topics.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, cast

from pydantic import BaseModel

from masteria.channels.providers import retries
from masteria.channels.providers.port import (
    AccountEvent,
    Channel,
    Fetched,
    InboundEvent,
    InboundMessage,
    Limits,
    MediaUnavailable,
    OutboundMessage,
    Outcome,
    SendOutcome,
    StatusUpdate,
    Unverified,
)
from masteria.channels.providers.sms import segments
from masteria.channels.providers.sms_aws.config import SmsConfig
from masteria.channels.providers.sms_aws.gateway import Refusal, SmsGateway, SmsRefused, TextMessage
from masteria.channels.providers.sms_aws.sns import SnsMessage, SnsVerifier, envelope
from masteria.errors import FieldError

NAME = "sms_aws"
TEXT_MAX = 1600  # characters: SendTextMessage's MessageBody maximum in the service model
ARRIVAL_JITTER = timedelta(milliseconds=100)  # at 50/s: 45 a second
CONTEXT_KEY = "reference"  # our reference (OutboundMessage.opaque) in the message's Context, echoed on events
# a delivery event's type → our status (None: an intermediate step we do not show)
STATUSES: dict[str, Literal["sent", "delivered", "failed"] | None] = {
    "TEXT_QUEUED": None,
    "TEXT_PENDING": None,
    "TEXT_UNKNOWN": None,  # AWS heard nothing from the carrier in 72 hours: our unknown timeout settles it
    "TEXT_SUCCESSFUL": "sent",  # accepted by the recipient's carrier
    "TEXT_DELIVERED": "delivered",
}
_FINAL = frozenset({Refusal.OPTED_OUT, Refusal.RECIPIENT, Refusal.CONTENT})


def _config(config: BaseModel) -> SmsConfig:
    if not isinstance(config, SmsConfig):
        raise TypeError("the SMS provider takes an SmsConfig")
    return config


def _segments(message: OutboundMessage) -> int:
    return segments.count(message.text or "").count


def _digits(number: object) -> str:
    return str(number or "").removeprefix("+")


class SmsAwsProvider:
    name = NAME
    channel: Channel = "sms"
    config_model: type[BaseModel] = SmsConfig

    def __init__(self, gateway: SmsGateway, verifier: SnsVerifier) -> None:
        self.gateway = gateway
        self.verifier = verifier

    def limits(self, config: BaseModel) -> Limits:
        return Limits(
            messages_per_second=_config(config).messages_per_second,
            kinds=frozenset({"text"}),
            window=None,
            pair_interval=None,
            text_max=TEXT_MAX,
            opaque_kinds=frozenset({"text"}),  # our reference travels in Context
            units_of=_segments,  # the origination's MPS counts message parts
            # botocore builds and signs each request after the drive's turn, and SNS posts every delivery event
            # on its own (two a message, where Meta batches statuses): on this 2-core machine, with the
            # webhooks taking a core, requests reached the sandbox up to 145 ms late, and with 60 ms spare (47
            # a second) 51 or 52 of 50 arrived in one second in three 10,000-message runs of four
            arrival_jitter=ARRIVAL_JITTER,
        )

    def check(self, message: OutboundMessage, config: BaseModel) -> Sequence[FieldError]:
        _config(config)
        if message.kind != "text":
            return [
                FieldError(
                    message.kind,
                    f"SMS sends text only, not {message.kind}",
                    code="channel_kind_unsupported",
                    params={"kind": message.kind, "channel": "sms"},
                )
            ]
        text = message.text or ""
        if not text.strip():
            return [FieldError("text", "Required.", code="required")]
        if len(text) > TEXT_MAX:
            return [
                FieldError("text", f"At most {TEXT_MAX} characters.", code="text_too_long", params={"max": TEXT_MAX})
            ]
        return []

    def send(
        self, message: OutboundMessage, config: BaseModel, *, attempt: int = 1, jitter: float = 0.0
    ) -> SendOutcome:
        sms = _config(config)
        refused = self.check(message, sms)
        if refused:  # checked before it was queued; a message changed since is refused for good
            return SendOutcome(Outcome.RECIPIENT_FINAL, reason=refused[0].message[:300])
        text = message.text or ""
        request = TextMessage(
            destination=f"+{_digits(message.to)}",
            origination=sms.origination,
            body=text,
            message_type=sms.message_type,
            configuration_set=sms.configuration_set,
            context={CONTEXT_KEY: message.opaque} if message.opaque else {},
        )
        try:
            message_id = self.gateway.send_text(request)
        except SmsRefused as refusal:
            return outcome(refusal, attempt=attempt, jitter=jitter)
        return SendOutcome(Outcome.SENT, message_id=message_id, segments=segments.count(text).count)

    def verify(self, raw: bytes, headers: Mapping[str, str], config: BaseModel) -> None:
        self.verified(raw, headers, _config(config).topics())

    def verified(self, raw: bytes, headers: Mapping[str, str], topics: frozenset[str]) -> SnsMessage:
        """``verify`` against the connection's SNS topics, giving the verified message (the webhook, which knows
        a connection by its inbound secret, confirms a subscription with it)."""
        if not topics:
            raise Unverified("the connection has no SNS topic")
        lowered = {k.lower(): v for k, v in headers.items()}
        header_topic = lowered.get("x-amz-sns-topic-arn")
        if header_topic is not None and header_topic not in topics:
            raise Unverified("the SNS message is of another topic")
        return self.verifier.verify(raw, topics)

    def number_of(self, config: BaseModel) -> str | None:
        return _digits(_config(config).origination)

    def mark_read(self, message_id: str, config: BaseModel) -> None:
        """SMS has no read receipts: nothing to tell."""

    def typing(self, message_id: str, config: BaseModel) -> None:
        """SMS has no typing indicator: nothing to show."""

    def fetch_media(self, media_id: str, config: BaseModel) -> Fetched:
        raise MediaUnavailable("SMS carries no files")

    def parse(self, raw: bytes) -> list[InboundEvent]:
        body = envelope(raw)
        if body["Type"] != "Notification":
            return []  # subscription (un)confirmations are the webhook's, answered there
        try:
            inner = json.loads(str(body.get("Message", "")))
        except ValueError:
            raise ValueError("the SNS message is not JSON") from None
        if not isinstance(inner, dict):
            raise ValueError("the SNS message is not an object")
        if "inboundMessageId" in inner:
            return [_inbound(inner, _sns_time(body))]
        event_type = str(inner.get("eventType", ""))
        if event_type.startswith("TEXT_"):
            status = _status(inner, event_type)
            return [status] if status is not None else []
        return [AccountEvent(kind=event_type or "sns_notification", at=_sns_time(body), data=inner)]


def outcome(refusal: SmsRefused, *, attempt: int, jitter: float) -> SendOutcome:
    """What a refusal of the service means for the message (pure)."""
    kind, code, reason = refusal.refusal, refusal.code, str(refusal)[:300]
    if kind is Refusal.UNKNOWN:
        return SendOutcome(Outcome.UNKNOWN, reason=reason)
    if kind is Refusal.THROTTLED:
        return SendOutcome(
            Outcome.RETRY_AFTER,
            retry_in=retries.RATE_LIMIT_BACKOFF,
            counts_as_attempt=False,
            slow_down=True,
            reason=reason,
        )
    if kind is Refusal.TRANSIENT and attempt < retries.MAX_TRANSIENT_ATTEMPTS:
        return SendOutcome(Outcome.RETRY_AFTER, retry_in=retries.transient_delay(attempt, jitter=jitter), reason=reason)
    if kind in (Refusal.SENDER, Refusal.QUOTA):
        return SendOutcome(
            Outcome.CAMPAIGN_STOPPING,
            counts_as_attempt=False,
            reason=reason,
            campaign_reason=f"SMS error {code}: {refusal.message}"[:300] if refusal.message else f"SMS error {code}",
        )
    return SendOutcome(Outcome.RECIPIENT_FINAL, reason=reason)  # opted out, recipient, content, retries used up


def _sns_time(body: Mapping[str, Any]) -> datetime:
    try:
        return datetime.fromisoformat(str(body.get("Timestamp", "")).replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("the SNS message has no Timestamp") from None


def _inbound(inner: dict[str, Any], at: datetime) -> InboundMessage:
    sender, message_id = _digits(inner.get("originationNumber")), str(inner.get("inboundMessageId") or "")
    if not sender.isdigit() or not message_id:
        raise ValueError("an inbound SMS without its number or id")
    return InboundMessage(
        number_id=_digits(inner.get("destinationNumber")) or None,
        message_id=message_id,
        sender=sender,
        sent_at=at,
        kind="text",
        text=str(inner.get("messageBody") or ""),
        raw=inner,
    )


def _status(inner: dict[str, Any], event_type: str) -> StatusUpdate | None:
    status = STATUSES.get(event_type, "failed")  # every other TEXT_ event is a failure (blocked, expired, invalid…)
    message_id = str(inner.get("messageId") or "")
    if status is None or not message_id:
        return None
    try:
        at = datetime.fromtimestamp(int(inner["eventTimestamp"]) / 1000, tz=UTC)
    except (KeyError, TypeError, ValueError):
        raise ValueError("an SMS event without its time") from None
    context = inner.get("context") if isinstance(inner.get("context"), dict) else {}
    parts = inner.get("totalMessageParts")
    title = None
    if status == "failed":
        title = f"{inner.get('messageStatus') or event_type}: {inner.get('messageStatusDescription') or ''}".strip()
    return StatusUpdate(
        number_id=_digits(inner.get("originationPhoneNumber")) or None,
        message_id=message_id,
        status=status,
        at=at,
        recipient=_digits(inner.get("destinationPhoneNumber")) or None,
        error_title=title[:300] if title else None,
        segments=int(parts) if isinstance(parts, int) else None,
        opaque=cast(dict[str, Any], context).get(CONTEXT_KEY),
        errors=[{"code": event_type, "title": title}] if title else [],
        pricing={"price": inner["totalMessagePrice"]} if "totalMessagePrice" in inner else None,
        raw=inner,
    )
