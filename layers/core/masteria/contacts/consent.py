"""Consent: THE rules of who may be messaged on a channel and of what changes it. Everything that reads or
changes a contact's consent asks this module: the audience builder and the send path (``opted_out``,
``is_opted_out``), the consent endpoint (a user's change), the inbound pipeline (the contact's own keywords) and Meta's
``user_preferences`` webhooks (WhatsApp's own setting).

- **Who may be messaged**: a contact with a valid number who is not opted out of that channel.
- **A user** (the API or the dashboard) opts a contact in (with the opt-in's source and proof) or out (with
  its reason); a user's opt-out is undone only by a user.
- **The contact's own message** matching one of the company's keywords (the whole message, ignoring case,
  accents and surrounding punctuation): a stop keyword opts them out, and is no reply to a campaign; an
  opt-in keyword takes back only an opt-out they made themselves with a stop keyword (STOP, then START). It
  never opts in a contact who was never asked: a word in a chat is no consent. What they wrote is the
  opt-out's reason or the opt-in's proof.
- **WhatsApp's own preference** (the contact stopped or resumed marketing messages in WhatsApp): a stop opts
  them out of WhatsApp, with Meta's description as the reason; a resume takes back only an opt-out that came
  from that setting. One older than the contact's last consent change (a late redelivery) changes nothing.

Each change moves the current state (``ContactConsent``, what the send path reads) and appends its event to
the history (``ConsentEvent``) in the same transaction; an opt-out also records ``contact.opted_out``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Final, Literal

from sqlalchemy import ColumnElement, exists, func, literal, select
from sqlalchemy.dialects.postgresql import UUID, insert
from sqlalchemy.orm import InstrumentedAttribute, Session

from masteria.contacts import keywords
from masteria.contacts.models import ConsentEvent, Contact, ContactConsent, ContactSettings
from masteria.contacts.reads import contact_or_404, read_contact
from masteria.contacts.schemas import (
    Channel,
    ConsentChange,
    ConsentSource,
    ContactRead,
    ContactSettingsRead,
    ContactSettingsUpdate,
)
from masteria.errors import FieldError, Invalid
from masteria.event_payloads import ContactOptedInPayload, ContactOptedOutPayload
from masteria.events import record_event
from masteria.ports import Clock
from masteria.tenancy.models import Role
from masteria.tenancy.service import Principal

KEYWORD_QUOTE = 40  # how much of a keyword reply the reason or proof quotes
WHATSAPP_PREFERENCES: Final[Literal["whatsapp_preferences"]] = "whatsapp_preferences"

Asked = Literal["stop", "opt_in"]


# ---- who may be messaged -------------------------------------------------------------------------


def opted_out(
    channel: Channel,
    contact_id: InstrumentedAttribute[uuid.UUID] | InstrumentedAttribute[uuid.UUID | None] | ColumnElement[uuid.UUID],
) -> ColumnElement[bool]:
    """The SQL condition "the contact ``contact_id`` is opted out of ``channel``": whoever selects contacts to
    message (the audience, the sender's last check before a send) keeps those out with it."""
    return exists().where(
        ContactConsent.contact_id == contact_id,
        ContactConsent.channel == channel,
        ContactConsent.status == "opted_out",
    )


def is_opted_out(session: Session, contact_id: uuid.UUID, channel: Channel) -> bool:
    """Whether one contact is opted out of ``channel`` (``opted_out``'s rule): the send path's check of a
    single message (a reply, a cadence step, an AI reply)."""
    return bool(session.scalar(select(opted_out(channel, literal(contact_id, type_=UUID(as_uuid=True))))))


# ---- the one way consent changes -----------------------------------------------------------------


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
        payload=ContactOptedOutPayload(contact_id=contact.id, channel=channel),
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
    """Record an opt-in (it replaces the last one's source and proof), its event and the ``contact.opted_in``
    domain event (an SMS opt-in takes the number off the company's AWS opt-out lists)."""
    row = _row(session, contact, channel)
    row.status, row.opted_in_at, row.opt_in_source, row.opt_in_proof = "opted_in", at, opt_in_source, proof
    record_event(
        session,
        company_id=contact.company_id,
        payload=ContactOptedInPayload(contact_id=contact.id, channel=channel),
    )
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


def _takes_back(session: Session, contact: Contact, channel: Channel, source: ConsentSource) -> bool:
    """Whether an opt-in from ``source`` may undo the contact's opt-out: only one ``source`` made itself."""
    row = session.get(ContactConsent, (contact.id, channel))
    if row is None or row.status != "opted_out":
        return False
    last = _last_event(session, contact, channel)
    return last is not None and last.status == "opted_out" and last.source == source


def _last_event(session: Session, contact: Contact, channel: Channel) -> ConsentEvent | None:
    return session.scalars(
        select(ConsentEvent)
        .where(ConsentEvent.contact_id == contact.id, ConsentEvent.channel == channel)
        .order_by(ConsentEvent.created_at.desc(), ConsentEvent.id.desc())
        .limit(1)
    ).first()


# ---- a user --------------------------------------------------------------------------------------


def set_consent(
    *, session: Session, clock: Clock, actor: Principal, contact_id: uuid.UUID, channel: Channel, data: ConsentChange
) -> ContactRead:
    """Record a user's opt-in (with its source and proof) or opt-out (with its reason), and its event."""
    contact = contact_or_404(session, contact_id)
    if data.status == "opted_out":
        record_opt_out(
            session,
            contact=contact,
            channel=channel,
            reason=data.reason,
            at=clock.now(),
            source="user",
            actor_user_id=actor.user_id,
        )
    else:
        record_opt_in(
            session,
            contact=contact,
            channel=channel,
            at=clock.now(),
            source="user",
            opt_in_source=data.source,
            proof=data.proof,
            actor_user_id=actor.user_id,
        )
    return read_contact(session, contact)


# ---- the contact's own keywords ------------------------------------------------------------------


def company_keywords(session: Session, company_id: uuid.UUID) -> ContactSettingsRead:
    """The company's stop and opt-in keywords (the defaults until it changes them)."""
    row = session.get(ContactSettings, company_id)
    if row is None:
        return ContactSettingsRead(
            stop_keywords=list(keywords.DEFAULT_STOP_KEYWORDS), opt_in_keywords=list(keywords.DEFAULT_OPT_IN_KEYWORDS)
        )
    return ContactSettingsRead.model_validate(row)


def get_settings(*, session: Session, actor: Principal) -> ContactSettingsRead:
    return company_keywords(session, actor.company_id)


def update_settings(*, session: Session, actor: Principal, data: ContactSettingsUpdate) -> ContactSettingsRead:
    """Change the company's opt-out / opt-in keywords (admin and up). A word cannot be both."""
    actor.require(Role.ADMIN)
    current = company_keywords(session, actor.company_id)
    stop = data.stop_keywords if data.stop_keywords is not None else current.stop_keywords
    opt_in = data.opt_in_keywords if data.opt_in_keywords is not None else current.opt_in_keywords
    both = {keywords.fold(k) for k in stop} & {keywords.fold(k) for k in opt_in}
    if both:
        raise Invalid(
            "a keyword cannot both opt out and opt in",
            [
                FieldError(
                    "opt_in_keywords",
                    str(sorted(both)),
                    code="keywords_both",
                    params={"keywords": ", ".join(sorted(both))},
                )
            ],
        )
    session.execute(
        insert(ContactSettings)
        .values(company_id=actor.company_id, stop_keywords=stop, opt_in_keywords=opt_in)
        .on_conflict_do_update(
            index_elements=[ContactSettings.company_id],
            set_={"stop_keywords": stop, "opt_in_keywords": opt_in, "updated_at": func.now()},
        )
    )
    return ContactSettingsRead(stop_keywords=stop, opt_in_keywords=opt_in)


def classify_inbound(session: Session, *, company_id: uuid.UUID, text: str) -> Asked | None:
    """What an inbound text asks for, with the company's keywords (``None``: it is no keyword)."""
    settings = company_keywords(session, company_id)
    if keywords.is_stop_request(text, settings.stop_keywords):
        return "stop"
    if keywords.is_opt_in(text, settings.opt_in_keywords):
        return "opt_in"
    return None


def is_campaign_reply(asked: Asked | None) -> bool:
    """Whether an inbound message counts as a reply to the campaigns that messaged the contact: an opt-out is
    the opposite of one (it neither stamps ``replied_at`` nor moves a campaign's reply count)."""
    return asked != "stop"


def keyword_reply(
    session: Session, *, contact: Contact, channel: Channel, asked: Asked, text: str, at: datetime
) -> None:
    """The contact wrote one of the company's keywords: a stop keyword opts them out; an opt-in keyword
    takes back only an opt-out they made themselves with a stop keyword. What they wrote, as written, is the
    opt-out's reason or the opt-in's proof."""
    quoted = text[:KEYWORD_QUOTE]
    if asked == "stop":
        record_opt_out(session, contact=contact, channel=channel, reason=quoted, at=at, source="inbound_keyword")
    elif _takes_back(session, contact, channel, "inbound_keyword"):
        record_opt_in(session, contact=contact, channel=channel, at=at, source="inbound_keyword", proof=quoted)


# ---- WhatsApp's own preference -------------------------------------------------------------------


def whatsapp_preference(
    session: Session, *, contact: Contact, choice: Literal["stop", "resume"], detail: str | None, at: datetime
) -> bool:
    """The contact stopped or resumed marketing messages from the company in WhatsApp itself; returns whether
    their consent changed. A preference older than their last consent change (a late redelivery) changes
    nothing; a resume takes back only an opt-out that came from this setting."""
    last = _last_event(session, contact, "whatsapp")
    if last is not None and last.created_at >= at:
        return False
    if choice == "stop":
        reason = detail or "stopped marketing messages in WhatsApp"
        return record_opt_out(
            session, contact=contact, channel="whatsapp", reason=reason, at=at, source=WHATSAPP_PREFERENCES
        )
    if not _takes_back(session, contact, "whatsapp", WHATSAPP_PREFERENCES):
        return False
    record_opt_in(
        session,
        contact=contact,
        channel="whatsapp",
        at=at,
        source=WHATSAPP_PREFERENCES,
        opt_in_source="WhatsApp",
        proof=detail,
    )
    return True
