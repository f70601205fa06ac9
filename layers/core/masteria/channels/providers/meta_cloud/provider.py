"""Meta's WhatsApp Cloud API behind the provider port: a channel-neutral ``OutboundMessage`` becomes a Graph
request (``messages``), Meta's answer a ``SendOutcome`` (``outcomes``), a webhook body typed events
(``inbound``), and ``X-Hub-Signature-256`` is checked over the raw bytes (META.md §1, §2.3, §3.1)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any, cast

import httpx
from pydantic import BaseModel

from masteria.channels.providers.meta_cloud import inbound, messages
from masteria.channels.providers.meta_cloud.config import MetaCloudConfig, WebhookConfig
from masteria.channels.providers.meta_cloud.errors import (
    Category,
    GraphError,
    GraphPermanentError,
    GraphTransientError,
)
from masteria.channels.providers.meta_cloud.graph import GraphClient
from masteria.channels.providers.meta_cloud.outcomes import classify
from masteria.channels.providers.port import (
    Channel,
    Fetched,
    InboundEvent,
    Limits,
    MediaUnavailable,
    OutboundMessage,
    SendOutcome,
    Unverified,
)
from masteria.errors import FieldError, Invalid

# Messages per second of a number: 80 by default, 1,000 once Meta upgrades it (its throughput level HIGH).
STANDARD_MPS = 80.0
LEVELS: Mapping[str, float] = {"STANDARD": STANDARD_MPS, "HIGH": 1000.0}
WINDOW = timedelta(hours=24)  # free-form messages within 24 hours of the customer's last one; templates after
PAIR_INTERVAL = timedelta(seconds=6)  # one message every 6 s to the same user (Meta's pair rate)
# Meta lets a business send a person a burst of this many messages before the pair rate holds it to one every
# PAIR_INTERVAL (META.md §1.2)
PAIR_BURST = 45
KINDS = frozenset({"text", "media", "template", "interactive", "reaction"})
MEDIA_KINDS = ("image", "document", "audio", "video", "sticker")
SIGNATURE_HEADER = "x-hub-signature-256"
# Meta answers a send in well under a second; one unanswered this long is an unknown outcome
SEND_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def _config(config: BaseModel) -> MetaCloudConfig:
    if not isinstance(config, MetaCloudConfig):
        raise TypeError(f"not a Meta Cloud API configuration: {type(config).__name__}")
    return config


def request_body(message: OutboundMessage) -> dict[str, Any]:
    """The body of ``POST /<PHONE_NUMBER_ID>/messages`` for ``message`` (Invalid: it breaks WhatsApp's limits)."""
    to, reply_to, opaque = message.to, message.reply_to, message.opaque
    if message.kind == "text":
        return messages.text(to, message.text or "", reply_to=reply_to, opaque=opaque)
    if message.kind == "media":
        media = message.media or {}
        kind = media.get("type")
        if kind not in MEDIA_KINDS:
            errors = [FieldError("media.type", "not a kind of media WhatsApp sends", code="media_type")]
            raise Invalid("the message breaks WhatsApp's limits", errors)
        return messages.media(
            to,
            cast(messages.MediaKind, kind),
            media_id=media.get("id"),
            link=media.get("link"),
            caption=message.text,
            filename=media.get("filename"),
            reply_to=reply_to,
            opaque=opaque,
        )
    if message.kind == "template":
        template = message.template or {}
        name, language = template.get("name"), template.get("language")
        if not name or not language:
            errors = [FieldError("template", "a template needs its name and language", code="required")]
            raise Invalid("the message breaks WhatsApp's limits", errors)
        components = template.get("components") or ()
        return messages.template(to, str(name), str(language), components, reply_to=reply_to, opaque=opaque)
    if message.kind == "interactive":
        return messages.interactive(to, message.interactive or {}, reply_to=reply_to, opaque=opaque)
    reaction = message.reaction or {}
    if not reaction.get("message_id"):
        errors = [FieldError("reaction.message_id", "a reaction needs the message it is about", code="required")]
        raise Invalid("the message breaks WhatsApp's limits", errors)
    return messages.reaction(to, str(reaction["message_id"]), str(reaction.get("emoji") or ""))


def signature_matches(raw: bytes, header: str | None, app_secret: str) -> bool:
    """Whether ``header`` is ``sha256=`` and the HMAC-SHA256 of ``raw`` under the app secret (constant time)."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").strip().lower())


class MetaCloudProvider:
    name = "meta_cloud"
    channel: Channel = "whatsapp"
    config_model: type[BaseModel] = MetaCloudConfig

    def __init__(self, graph: GraphClient, *, send_timeout: httpx.Timeout = SEND_TIMEOUT) -> None:
        self.graph = graph
        self._timeout = send_timeout

    def limits(self, config: BaseModel) -> Limits:
        _config(config)
        return Limits(
            messages_per_second=STANDARD_MPS,
            kinds=KINDS,
            window=WINDOW,
            pair_interval=PAIR_INTERVAL,
            pair_burst=PAIR_BURST,
            text_max=messages.TEXT_MAX,
            levels=LEVELS,
            opaque_kinds=frozenset({"template"}),  # biz_opaque_callback_data: Meta takes it on templates only
        )

    def check(self, message: OutboundMessage, config: BaseModel) -> Sequence[FieldError]:
        try:
            request_body(message)
        except Invalid as error:
            return error.errors or [FieldError("message", error.detail, code="invalid")]
        return []

    def send(
        self, message: OutboundMessage, config: BaseModel, *, attempt: int = 1, jitter: float = 0.0
    ) -> SendOutcome:
        settings = _config(config)
        try:
            body = request_body(message)
        except Invalid as error:  # refused before it left: final for this recipient
            return classify(_refused(error), attempt=attempt, jitter=jitter)
        try:
            answer = self.graph.send_message(
                settings.phone_number_id, body, token=settings.access_token, timeout=self._timeout
            )
        except GraphError as error:  # Meta's refusal, or a transport failure (unknown when it may have left)
            return classify(error, attempt=attempt, jitter=jitter)
        return classify(answer, attempt=attempt, jitter=jitter)

    def verify(self, raw: bytes, headers: Mapping[str, str], config: BaseModel) -> None:
        """``config``: the connection's, or only its ``WebhookConfig`` (all the webhook function has)."""
        if not isinstance(config, WebhookConfig):
            raise TypeError(f"not a Meta Cloud API configuration: {type(config).__name__}")
        header = next((v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER), None)
        if not signature_matches(raw, header, config.app_secret):
            raise Unverified("a missing or wrong X-Hub-Signature-256")

    def parse(self, raw: bytes) -> list[InboundEvent]:
        return inbound.parse(raw)

    def number_of(self, config: BaseModel) -> str | None:
        return _config(config).phone_number_id

    def mark_read(self, message_id: str, config: BaseModel) -> None:
        """Meta's read receipt (the message and every earlier one show read to the customer)."""
        settings = _config(config)
        self.graph.mark_read(settings.phone_number_id, messages.mark_read(message_id), token=settings.access_token)

    def typing(self, message_id: str, config: BaseModel) -> None:
        """Meta's typing indicator, sent with the read receipt of the customer's message (META.md §3.1: shown up to
        25 s, or until our next message)."""
        settings = _config(config)
        body = messages.mark_read(message_id, typing=True)
        self.graph.mark_read(settings.phone_number_id, body, token=settings.access_token)

    def fetch_media(self, media_id: str, config: BaseModel) -> Fetched:
        """A received file: its URL from Meta (valid 5 minutes), then the file (Meta's hosts only get the token)."""
        token = _config(config).access_token
        try:
            info = self.graph.media_info(media_id, token=token)
            data = self.graph.download_media(str(info["url"]), token=token)
        except GraphTransientError:
            raise
        except GraphError as error:
            raise MediaUnavailable(str(error)[:300]) from error
        mime_type = info.get("mime_type")
        return Fetched(data=data, mime_type=str(mime_type) if mime_type else None)


def _refused(error: Invalid) -> GraphError:
    """Our own refusal of a message as a permanent Graph error (no code of Meta's): final for its recipient."""
    first = error.errors[0].message if error.errors else error.detail
    return GraphPermanentError(code=-1, message=error.detail, details=first, category=Category.PERMANENT, trace_id=None)
