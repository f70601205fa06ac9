"""The inbound processor: a provider's webhook body, parsed by the connection's provider into typed events
(``channels.providers.port``), into contacts, conversations, messages and statuses. Nothing here reads a
provider's payload.

- Every event is applied by its type: messages in ``inbound_messages`` (edits, deletions and reactions in
  ``inbound_updates``), statuses in ``inbound_statuses`` (a campaign's and a cadence's on their ledgers), account
  events by kind (``inbound_account.HANDLERS``, calls in ``inbound_calls``, the provider's errors as notifications).
- An event names the number it is for (``number_id``) when one webhook URL may carry several numbers' events:
  it goes to the company's connection of the same provider with that number; an event for a number none of
  them has (another company's, on a topic or account shared with it) is dropped and counted, never kept here.
- Race-safe: contacts and conversations are upserted; a message is inserted once per (connection, provider
  id) — a second delivery of the same body, even at the same time, finds it there and does nothing more.
- Statuses move forward only (``STATUS_RANK``; failed is final) and never back in time, whatever order they
  arrive in; one for a message we do not know yet waits for it (``inbound_pending``).
- The customer service window (the provider's ``Limits.window``) is kept per conversation; stop keywords opt
  the contact out through the CRM's one opt-out function.
- Inbound media is copied from the provider after the body's transaction has committed, never inside it.
- A body that cannot be parsed or understood is kept whole as a dead letter, never dropped.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.cadences import send_ledger as cadence_ledger
from masteria.campaigns import ledger as campaign_ledger
from masteria.channels import connections
from masteria.channels.inbound_job import InboundJob
from masteria.channels.models import ChannelConnection
from masteria.channels.providers.port import (
    AccountEvent,
    InboundEvent,
    InboundMessage,
    MediaUnavailable,
    Provider,
    Registry,
    StatusUpdate,
)
from masteria.conversations import inbound_account as account
from masteria.conversations import inbound_calls as calls
from masteria.conversations import inbound_messages as messages
from masteria.conversations import inbound_pending as pending
from masteria.conversations import inbound_statuses as statuses_
from masteria.conversations.events import record_message_updated
from masteria.conversations.inbound_common import Media, MediaCopy, Result, Unprocessable
from masteria.conversations.models import InboundDeadLetter, Message
from masteria.crypto import CompanyKeys
from masteria.db import Database
from masteria.observability import count, logger

__all__ = ["FOREIGN_NUMBER_METRIC", "Media", "Result", "Unprocessable", "keep_failed", "process"]

# events dropped because they name a number none of the company's connections has (dimension: provider)
FOREIGN_NUMBER_METRIC = "InboundForeignNumber"


@dataclass
class _Route:
    """Where a body's events go: the connection of its URL, and the provider's other numbers when needed."""

    session: Session
    keys: CompanyKeys
    provider: Provider
    connection: ChannelConnection
    configs: dict[uuid.UUID, BaseModel]
    numbers: dict[str, ChannelConnection] | None = None

    def config(self, row: ChannelConnection) -> BaseModel:
        if row.id not in self.configs:
            self.configs[row.id] = connections.config(self.session, self.keys, row)
        return self.configs[row.id]

    def target(self, number_id: str | None) -> ChannelConnection | None:
        """The connection of the number an event is about; None: none of the company's connections has it."""
        if number_id is None or number_id == self.provider.number_of(self.config(self.connection)):
            return self.connection
        if self.numbers is None:  # the company's other numbers of this provider: read only when needed
            rows = self.session.scalars(
                select(ChannelConnection).where(ChannelConnection.provider == self.connection.provider)
            )
            self.numbers = {str(self.provider.number_of(self.config(row))): row for row in rows}
        return self.numbers.get(number_id)


def process(
    *, db: Database, keys: CompanyKeys, providers: Registry, job: InboundJob, media: Media | None = None
) -> Result:
    """Apply one webhook body, all of it or none; dead-letter it whole if it cannot be understood. Its media
    files are copied after that transaction (a transient failure raises: the body is retried, and finds
    the messages there with their files still to copy)."""
    try:
        with db.tenant(job.company_id) as session:
            connection = session.get(ChannelConnection, job.connection_id)
            if connection is None:
                raise Unprocessable("the connection no longer exists")
            provider = providers.get(connection.provider)
            try:
                events = provider.parse(job.body)
            except ValueError as error:  # not what the provider sends
                raise Unprocessable(str(error)) from error
            route = _Route(session, keys, provider, connection, {})
            result = Result()
            _apply(route, events, result)
            pending.apply_found(session, result)  # a send that committed while its status was being kept
            for campaign_id in sorted(result.campaigns):  # one progress event per body, not per status
                campaign_ledger.emit_progress(session, campaign_id)
            # each connection's configuration (the provider's token to fetch files), read while the transaction is open
            configs = {copy.connection_id: route.config(session.get_one(ChannelConnection, copy.connection_id))
                       for copy in result.media}  # fmt: skip
    except Unprocessable as error:  # bad input only: a fault of ours raises, to be retried (see keep_failed)
        reason = f"Unprocessable: {error}"[:500]
        _dead_letter(db, job, reason)
        return Result(dead_lettered=True, errors=[reason])
    if media is not None and result.media:
        _copy_media(db, job, media=media, provider=provider, copies=result.media, configs=configs)
    return result


