"""The inbox's ledger of the replies it sends (``messages`` rows, direction out) on the one outbound path
(``outbound.send``): exactly one request per row.

- **claimed**: the row is written ``sending``, its ``wamid`` the row's own reference (``outbound:<id>``, sent to
  the provider as ``OutboundMessage.opaque``), and committed before the request;
- **sent**: the provider's id replaces the reference and the row is ``accepted``; a status that came first
  (kept by its id) applies now;
- **refused**: the provider said no, so nothing went out: the row goes and the caller gets the refusal;
- **unknown**: the request may have gone out (a lost answer): the row stays ``unknown``, never sent again,
  and the provider's status, which brings the reference back, settles it (``references.settle``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from masteria.channels.models import ChannelConnection
from masteria.channels.providers.port import Outcome, SendOutcome
from masteria.conversations.events import record_updated
from masteria.conversations.inbound_common import hold_wamid
from masteria.conversations.inbound_pending import apply_pending
from masteria.conversations.models import Conversation, Message
from masteria.conversations.references import REFERENCE_PREFIX, reference
from masteria.db import Database
from masteria.event_payloads import MessageCreatedPayload
from masteria.events import record_event
from masteria.jobs import past
from masteria.observability import logger
from masteria.ports import Clock

# a claim unanswered this long is a worker that died between its request and its record (a send's timeout is 10 s)
STALE_CLAIM = timedelta(minutes=1)


@dataclass
class ReplyLedger:
    """One reply's row, written by ``outbound.send.deliver`` through ``claim`` and ``record``."""

    company_id: uuid.UUID
    connection_id: uuid.UUID
    conversation_id: uuid.UUID
    contact_id: uuid.UUID
    # the send's admission (``outbound.send.admit``) on the claim's session: run again under the conversation's
    # lock, so two replies at once cannot both pass the pair rate (the second sees the first's claimed row)
    admit: Callable[[Session], None]
    kind: str  # the inbox's type: text, image, document..., template
    text: str | None  # what the inbox shows
    content: dict[str, Any]
    reply_to_wamid: str | None
    now: datetime
    message_id: uuid.UUID = field(default_factory=uuid.uuid4)
    outcome: SendOutcome | None = None

    def claim(self, session: Session) -> str:
        ref = reference(self.message_id)
        # the conversation's lock, here in the claim's own transaction (the request's session holds none: the
        # claim and the record run in their own transactions, which would wait on it), until the claim commits
        session.execute(select(Conversation.id).where(Conversation.id == self.conversation_id).with_for_update())
        self.admit(session)
        expire_stale_claims(session, self.now, conversation_id=self.conversation_id)
        session.add(
            Message(
                id=self.message_id,
                company_id=self.company_id,
                connection_id=self.connection_id,
                conversation_id=self.conversation_id,
                contact_id=self.contact_id,
                direction="out",
                wamid=ref,
                type=self.kind,
                text=self.text,
                content=self.content,
                reply_to_wamid=self.reply_to_wamid,
                status="sending",
                sent_at=self.now,
            )
        )
        session.flush()
        return ref

    def record(self, session: Session, outcome: SendOutcome) -> None:
        self.outcome = outcome
        message = session.get(Message, self.message_id, with_for_update=True, populate_existing=True)
        if message is None:
            return
        if outcome.category is Outcome.SENT and outcome.message_id:
            if message.status in ("sending", "unknown"):
                message.status = "accepted"
            hold_wamid(session, message.connection_id, outcome.message_id)
            message.wamid = outcome.message_id[:255]
            session.flush()
            apply_pending(session, message)  # a status that came before this answer was recorded
            _created(session, message)
        elif outcome.category in (Outcome.UNKNOWN, Outcome.SENT):  # sent without an id: its status settles it
            message.status = "unknown"
            _created(session, message)
        else:  # refused: nothing went out
            session.delete(message)


def expire_stale_claims(
    session: Session,
    now: datetime,
    *,
    conversation_id: uuid.UUID | None = None,
    connection_ids: Collection[uuid.UUID] = (),
) -> int:
    """Replies claimed over ``STALE_CLAIM`` ago and never answered (their worker died between the claim and the
    record) may have gone out: they are unknown from now on, never sent again, and a status may still settle
    them (by their reference). One conversation's (as a reply is claimed) or some connections' (the sweeper's);
    how many."""
    statement = update(Message).where(
        Message.direction == "out",
        Message.status == "sending",
        Message.sent_at < now - STALE_CLAIM,
        Message.wamid.startswith(REFERENCE_PREFIX, autoescape=True),  # a claimed row goes by its reference
    )
    if conversation_id is not None:
        statement = statement.where(Message.conversation_id == conversation_id)
    else:
        statement = statement.where(Message.connection_id.in_(list(connection_ids)))
    return len(session.execute(statement.values(status="unknown").returning(Message.id)).all())


def sweep(*, db: Database, clock: Clock, until: float | None = None) -> dict[str, int]:
    """Every company's stale reply claims made unknown (``expire_stale_claims``), a company's connections in one
    transaction, whether or not the conversation gets another reply; companies left when the time budget
    ``until`` is spent wait for the next sweep."""
    with db.connection_check() as session:  # ids only, read only
        pairs = session.execute(select(ChannelConnection.company_id, ChannelConnection.id)).all()
    by_company: dict[uuid.UUID, list[uuid.UUID]] = {}
    for company_id, connection_id in pairs:
        by_company.setdefault(company_id, []).append(connection_id)
    now, unknown = clock.now(), 0
    for company_id, connection_ids in by_company.items():
        if past(until):
            break
        with db.tenant(company_id) as session:
            unknown += expire_stale_claims(session, now, connection_ids=connection_ids)
    if unknown:
        logger.info("stale reply claims made unknown", extra={"count": unknown})
    return {"unknown": unknown}


def _created(session: Session, message: Message) -> None:
    """The reply is in the thread: the conversation's activity moves, a closed one reopens, and the events."""
    conversation = session.get_one(Conversation, message.conversation_id, with_for_update=True)
    changed = ["last_message_at"]
    conversation.last_message_at = max(filter(None, [conversation.last_message_at, message.sent_at]))
    if conversation.status == "closed":
        conversation.status = "open"
        changed.append("status")
    session.flush()
    record_event(
        session,
        company_id=message.company_id,
        payload=MessageCreatedPayload(
            message_id=message.id,
            conversation_id=conversation.id,
            contact_id=message.contact_id,
            channel=conversation.channel,
            direction="out",
            type=message.type,
        ),
    )
    record_updated(session, conversation, changed)
