"""Tags: the company's labels (a name unique per company, a colour) and putting them on contacts. Putting a tag on
one contact or taking it off (by hand, the API, an automation rule) records ``contact.tag_added`` /
``contact.tag_removed`` when it changed something; bulk actions and imports record none (one event per contact of
a million-row import would flood every consumer)."""

from __future__ import annotations

import uuid

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from masteria.contacts.models import ContactTag, Tag
from masteria.contacts.named import save_named, search_page
from masteria.contacts.reads import contact_or_404, read_contact
from masteria.contacts.schemas import ContactRead, NameSearch, TagCreate, TagRead, TagUpdate
from masteria.db import get_or_404
from masteria.event_payloads import ContactTagAddedPayload, ContactTagRemovedPayload
from masteria.events import record_event
from masteria.pagination import Page, PageRequest
from masteria.tenancy.models import Role
from masteria.tenancy.service import Principal


def tag_or_404(session: Session, tag_id: uuid.UUID) -> Tag:
    return get_or_404(session, Tag, tag_id, "tag")


def _save(session: Session, tag: Tag) -> TagRead:
    save_named(session, tag, "tag")
    return TagRead.model_validate(tag)


def create_tag(*, session: Session, actor: Principal, data: TagCreate) -> TagRead:
    return _save(session, Tag(company_id=actor.company_id, name=data.name, color=data.color))


def list_tags(*, session: Session, actor: Principal, search: NameSearch, page: PageRequest) -> Page[TagRead]:
    """Tags by name, searched on the name."""
    rows, cursor = search_page(session, Tag, sort=Tag.sort_name, searched=[Tag.name], search=search, page=page)
    return Page[TagRead](items=[TagRead.model_validate(t) for t in rows], next_cursor=cursor)


def update_tag(*, session: Session, actor: Principal, tag_id: uuid.UUID, data: TagUpdate) -> TagRead:
    tag = tag_or_404(session, tag_id)
    for key, value in data.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(tag, key, value)
    return _save(session, tag)


def delete_tag(*, session: Session, actor: Principal, tag_id: uuid.UUID) -> None:
    actor.require(Role.ADMIN)
    session.delete(tag_or_404(session, tag_id))


def add_tag(session: Session, *, company_id: uuid.UUID, contact_id: uuid.UUID, tag_id: uuid.UUID) -> bool:
    """Put the tag (both rows exist) on the contact; whether it was not there yet (then ``contact.tag_added``)."""
    added = session.execute(
        insert(ContactTag)
        .values(contact_id=contact_id, tag_id=tag_id, company_id=company_id)
        .on_conflict_do_nothing()
        .returning(ContactTag.tag_id)
    ).first()
    if added is not None:
        record_event(session, company_id=company_id, payload=ContactTagAddedPayload(contact_id=contact_id,
                                                                                     tag_id=tag_id))  # fmt: skip
    return added is not None


def remove_tag(session: Session, *, company_id: uuid.UUID, contact_id: uuid.UUID, tag_id: uuid.UUID) -> bool:
    """Take the tag off the contact; whether it was there (then ``contact.tag_removed``)."""
    removed = session.execute(
        delete(ContactTag)
        .where(ContactTag.contact_id == contact_id, ContactTag.tag_id == tag_id)
        .returning(ContactTag.tag_id)
    ).first()
    if removed is not None:
        record_event(session, company_id=company_id, payload=ContactTagRemovedPayload(contact_id=contact_id,
                                                                                       tag_id=tag_id))  # fmt: skip
    return removed is not None


def tag_contact(*, session: Session, actor: Principal, contact_id: uuid.UUID, tag_id: uuid.UUID) -> ContactRead:
    contact, tag = contact_or_404(session, contact_id), tag_or_404(session, tag_id)
    add_tag(session, company_id=actor.company_id, contact_id=contact.id, tag_id=tag.id)
    return read_contact(session, contact)


def untag_contact(*, session: Session, actor: Principal, contact_id: uuid.UUID, tag_id: uuid.UUID) -> ContactRead:
    contact, tag = contact_or_404(session, contact_id), tag_or_404(session, tag_id)
    remove_tag(session, company_id=actor.company_id, contact_id=contact.id, tag_id=tag.id)
    return read_contact(session, contact)