def _apply(route: _Route, events: list[InboundEvent], result: Result) -> None:
    """Apply the events in their order; a run of statuses together (a campaign's on its ledger at once)."""
    session, provider = route.session, route.provider
    run: list[tuple[ChannelConnection, StatusUpdate]] = []
    for event in events:
        target = route.target(event.number_id)
        if target is None:
            # another company's number, or one no longer ours (a shared SNS topic or WhatsApp account delivers it
            # here too): dropped, never kept in this tenant; counted, logged without the number
            result.dropped += 1
            count(FOREIGN_NUMBER_METRIC, provider=provider.name)
            logger.info(
                "inbound event for a number none of the company's connections has: dropped",
                extra={"connection_id": str(route.connection.id), "event": type(event).__name__},
            )
            continue
        if isinstance(event, StatusUpdate):
            run.append((target, event))
            continue
        _statuses(session, run, result)
        run = []
        if isinstance(event, InboundMessage):
            window = provider.limits(route.config(target)).window
            messages.received(session, target, event, result, channel=provider.channel, window=window)
        elif event.kind == "call":
            calls.received(session, target, event, result, channel=provider.channel)
        elif event.kind == "error":
            messages.provider_error(session, target, event, result)
        else:
            _account(session, target, event, result)
    _statuses(session, run, result)


def _statuses(session: Session, run: list[tuple[ChannelConnection, StatusUpdate]], result: Result) -> None:
    """Statuses of a campaign's messages (they carry its recipient's id) on its ledger, and of a cadence's sends (by
    their id, or their provider's message id) on theirs, each together; the others on their messages."""
    ours = [status for _, status in run if campaign_ledger.recipient_of(status.opaque) is not None]
    if ours:
        result.campaigns |= campaign_ledger.apply_statuses(session, ours)
        result.statuses += len(ours)
    rest = [status for _, status in run if campaign_ledger.recipient_of(status.opaque) is None]
    cadence = cadence_ledger.by_send(session, rest) if rest else {}
    if cadence:
        cadence_ledger.apply_statuses(session, cadence)
    applied = {id(status) for found in cadence.values() for status in found}
    result.statuses += len(applied)
    for target, status in run:
        if campaign_ledger.recipient_of(status.opaque) is None and id(status) not in applied:
            statuses_.apply(session, target, status, result)


def _account(session: Session, connection: ChannelConnection, event: AccountEvent, result: Result) -> None:
    handler = account.HANDLERS.get(event.kind)
    if handler is None:
        logger.info("account event ignored", extra={"kind": event.kind[:64]})
        return
    handler(session, connection, event, result)


def _dead_letter(db: Database, job: InboundJob, reason: str) -> None:
    with db.tenant(job.company_id) as session:
        session.add(
            InboundDeadLetter(company_id=job.company_id, connection_id=job.connection_id, body=job.body, error=reason)
        )
    logger.warning("inbound webhook dead-lettered", extra={"reason": reason[:200]})


def keep_failed(*, db: Database, job: InboundJob, error: Exception, attempts: int) -> None:
    """A body that failed ``attempts`` times on our side (a bug, the database): kept whole as a dead letter
    with the kind of failure, instead of being lost when the queue gives up on it."""
    _dead_letter(db, job, f"failed {attempts} times: {type(error).__name__}"[:500])


def _copy_media(
    db: Database,
    job: InboundJob,
    *,
    media: Media,
    provider: Provider,
    copies: list[MediaCopy],
    configs: dict[uuid.UUID, BaseModel],
) -> None:
    """Copy inbound files from the provider (Meta's URLs live 5 minutes) to our object store, with no
    transaction open; then record each on its message in a short one. A file the provider will never give is
    recorded on the message; a transient failure raises once what was copied is recorded."""
    stored: list[tuple[MediaCopy, dict[str, Any]]] = []
    try:
        for copy in copies:
            try:
                fetched = provider.fetch_media(copy.media_id, configs[copy.connection_id])
            except MediaUnavailable as error:
                stored.append((copy, {"error": str(error)[:300], "media_id": copy.media_id}))
                continue
            size = media.store.put(copy.key, io.BytesIO(fetched.data))
            found = {"key": copy.key, "mime_type": fetched.mime_type, "size": size, "media_id": copy.media_id}
            stored.append((copy, {**found, "sha256": hashlib.sha256(fetched.data).hexdigest()}))
    finally:
        if stored:
            with db.tenant(job.company_id) as session:
                for copy, facts in stored:
                    row = session.get(Message, copy.message_id, with_for_update=True)
                    if row is not None:
                        row.content = {**row.content, "stored": facts}
                        record_message_updated(session, row, ["content"])  # an open thread shows the file
