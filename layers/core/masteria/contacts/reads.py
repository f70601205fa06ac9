"""A contact as the API reads it (with its tags and consents), for every use case that answers with contacts."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.contacts.models import Contact, ContactConsent, ContactTag, Tag
from masteria.contacts.schemas import ConsentRead, ContactRead, TagRead
from masteria.db import get_or_404


def contact_or_404(session: Session, contact_id: uuid.UUID) -> Contact:
    return get_or_404(session, Contact, contact_id, "contact")


def read_contacts(session: Session, contacts: Sequence[Contact]) -> list[ContactRead]:
    """``contacts`` with their tags (by name) and consents (by channel), in two queries for the lot."""
    ids = [c.id for c in contacts]
    tags: dict[uuid.UUID, list[TagRead]] = defaultdict(list)
    consents: dict[uuid.UUID, list[ConsentRead]] = defaultdict(list)
    if ids:
        for contact_id, tag in session.execute(
            select(ContactTag.contact_id, Tag)
            .join(Tag, Tag.id == ContactTag.tag_id)
            .where(ContactTag.contact_id.in_(ids))
        ):
            tags[contact_id].append(TagRead.model_validate(tag))
        for consent in session.scalars(select(ContactConsent).where(ContactConsent.contact_id.in_(ids))):
            consents[consent.contact_id].append(ConsentRead.model_validate(consent))
    return [
        ContactRead.model_validate(
            {
                **{k: getattr(c, k) for k in ContactRead.model_fields if k not in ("tags", "consents")},
                "tags": sorted(tags[c.id], key=lambda t: t.name.lower()),
                "consents": sorted(consents[c.id], key=lambda x: x.channel),
            }
        )
        for c in contacts
    ]


def read_contact(session: Session, contact: Contact) -> ContactRead:
    return read_contacts(session, [contact])[0]
