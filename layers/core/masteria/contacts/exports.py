"""CSV export of a selection or a segment, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
from collections import defaultdict
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.audit import service as audit
from masteria.contacts.csv_safety import safe_cell
from masteria.contacts.models import Contact, ContactTag, CustomFieldDefinition, Tag
from masteria.contacts.schemas import ContactFilter
from masteria.contacts.service import select_contacts
from masteria.tenancy.service import Principal

_BATCH = 2000


def write_csv(*, session: Session, actor: Principal, filters: ContactFilter, out: IO[str]) -> int:
    """Write the contacts ``filters`` selects to ``out``; every cell formula-safe. Returns the row count."""
    keys = list(session.scalars(select(CustomFieldDefinition.key).order_by(CustomFieldDefinition.key)))
    writer = csv.writer(out)
    writer.writerow(
        ["phone", "name", "email", "language", "notes", "tags", "created_at", *(f"custom.{k}" for k in keys)]
    )
    count = 0
    statement = (
        select_contacts(session, filters).order_by(Contact.created_at, Contact.id).execution_options(yield_per=_BATCH)
    )
    for batch in session.scalars(statement).partitions():
        tags: dict[object, list[str]] = defaultdict(list)
        for contact_id, name in session.execute(
            select(ContactTag.contact_id, Tag.name)
            .join(Tag, Tag.id == ContactTag.tag_id)
            .where(ContactTag.contact_id.in_([c.id for c in batch]))
        ):
            tags[contact_id].append(name)
        for c in batch:
            values = [
                c.phone,
                c.name,
                c.email,
                c.language,
                c.notes,
                "|".join(sorted(tags[c.id])),
                c.created_at.isoformat(),
            ]
            values += [c.custom_fields.get(k) for k in keys]
            writer.writerow([safe_cell(v) for v in values])
        count += len(batch)
    audit.record(session, actor=actor, action="contacts.export", count=count, details=filters.model_dump(mode="json"))
    return count
