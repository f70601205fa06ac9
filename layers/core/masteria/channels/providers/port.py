"""The one port every channel provider implements, and the channel-neutral facts that cross it.

The domain (``conversations``, ``campaigns``, the outbound send use case, the inbound processor) sees only what is
here: an ``OutboundMessage`` going out, a ``SendOutcome`` coming back, and ``InboundMessage`` / ``StatusUpdate`` /
``AccountEvent`` parsed from a provider's webhook body. A provider's own codes, payloads and clients stay in its
folder (``providers/<name>/``); ``registry`` finds a provider by a connection's ``provider``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict

from masteria.errors import FieldError

Channel = Literal["whatsapp", "sms"]
# What a message can be; a provider's ``Limits.kinds`` says which of these it sends.
MessageKind = Literal["text", "media", "template", "interactive", "reaction"]


class Outcome(StrEnum):
    SENT = "sent"  # accepted: the provider's message id is the recipient's
    RETRY_AFTER = "retry_after"  # refused for now: pending again after ``retry_in``
    RECIPIENT_FINAL = "recipient_final"  # refused for this recipient for good: failed
    CAMPAIGN_STOPPING = "campaign_stopping"  # refused for the whole number or account: the campaign pauses
    UNKNOWN = "unknown"  # the request may have gone out: never resent, a status settles it


@dataclass(frozen=True)
class SendOutcome:
    category: Outcome
    message_id: str | None = None  # sent
    retry_in: timedelta = timedelta(0)  # retry_after, campaign_stopping
    counts_as_attempt: bool = True  # retry_after: a refusal for the number's rate does not use up an attempt
    slow_down: bool = False  # the number's rate was reached: its lane backs off, the campaign slows
    code: int | None = None  # the provider's error code, kept on the ledger row for the user to read
    reason: str | None = None  # the error's text, kept on the ledger row (at most 300 characters)
    campaign_reason: str | None = None  # campaign_stopping: why the campaign pauses
    unexpected: bool = False  # not an answer of the provider (a bug of ours or the transport's): worth a log
    segments: int | None = None  # sent over SMS: the parts the provider billed


@dataclass(frozen=True)
class Limits:
    """What a provider allows, by default, for one sending number (a connection's configuration may say less or
    more, e.g. an SMS origination number's MPS or a WhatsApp number's throughput level)."""

    messages_per_second: float
    kinds: frozenset[str]
    # free-form messages only within this long after the customer's last message (WhatsApp's 24 hours);
    # None: no such window (SMS). Outside it only a template goes out.
    window: timedelta | None
    # at most one message to the same recipient every this long (Meta's pair rate); None: no such rule
    pair_interval: timedelta | None = None
    # how many messages to one recipient may go at once before ``pair_interval`` holds them (Meta's burst);
    # None: no such rule
    pair_burst: int | None = None
    text_max: int = 4096  # characters of one text message (SMS: the provider splits a longer one in parts)
    # the kinds whose statuses bring back our reference (``OutboundMessage.opaque``): a message of another kind
    # is sent without one (Meta takes it on templates only; SMS on every message)
    opaque_kinds: frozenset[str] = frozenset()
    # messages per second by the throughput level the provider reports for a number (a connection's
    # ``throughput_level``, e.g. Meta's STANDARD, HIGH); a level not named here has ``messages_per_second``
    levels: Mapping[str, float] = field(default_factory=dict)
    # how many of the number's rate units a message uses (an SMS's segments: AWS's MPS counts message parts);
    # None: one a message
    units_of: Callable[[OutboundMessage], int] | None = None
    # how much later than it is made a request may reach the provider, at worst: a campaign keeps that share of
    # every second's rate spare (``pacer.guard_for``), so requests bunched on the way never make a second
    # hold more than the rate. Meta's, over httpx, as measured: 37.5 ms (with 25 ms, one bench run in
    # thirteen saw 81 of 80 reach the sandbox).
    arrival_jitter: timedelta = timedelta(milliseconds=37.5)

    def rate(self, level: str | None) -> float:
        """The messages per second of a number at ``level`` (None: not known)."""
        return self.levels.get((level or "").upper(), self.messages_per_second)

    def units(self, message: OutboundMessage) -> int:
        """The slots of the number's pacer ``message`` takes (its rate is in these units)."""
        return max(1, self.units_of(message)) if self.units_of is not None else 1


