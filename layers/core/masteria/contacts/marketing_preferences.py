"""Meta's ``user_preferences`` webhooks: a contact stopped or resumed marketing messages from the business in
WhatsApp itself. That is the contact's WhatsApp consent (what campaigns read); what each does is the consent
rules' (``consent.whatsapp_preference``). Here: reading Meta's value, and finding the contact (one we did not
know yet is created, so that an opt-out holds when they are imported later). A redelivery changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from masteria.channels.models import ChannelConnection
from masteria.contacts import consent
from masteria.contacts.models import Contact
from masteria.event_payloads import ContactCreatedPayload
from masteria.events import record_event
from masteria.observability import logger

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
        record_event(session, company_id=connection.company_id, payload=ContactCreatedPayload(contact_id=row[0]))
    return session.get_one(Contact, row[0])


def apply_preferences(session: Session, connection: ChannelConnection, value: dict[str, Any]) -> int:
    """Apply each marketing preference of a ``user_preferences`` value (``consent.whatsapp_preference``);
    returns how many changed consent."""
    names = {str(c.get("wa_id")): (c.get("profile") or {}).get("name") for c in value.get("contacts") or []}
    changed = 0
    for item in value.get("user_preferences") or []:
        preference = Preference.model_validate(item)
        choice = preference.value.lower()
        if preference.category != MARKETING or choice not in ("stop", "resume"):
            logger.info("meta user preference ignored", extra={"category": preference.category[:64]})
            continue
        contact = _contact(session, connection, preference.wa_id, names.get(preference.wa_id))
        changed += consent.whatsapp_preference(
            session,
            contact=contact,
            choice="stop" if choice == "stop" else "resume",
            detail=preference.detail,
            at=_at(preference.timestamp),
        )
    return changed
