"""Tags: the company's labels (a name unique per company, a colour) and putting them on contacts."""

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


def tag_contact(*, session: Session, actor: Principal, contact_id: uuid.UUID, tag_id: uuid.UUID) -> ContactRead:
    contact, tag = contact_or_404(session, contact_id), tag_or_404(session, tag_id)
    session.execute(
        insert(ContactTag)
        .values(contact_id=contact.id, tag_id=tag.id, company_id=actor.company_id)
        .on_conflict_do_nothing()
    )
    return read_contact(session, contact)


def untag_contact(*, session: Session, actor: Principal, contact_id: uuid.UUID, tag_id: uuid.UUID) -> ContactRead:
    contact, tag = contact_or_404(session, contact_id), tag_or_404(session, tag_id)
    session.execute(delete(ContactTag).where(ContactTag.contact_id == contact.id, ContactTag.tag_id == tag.id))
    return read_contact(session, contact)