class OutboundMessage(BaseModel):
    """One message to one recipient, channel-neutral. The provider builds its own request from it."""

    model_config = ConfigDict(frozen=True)

    to: str  # E.164 digits, no "+"
    kind: MessageKind
    text: str | None = None  # text; the caption of media
    media: dict[str, Any] | None = None  # media: {"type": "image"|..., "id" | "link", "filename"?}
    template: dict[str, Any] | None = None  # template: {"name", "language", "components"} (WhatsApp's)
    interactive: dict[str, Any] | None = None  # interactive: the provider's interactive object (WhatsApp)
    reaction: dict[str, Any] | None = None  # reaction: {"message_id", "emoji"}
    reply_to: str | None = None  # the provider's id of the message this answers
    opaque: str | None = None  # our reference, echoed back on statuses where the provider supports it


class InboundMessage(BaseModel):
    """A message a customer sent to one of our numbers."""

    model_config = ConfigDict(frozen=True)

    connection_id: str | None = None  # filled by the processor
    # the provider's name for our number it came to (Meta's phone_number_id), when a webhook URL may carry
    # several numbers' events (``Provider.number_of`` a connection's); None: the connection of the URL
    number_id: str | None = None
    message_id: str  # the provider's id
    sender: str  # E.164 digits
    sender_name: str | None = None
    sent_at: datetime
    kind: str  # text, image, audio, video, document, sticker, location, contacts, interactive, button,
    # reaction, edit, revoke, system, unsupported... (a provider maps its own types onto these)
    text: str | None = None
    reply_to: str | None = None  # the provider's id of the message it answers
    media_id: str | None = None  # the provider's id of its file, to copy (media kinds; an edit's new file)
    about: str | None = None  # edit, revoke, reaction: the provider's id of the message it changes
    new_kind: str | None = None  # edit: the kind the message has now (None: the kind it had)
    new_number: str | None = None  # system: the customer's new number, when it says their number changed
    errors: list[dict[str, Any]] = []  # the provider's errors about it (an unsupported type...)
    raw: dict[str, Any] = {}  # the provider's object, kept for the inbox (an edit: the new one)


class StatusUpdate(BaseModel):
    """What became of a message we sent."""

    model_config = ConfigDict(frozen=True)

    number_id: str | None = None  # as ``InboundMessage.number_id``
    message_id: str  # the provider's id, as ``SendOutcome.message_id`` gave it
    status: Literal["accepted", "sent", "delivered", "read", "played", "failed"]
    at: datetime
    recipient: str | None = None
    error_code: int | None = None
    error_title: str | None = None
    segments: int | None = None  # SMS: parts billed
    opaque: str | None = None  # ``OutboundMessage.opaque``, echoed back (a campaign recipient's ledger id)
    errors: list[dict[str, Any]] = []  # the provider's errors, kept on the message
    pricing: dict[str, Any] | None = None  # what the provider says the message costs, kept on the message
    raw: dict[str, Any] = {}


class AccountEvent(BaseModel):
    """Anything else a provider says: of the account, the number, a template, a call, a customer's preferences.
    ``kind`` names it (the provider's own word); ``data`` is the provider's object."""

    model_config = ConfigDict(frozen=True)

    number_id: str | None = None  # as ``InboundMessage.number_id``
    kind: str
    at: datetime | None = None
    data: dict[str, Any] = {}


