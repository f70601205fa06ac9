"""The one outbound path: every message to a person (an inbox reply, a campaign recipient, a cadence step, an AI
reply, an automation rule's message) goes out through these steps, with the same guarantees whoever sends it.

1. **Admitted** (``admit``), before anything is queued or claimed; each refusal is a 4xx naming its reason:
   the provider's own check of the content (``Provider.check``: too long, a kind it does not send), consent
   on that channel (``contacts.consent``: an opted-out contact is not messaged), the customer-service window
   of the provider (``Limits.window``: outside it only a template; SMS has none) and the pair rate
   (``Limits.pair_interval``: a number's messages to one person, with the provider's ``pair_burst``).
2. **Claimed** in the sender's ledger (its row ``sending``), with its slot on the number's pacer
   (``outbound.pacer``: a reply's is the next free one, a campaign's within the bulk horizon), committed
   *before* the request.
3. **Sent** by the connection's provider (``Provider.send``) at its slot, carrying the row's reference
   (``OutboundMessage.opaque``) that the provider's statuses bring back.
4. **Recorded**: sent (the provider's id), refused (the provider said no: nothing went out), or unknown (the
   request may have gone out: never sent again; the provider's status settles it).

``deliver`` runs 2-4 for one message (a reply); the campaign sender runs the same steps for a batch
(``campaigns.claims`` and ``campaigns.ledger``), through the same pacer and provider."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel
from sqlalchemy.orm import Session

from masteria.channels import connections
from masteria.channels.models import ChannelConnection
from masteria.channels.providers.port import Channel, Limits, OutboundMessage, Outcome, Provider, Registry, SendOutcome
from masteria.contacts import consent
from masteria.crypto import CompanyKeys
from masteria.db import Database
from masteria.errors import DomainError, FieldError, Invalid, Permanent, RateLimited, Transient
from masteria.observability import logger
from masteria.outbound import pacer


class Origin(StrEnum):
    """Who sends: each sender keeps its own ledger, all go through the same steps."""

    INBOX = "inbox"
    CAMPAIGN = "campaign"
    CADENCE = "cadence"
    AI = "ai"
    AUTOMATION = "automation"  # an automation rule's send action (``automations.sends``)


@dataclass(frozen=True)
class Route:
    """A connection as a sender sees it: its provider, its unsealed configuration, its limits and rate."""

    connection_id: uuid.UUID
    company_id: uuid.UUID
    provider: Provider
    config: BaseModel
    limits: Limits
    rate: float  # messages per second of the number (the provider's, at the number's throughput level)

    @property
    def channel(self) -> Channel:
        return self.provider.channel


def route(session: Session, keys: CompanyKeys, providers: Registry, connection: ChannelConnection) -> Route:
    """The connection's route (its configuration unsealed)."""
    provider = providers.get(connection.provider)
    config = connections.config(session, keys, connection)
    limits = provider.limits(config)
    return Route(
        connection_id=connection.id,
        company_id=connection.company_id,
        provider=provider,
        config=config,
        limits=limits,
        rate=limits.rate(connection.throughput_level),
    )


@dataclass(frozen=True)
class Recipient:
    """Who a message goes to: the number, the contact (None: not one of ours yet) and when they last wrote to
    this connection (the customer-service window opens then)."""

    phone: str  # E.164 digits
    contact_id: uuid.UUID | None = None
    last_inbound_at: datetime | None = None


# ---- 1. admitted ---------------------------------------------------------------------------------


def window_open(limits: Limits, last_inbound_at: datetime | None, now: datetime) -> bool:
    """Whether a free-form message may go now: the provider has no window, or the customer wrote within it."""
    if limits.window is None:
        return True
    return last_inbound_at is not None and last_inbound_at + limits.window > now


def pair_wait(sent: Iterable[datetime], *, now: datetime, interval: timedelta, burst: int) -> timedelta:
    """How long until one more message to the same person keeps to the pair rate (zero: now), from the times
    of the latest messages to them: one every ``interval``, a burst of ``burst`` borrowed ahead (a generic
    cell rate: each message moves the person's theoretical arrival time on by ``interval``)."""
    arrival: datetime | None = None
    for at in sorted(sent):
        arrival = max(arrival or at, at) + interval
    if arrival is None:
        return timedelta(0)
    return max(timedelta(0), arrival - now - interval * (burst - 1))


