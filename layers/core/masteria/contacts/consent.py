"""Consent per channel: the one place that changes it. Each change moves the current state
(``ContactConsent``, what the send path reads) and appends its event to the history (``ConsentEvent``)
in the same transaction."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.contacts.models import ConsentEvent, Contact, ContactConsent
from masteria.contacts.schemas import Channel, ConsentActor, ConsentEventRead, ConsentSource
from masteria.db import get_or_404
from masteria.events import EventType, record_event
from masteria.pagination import Page, PageRequest, paginate
from masteria.tenancy.models import User
from masteria.tenancy.service import Principal

KEYWORD_QUOTE = 40  # how much of a keyword reply the reason or proof quotes


def _row(session: Session, contact: Contact, channel: Channel) -> ContactConsent:
    row = session.get(ContactConsent, (contact.id, channel))
    if row is None:
        row = ContactConsent(contact_id=contact.id, channel=channel, company_id=contact.company_id, status="opted_in")
        session.add(row)
    return row


def _append(
    session: Session,
    *,
    contact: Contact,
    channel: Channel,
    status: Literal["opted_in", "opted_out"],
    source: ConsentSource,
    at: datetime,
    actor_user_id: uuid.UUID | None,
    opt_in_source: str | None = None,
    proof: str | None = None,
    reason: str | None = None,
) -> None:
    session.add(
        ConsentEvent(
            company_id=contact.company_id,
            contact_id=contact.id,
            channel=channel,
            status=status,
            source=source,
            opt_in_source=opt_in_source,
            proof=proof,
            reason=reason,
            actor_user_id=actor_user_id,
            created_at=at,
        )
    )
    session.flush()


def record_opt_out(
    session: Session,
    *,
    contact: Contact,
    channel: Channel,
    reason: str | None,
    at: datetime,
    source: ConsentSource,
    actor_user_id: uuid.UUID | None = None,
) -> bool:
    """Opt ``contact`` out of ``channel``, with its event and the ``contact.opted_out`` domain event.
    Idempotent: someone already opted out changes nothing (and is not a new event); returns whether it changed."""
    row = _row(session, contact, channel)
    if row.status == "opted_out" and row.opted_out_at is not None:
        return False
    row.status, row.opted_out_at, row.opt_out_reason = "opted_out", at, reason
    _append(
        session,
        contact=contact,
        channel=channel,
        status="opted_out",
        source=source,
        at=at,
        actor_user_id=actor_user_id,
        reason=reason,
    )
    record_event(
        session,
        company_id=contact.company_id,
        type=EventType.CONTACT_OPTED_OUT,
        data={"contact_id": str(contact.id), "channel": channel},
    )
    return True


def record_opt_in(
    session: Session,
    *,
    contact: Contact,
    channel: Channel,
    at: datetime,
    source: ConsentSource,
    opt_in_source: str | None = None,
    proof: str | None = None,
    actor_user_id: uuid.UUID | None = None,
) -> None:
    """Record an opt-in (it replaces the last one's source and proof) and its event."""
    row = _row(session, contact, channel)
    row.status, row.opted_in_at, row.opt_in_source, row.opt_in_proof = "opted_in", at, opt_in_source, proof
    _append(
        session,
        contact=contact,
        channel=channel,
        status="opted_in",
        source=source,
        at=at,
        actor_user_id=actor_user_id,
        opt_in_source=opt_in_source,
        proof=proof,
    )


def keyword_reply(
    session: Session, *, contact: Contact, channel: Channel, asked: Literal["stop", "opt_in"], text: str, at: datetime
) -> None:
    """The contact wrote one of the company's keywords: a stop keyword opts them out; an opt-in keyword
    takes back only an opt-out they made themselves with a stop keyword (STOP, then START). It never opts in
    a contact who was never asked, nor undoes an opt-out a user recorded (asked on the phone, say): a word
    in a chat is no consent. What they wrote is the opt-out's reason or the opt-in's proof, as written."""
    quoted = text[:KEYWORD_QUOTE]
    if asked == "stop":
        record_opt_out(session, contact=contact, channel=channel, reason=quoted, at=at, source="inbound_keyword")
        return
    row = session.get(ContactConsent, (contact.id, channel))
    if row is None or row.status != "opted_out":
        return
    last = session.scalars(
        select(ConsentEvent)
        .where(ConsentEvent.contact_id == contact.id, ConsentEvent.channel == channel)
        .order_by(ConsentEvent.created_at.desc(), ConsentEvent.id.desc())
        .limit(1)
    ).first()
    if last is not None and last.status == "opted_out" and last.source == "inbound_keyword":
        record_opt_in(session, contact=contact, channel=channel, at=at, source="inbound_keyword", proof=quoted)


def list_consent_events(
    *, session: Session, actor: Principal, contact_id: uuid.UUID, channel: Channel | None, page: PageRequest
) -> Page[ConsentEventRead]:
    """A contact's consent history, newest first (``channel`` keeps one channel's)."""
    contact = get_or_404(session, Contact, contact_id, "contact")
    statement = select(ConsentEvent).where(ConsentEvent.contact_id == contact.id)
    if channel is not None:
        statement = statement.where(ConsentEvent.channel == channel)
    rows, cursor = paginate(session, statement, keys=[ConsentEvent.created_at, ConsentEvent.id], page=page)
    actor_ids = {r.actor_user_id for r in rows if r.actor_user_id is not None}
    names: dict[uuid.UUID, str] = (
        dict(session.execute(select(User.id, User.name).where(User.id.in_(actor_ids))).all()) if actor_ids else {}
    )
    items = [
        ConsentEventRead.model_validate(
            {
                **{k: getattr(r, k) for k in ConsentEventRead.model_fields if k != "actor"},
                "actor": ConsentActor(id=r.actor_user_id, name=names[r.actor_user_id])
                if r.actor_user_id in names
                else None,
            }
        )
        for r in rows
    ]
    return Page[ConsentEventRead](items=items, next_cursor=cursor)