class Call(BaseModel):
    """A voice call's event (``AccountEvent`` of kind ``call``: its ``data``), shown in the conversation."""

    model_config = ConfigDict(frozen=True)

    id: str  # the provider's id of the call
    contact: str  # the customer's number, E.164 digits
    contact_name: str | None = None
    direction: Literal["user_initiated", "business_initiated"]
    status: Literal["ringing", "answered", "missed"]
    at: datetime  # when it started (or rang)
    duration: int = 0  # seconds, answered
    started_at: datetime | None = None
    ended_at: datetime | None = None
    provider_status: str | None = None  # the provider's word for how it ended


InboundEvent = InboundMessage | StatusUpdate | AccountEvent


class Unverified(Exception):
    """A webhook request that fails its provider's check (signature, certificate, token)."""


class MediaUnavailable(Exception):
    """A received file the provider will never give us (gone, too large, refused): recorded, not retried."""


@dataclass(frozen=True)
class Fetched:
    """A received file, fetched from the provider."""

    data: bytes
    mime_type: str | None = None


class Provider(Protocol):
    """One channel provider. Instances are built once (bootstrap) with their clients, and are stateless
    otherwise: every call gets the connection's unsealed configuration (the provider's ``config_model``)."""

    name: str  # the connections' ``provider`` value
    channel: Channel
    config_model: type[BaseModel]  # the provider's sealed per-connection configuration

    def limits(self, config: BaseModel) -> Limits:
        """The connection's limits (the provider's defaults, narrowed or widened by its configuration)."""
        ...

    def check(self, message: OutboundMessage, config: BaseModel) -> Sequence[FieldError]:
        """What the provider would refuse for the content, before anything is queued (empty: it can go)."""
        ...

    def send(
        self, message: OutboundMessage, config: BaseModel, *, attempt: int = 1, jitter: float = 0.0
    ) -> SendOutcome:
        """Send one message, the ``attempt``-th time to this recipient; never raises for the provider's answer:
        a refusal is an outcome (``jitter`` in [0, 1) spreads the retries of transient ones), a transport
        failure after the request may have left is ``UNKNOWN``."""
        ...

    def verify(self, raw: bytes, headers: Mapping[str, str], config: BaseModel) -> None:
        """Raise ``Unverified`` unless the webhook body is the provider's (signature over the raw bytes)."""
        ...

    def parse(self, raw: bytes) -> list[InboundEvent]:
        """The typed events in a verified webhook body (ValueError: not what the provider sends)."""
        ...

    def number_of(self, config: BaseModel) -> str | None:
        """The connection's number as the provider's events name it (``InboundMessage.number_id``)."""
        ...

    def mark_read(self, message_id: str, config: BaseModel) -> None:
        """Tell the customer their message (``InboundMessage.message_id``) was read: the provider's read receipt,
        nothing on a channel that has none (SMS)."""
        ...

    def typing(self, message_id: str, config: BaseModel) -> None:
        """Show the customer that we are typing an answer to their message (``InboundMessage.message_id``), until
        the answer is sent or a provider's own limit (WhatsApp: 25 s); nothing on a channel that has no indicator
        (SMS). On WhatsApp the indicator comes with the message's read receipt."""
        ...

    def fetch_media(self, media_id: str, config: BaseModel) -> Fetched:
        """The file of a received message (``InboundMessage.media_id``); ``MediaUnavailable`` if it never will be,
        any other error for a failure worth retrying."""
        ...


@dataclass
class Registry:
    """Providers by name (a connection's ``provider``)."""

    providers: dict[str, Provider] = field(default_factory=dict)

    def add(self, provider: Provider) -> None:
        self.providers[provider.name] = provider

    def get(self, name: str) -> Provider:
        try:
            return self.providers[name]
        except KeyError:
            raise LookupError(f"no provider {name!r}") from None

    def names(self) -> tuple[str, ...]:
        return tuple(self.providers)