def admit(
    session: Session,
    route: Route,
    recipient: Recipient,
    message: OutboundMessage,
    *,
    origin: Origin,
    now: datetime,
    recent_sends: Callable[[timedelta], list[datetime]] | None = None,
) -> None:
    """Refuse, before anything is queued or claimed: content the provider would refuse (422), a contact
    opted out of the channel (422), a free-form message outside the provider's window (422), or one more
    message to the person than the pair rate allows now (429). ``recent_sends(since)`` gives the times of
    the number's messages to the person within ``since`` (the sender's ledger knows them)."""
    errors = list(route.provider.check(message, route.config))
    if errors:
        logger.info("send refused for its content", extra={"origin": origin, "channel": route.channel})
        raise Invalid(f"{route.channel} refuses this message", errors)
    if recipient.contact_id is not None and consent.is_opted_out(session, recipient.contact_id, route.channel):
        raise Invalid(
            "the contact opted out of this channel",
            [
                FieldError(
                    "contact_id",
                    f"opted out of {route.channel}: they are not messaged",
                    code="contact_opted_out",
                    params={"channel": route.channel},
                )
            ],
        )
    if message.kind != "template" and not window_open(route.limits, recipient.last_inbound_at, now):
        raise Invalid(
            "the 24-hour window is closed: pick a template",
            [
                FieldError(
                    message.kind,
                    "outside the customer service window only a template can be sent",
                    code="window_closed",
                )
            ],
        )
    interval, burst = route.limits.pair_interval, route.limits.pair_burst or 1
    if interval is not None and recent_sends is not None:
        wait = pair_wait(recent_sends(interval * burst), now=now, interval=interval, burst=burst)
        if wait > timedelta(0):
            raise RateLimited(
                "too many messages to this person in a short time: wait before sending another",
                retry_after=int(wait.total_seconds()) + 1,
            )


def refusal(route: Route, outcome: SendOutcome) -> DomainError:
    """The error a caller gets for the provider's refusal of one message (nothing went out): worth trying
    again later (503) or not as it is (502), with the provider's code when it gave one."""
    detail = outcome.reason or f"{route.channel} refused the message"
    kind: type[DomainError] = Transient if outcome.category is Outcome.RETRY_AFTER else Permanent
    if outcome.code is not None and outcome.code >= 0:
        return kind(detail, code="provider_error", params={"code": outcome.code, "channel": route.channel})
    return kind(detail)


# ---- 2-4. claimed, sent, recorded -----------------------------------------------------------------


class Ledger(Protocol):
    """A sender's record of one message: claimed before the request, the answer after."""

    def claim(self, session: Session) -> str:
        """Write the message as ``sending`` (this transaction commits before the request); its reference, sent
        as ``OutboundMessage.opaque`` and brought back by the provider's statuses."""
        ...

    def record(self, session: Session, outcome: SendOutcome) -> None:
        """Write the provider's answer (sent, refused, unknown) on the claimed row."""
        ...


def deliver(
    db: Database,
    route: Route,
    message: OutboundMessage,
    ledger: Ledger,
    *,
    origin: Origin,
    sleep: Callable[[float], None] = time.sleep,
) -> SendOutcome:
    """Claim (with the next free slot of the number: a reply's priority), send at the slot, record: one
    request at most for the claimed row, whatever happens. A failure of ours after the request may have left
    is recorded unknown, then raised."""
    with db.tenant(route.company_id) as session:
        opaque = ledger.claim(session)
        slots = pacer.reserve(
            session,
            company_id=route.company_id,
            connection_id=route.connection_id,
            count=1,
            rate=route.rate / route.limits.units(message),  # a slot as wide as the message's units (SMS parts)
            priority=True,
        )
    wait = (slots.first - slots.now).total_seconds()
    if wait > 0:
        sleep(wait)
    if message.kind in route.limits.opaque_kinds:  # its statuses bring the row's reference back
        message = message.model_copy(update={"opaque": opaque})
    try:
        outcome = route.provider.send(
            message,
            route.config,
            attempt=1,
            jitter=random.random(),  # noqa: S311 - spreads retries, no secret
        )
    except BaseException:
        logger.exception(
            "a send failed unexpectedly: its outcome is unknown", extra={"reference": opaque, "origin": origin}
        )
        with db.tenant(route.company_id) as session:
            ledger.record(session, SendOutcome(Outcome.UNKNOWN, unexpected=True))
        raise
    with db.tenant(route.company_id) as session:
        ledger.record(session, outcome)
        if outcome.slow_down:
            pacer.back_off(session, connection_id=route.connection_id)
    return outcome
