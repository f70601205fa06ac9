"""Meta's ``user_preferences`` webhooks: a contact stopped or resumed marketing messages from the business in
WhatsApp itself. That is the contact's WhatsApp consent (what campaigns read), changed through the one
consent function with the source ``whatsapp_preferences``:

- ``stop`` opts the contact out of WhatsApp (a contact we did not know yet is created, so that the opt-out
  holds when they are imported later); Meta's description is the reason.
- ``resume`` takes back only an opt-out that came from WhatsApp's own setting: it never undoes an opt-out a
  user recorded or a stop keyword, and never opts in a contact who was never asked.
- A redelivery changes nothing (an opt-out is idempotent; a resume finds the contact opted in).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from masteria.channels.models import ChannelConnection
from masteria.contacts import consent
from masteria.contacts.models import ConsentEvent, Contact, ContactConsent
from masteria.events import EventType, record_event
from masteria.observability import logger

SOURCE: Final[Literal["whatsapp_preferences"]] = "whatsapp_preferences"
MARKETING = "marketing_messages"


class Preference(BaseModel):
    model_config = ConfigDict(extra="allow")

    wa_id: str = Field(pattern=r"^\d{6,15}$")
    category: str = Field(max_length=64)
    value: str = Field(max_length=32)
    detail: str | None = Field(default=None, max_length=500)
    timestamp: int | str | None = None


class PreferencesValue(BaseModel):
    """The shape of a ``user_preferences`` value (the spec's: contacts, and one item per preference)."""

    model_config = ConfigDict(extra="allow")

    contacts: list[dict[str, Any]] | None = None
    user_preferences: list[Preference] = Field(max_length=1000)


def _at(value: Any) -> datetime:
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (TypeError, ValueError):
        return datetime.now(UTC)


def _contact(session: Session, connection: ChannelConnection, wa_id: str, name: str | None) -> Contact:
    row = session.execute(
        insert(Contact)
        .values(company_id=connection.company_id, phone=f"+{wa_id}", name=(name or None) and name[:200])
        .on_conflict_do_update(
            index_elements=["company_id", "phone"], set_={"name": text("COALESCE(contacts.name, excluded.name)")}
        )
        .returning(Contact.id, text("(xmax = 0)"))
    ).one()
    if row[1]:
        record_event(
            session, company_id=connection.company_id, type=EventType.CONTACT_CREATED, data={"contact_id": str(row[0])}
        )
    return session.get_one(Contact, row[0])


def _last_event(session: Session, contact: Contact) -> ConsentEvent | None:
    return session.scalars(
        select(ConsentEvent)
        .where(ConsentEvent.contact_id == contact.id, ConsentEvent.channel == "whatsapp")
        .order_by(ConsentEvent.created_at.desc(), ConsentEvent.id.desc())
        .limit(1)
    ).first()


def apply_preferences(session: Session, connection: ChannelConnection, value: dict[str, Any]) -> int:
    """Apply each marketing preference of a ``user_preferences`` value; returns how many changed consent.
    A preference older than the contact's last consent change (a late redelivery) changes nothing."""
    names = {str(c.get("wa_id")): (c.get("profile") or {}).get("name") for c in value.get("contacts") or []}
    changed = 0
    for item in value.get("user_preferences") or []:
        preference = Preference.model_validate(item)
        choice = preference.value.lower()
        if preference.category != MARKETING or choice not in ("stop", "resume"):
            logger.info("meta user preference ignored", extra={"category": preference.category[:64]})
            continue
        contact = _contact(session, connection, preference.wa_id, names.get(preference.wa_id))
        at = _at(preference.timestamp)
        last = _last_event(session, contact)
        if last is not None and last.created_at >= at:
            continue
        if choice == "stop":
            reason = preference.detail or "stopped marketing messages in WhatsApp"
            changed += consent.record_opt_out(
                session, contact=contact, channel="whatsapp", reason=reason, at=at, source=SOURCE
            )
            continue
        state = session.get(ContactConsent, (contact.id, "whatsapp"))
        if state is not None and state.status == "opted_out" and last is not None and last.source == SOURCE:
            consent.record_opt_in(
                session,
                contact=contact,
                channel="whatsapp",
                at=at,
                source=SOURCE,
                opt_in_source="WhatsApp",
                proof=preference.detail,
            )
            changed += 1
    return changed
