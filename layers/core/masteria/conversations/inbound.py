"""The inbound processor: Meta's webhook bodies (META.md §2.4) into contacts, conversations, messages and
statuses.

- Every change is dispatched by its ``field`` (``CHANGES``, ``ACCOUNT_CHANGES``): messages and their statuses in
  ``inbound_messages`` / ``inbound_statuses``, edits, deletions and reactions in ``inbound_updates``, calls in
  ``inbound_calls``, account-level changes in their own modules.
- Every message type is normalized: ``type``, a ``text`` for the inbox (the body, caption, button or list
  title, location name…) and ``content`` (Meta's object for that type, plus context and referral).
- Race-safe: contacts and conversations are upserted; a message is inserted once per (connection, wamid)
  — a second delivery of the same body, even at the same time, finds it there and does nothing more.
- Statuses move forward only (``STATUS_RANK``; failed is final) and never back in time, whatever order they
  arrive in; one for a message we do not know yet waits for it (``inbound_pending``).
- The 24-hour customer service window is kept per conversation; stop keywords opt the contact out
  through the CRM's one opt-out function.
- Inbound media is copied from Meta after the body's transaction has committed, never inside it.
- A body that cannot be parsed or understood is kept whole as a dead letter, never dropped.
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.campaigns import ledger as campaign_ledger
from masteria.channels import connections
from masteria.channels.inbound_job import InboundJob
from masteria.channels.models import ChannelConnection
from masteria.channels.providers.meta_cloud import shapes
from masteria.channels.providers.meta_cloud.errors import GraphError, GraphTransientError
from masteria.conversations import inbound_account as account
from masteria.conversations import inbound_calls as calls
from masteria.conversations import inbound_messages as messages
from masteria.conversations import inbound_pending as pending
from masteria.conversations.events import record_message_updated
from masteria.conversations.inbound_common import Media, MediaCopy, Result, Unprocessable, checked
from masteria.conversations.models import InboundDeadLetter, Message
from masteria.crypto import CompanyKeys
from masteria.db import Database
from masteria.observability import logger

__all__ = ["ACCOUNT_CHANGES", "CHANGES", "Media", "Result", "Unprocessable", "keep_failed", "normalize", "process"]

normalize = messages.normalize

Handler = Callable[[Session, ChannelConnection, dict[str, Any], Result], None]

# What each ``field`` of a change means to us: one line per field Meta sends that we act on. The
# account-level ones (``account.Handler``) also get the entry's ``time``: Meta's time of the event, the same
# on every retry, which tells a redelivery from the same event happening again and orders the events.
CHANGES: dict[str, Handler] = {
    "messages": messages.changed,
    "calls": calls.changed,
}
ACCOUNT_CHANGES: dict[str, account.Handler] = {
    "message_template_status_update": account.template_status,
    "message_template_quality_update": account.template_quality,
    "template_category_update": account.template_category,
    "message_template_components_update": account.template_components,
    "user_preferences": account.user_preferences,
    "phone_number_quality_update": account.phone_number_quality,
    "account_update": account.account_update,
}


def _numbers(session: Session, keys: CompanyKeys, job: InboundJob) -> dict[str, ChannelConnection]:
    """The company's connections by phone number id (Meta may post several numbers' events to one URL)."""
    found = {}
    for row in session.scalars(select(ChannelConnection)):
        found[connections.credentials(session, keys, row).phone_number_id] = row
    return found


def process(*, db: Database, keys: CompanyKeys, job: InboundJob, media: Media | None = None) -> Result:
    """Apply one webhook body, all of it or none; dead-letter it whole if it cannot be understood. Its media
    files are copied after that transaction (a transient failure raises: the body is retried, and finds
    the messages there with their files still to copy)."""
    raw = job.body
    try:
        try:
            payload = json.loads(raw)
        except ValueError as error:
            raise Unprocessable(f"not JSON: {error}") from error
        if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
            raise Unprocessable("not a WhatsApp Business Account webhook")
        checked(shapes.Body, payload)
        with db.tenant(job.company_id) as session:
            connection = session.get(ChannelConnection, job.connection_id)
            if connection is None:
                raise Unprocessable("the connection no longer exists")
            result = Result()
            own_number: str | None = None  # the number of the connection the webhook came to
            numbers: dict[str, ChannelConnection] | None = None  # every one: read only for another number
            for entry in payload["entry"]:
                for change in entry.get("changes") or []:
                    target = connection
                    number = ((change.get("value") or {}).get("metadata") or {}).get("phone_number_id")
                    if number is not None and own_number is None:
                        own_number = connections.credentials(session, keys, connection).phone_number_id
                    if number is not None and str(number) != own_number:
                        numbers = numbers if numbers is not None else _numbers(session, keys, job)
                        if str(number) not in numbers:
                            raise Unprocessable(f"no connection has the phone number id {number}")
                        target = numbers[str(number)]
                    _change(session, target, change, result, entry.get("time"))
            pending.apply_found(session, result)  # a send that committed while its status was being kept
            for campaign_id in sorted(result.campaigns):  # one progress event per body, not per status
                campaign_ledger.emit_progress(session, campaign_id)
            tokens = _tokens(session, media, result.media)
    except Unprocessable as error:  # bad input only: a fault of ours raises, to be retried (see keep_failed)
        reason = f"Unprocessable: {error}"[:500]
        _dead_letter(db, job, reason)
        return Result(dead_lettered=True, errors=[reason])
    if media is not None and result.media:
        _copy_media(db, job, media, result.media, tokens)
    return result


def _change(session: Session, connection: ChannelConnection, change: dict[str, Any], result: Result, time: Any) -> None:
    field_name, value = change.get("field"), change.get("value") or {}
    if (timed := ACCOUNT_CHANGES.get(str(field_name))) is not None:
        timed(session, connection, value, account.entry_time(time), result)
        return
    handler = CHANGES.get(str(field_name))
    if handler is None:
        logger.info("meta webhook field ignored", extra={"field": field_name})
        return
    handler(session, connection, value, result)


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


def _tokens(session: Session, media: Media | None, copies: list[MediaCopy]) -> dict[uuid.UUID, str]:
    """The access token of each connection with files to copy, read while the transaction is open."""
    if media is None:
        return {}
    found = {}
    for connection_id in {copy.connection_id for copy in copies}:
        row = session.get_one(ChannelConnection, connection_id)
        found[connection_id] = connections.credentials(session, media.keys, row).access_token
    return found


def _copy_media(
    db: Database, job: InboundJob, media: Media, copies: list[MediaCopy], tokens: dict[uuid.UUID, str]
) -> None:
    """Copy inbound files from Meta (their URLs live 5 minutes) to our object store, with no transaction
    open; then record each on its message in a short one. A permanent failure is recorded on the message;
    a transient one raises once what was copied is recorded."""
    stored: list[tuple[MediaCopy, dict[str, Any]]] = []
    try:
        for copy in copies:
            token = tokens[copy.connection_id]
            try:
                info = media.graph.media_info(copy.media_id, token=token)
                data = media.graph.download_media(str(info["url"]), token=token)
            except GraphTransientError:
                raise
            except GraphError as error:
                stored.append((copy, {"error": str(error)[:300]}))
                continue
            size = media.store.put(copy.key, io.BytesIO(data))
            found = {"key": copy.key, "mime_type": info.get("mime_type"), "size": size}
            stored.append((copy, {**found, "sha256": hashlib.sha256(data).hexdigest()}))
    finally:
        if stored:
            with db.tenant(job.company_id) as session:
                for copy, facts in stored:
                    row = session.get(Message, copy.message_id, with_for_update=True)
                    if row is not None:
                        row.content = {**row.content, "stored": facts}
                        record_message_updated(session, row, ["content"])  # an open thread shows the file
