"""Contacts: create, read, change, delete, search and filter them (a phone unique per company, in E.164).

The CRM's other sections have their modules: ``tags``, ``custom_fields``, ``consent`` (the consent rules, and
the keyword settings), ``consent_history``, ``audience`` (who a campaign may message), ``groups`` (lists,
segments, bulk actions)."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from masteria.contacts import phones, segments
from masteria.contacts.audience import sendable_audience
from masteria.contacts.custom_fields import validate_custom_fields
from masteria.contacts.groups import segment_filter
from masteria.contacts.models import Contact, ContactTag, ContactTerm
from masteria.contacts.reads import contact_or_404, read_contact, read_contacts
from masteria.contacts.schemas import ContactCreate, ContactFilter, ContactRead, ContactUpdate
from masteria.contacts.segments import SegmentFilter
from masteria.errors import Conflict, FieldError, Invalid
from masteria.event_payloads import ContactCreatedPayload, ContactUpdatedPayload
from masteria.events import record_event
from masteria.pagination import Page, PageRequest, paginate
from masteria.tenancy.models import Company, Role
from masteria.tenancy.service import Principal

# with two names of other sections, for campaigns.planner, which imports them from here
__all__ = [
    "create_contact",
    "delete_contact",
    "get_contact",
    "list_contacts",
    "segment_filter",
    "select_contacts",
    "sendable_audience",
    "update_contact",
]


def _region(session: Session, company_id: uuid.UUID) -> str:
    return session.get_one(Company, company_id).default_region


def _normalize_phone(session: Session, company_id: uuid.UUID, raw: str) -> str:
    try:
        return phones.normalize(raw, _region(session, company_id))
    except phones.InvalidPhone as error:
        raise Invalid(str(error), [FieldError("phone", str(error), code="invalid_phone")]) from error


def _duplicate(session: Session, phone: str) -> Conflict:
    existing = session.scalar(select(Contact.id).where(Contact.phone == phone))
    return Conflict(f"contact {existing} already has the phone number {phone}", code="phone_taken")


def create_contact(*, session: Session, actor: Principal, data: ContactCreate) -> ContactRead:
    """Create a contact; its phone is normalized to E.164 and unique in the company (409 names the owner)."""
    phone = _normalize_phone(session, actor.company_id, data.phone)
    contact = Contact(
        company_id=actor.company_id,
        phone=phone,
        name=data.name,
        email=str(data.email) if data.email else None,
        language=data.language,
        notes=data.notes,
        custom_fields=validate_custom_fields(session, data.custom_fields, current={}),
    )
    try:
        with session.begin_nested():
            session.add(contact)
            session.flush()
    except IntegrityError as error:
        raise _duplicate(session, phone) from error
    record_event(session, company_id=actor.company_id, payload=ContactCreatedPayload(contact_id=contact.id))
    session.refresh(contact)
    return read_contact(session, contact)


def get_contact(*, session: Session, actor: Principal, contact_id: uuid.UUID) -> ContactRead:
    return read_contact(session, contact_or_404(session, contact_id))


def update_contact(*, session: Session, actor: Principal, contact_id: uuid.UUID, data: ContactUpdate) -> ContactRead:
    contact = contact_or_404(session, contact_id)
    changes = data.model_dump(exclude_unset=True)
    if "phone" in changes:
        if changes["phone"] is None:
            raise Invalid("a contact needs a phone number", [FieldError("phone", "cannot be null", code="required")])
        changes["phone"] = _normalize_phone(session, actor.company_id, changes["phone"])
    if "custom_fields" in changes:
        changes["custom_fields"] = validate_custom_fields(
            session, changes["custom_fields"] or {}, current=contact.custom_fields
        )
    if "email" in changes and changes["email"] is not None:
        changes["email"] = str(changes["email"])
    changed = sorted(k for k, v in changes.items() if getattr(contact, k) != v)
    for key in changed:
        setattr(contact, key, changes[key])
    if changed:
        try:
            with session.begin_nested():
                session.flush()
        except IntegrityError as error:
            raise _duplicate(session, changes["phone"]) from error
        record_event(
            session,
            company_id=actor.company_id,
            payload=ContactUpdatedPayload(contact_id=contact.id, changed=changed),
        )
        session.refresh(contact)
    return read_contact(session, contact)


def delete_contact(*, session: Session, actor: Principal, contact_id: uuid.UUID) -> None:
    actor.require(Role.ADMIN)
    session.delete(contact_or_404(session, contact_id))


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


_PHONE_PUNCTUATION = frozenset(" +-().")
_EMAIL_ADDRESS = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _matches(session: Session, q: str) -> ColumnElement[bool]:
    """What a search matches, by what was typed: an email address, that contact's email (any case); a phone
    fragment (digits with a phone's punctuation: "(11) 98765"), the phones with those digits in a row; anything
    else, the contacts with, for every word typed, a word of their name or email that begins with it (any case,
    accents folded: "joao" finds "João"), looked up in an index row-level security lets serve. A query's digits
    never match inside a name or an email."""
    q = q.strip()
    if _EMAIL_ADDRESS.fullmatch(q):
        return func.lower(Contact.email) == q.lower()
    digits = "".join(c for c in q if c.isdigit())
    if digits and all(c.isdigit() or c in _PHONE_PUNCTUATION for c in q):
        return Contact.phone.like(_like(digits))
    if not any(c.isalnum() for c in q):  # no word to look up: punctuation only
        return or_(Contact.name.ilike(_like(q)), Contact.email.ilike(_like(q))) if q else false()
    # The words' ranges of terms, folded by the database (as the terms were), given to the query as constants:
    # the planner then knows from its statistics how many contacts each matches, and picks its plan by that.
    ranges = session.execute(text("SELECT lo, hi FROM contact_search_ranges(:q)"), {"q": q}).all()
    with_each_word = (
        Contact.id.in_(select(ContactTerm.contact_id).where(ContactTerm.term >= lo, ContactTerm.term < hi))
        for lo, hi in ranges
    )
    return and_(*with_each_word) if ranges else false()


def select_contacts(session: Session, filters: ContactFilter) -> Select[Contact]:
    """The contacts ``filters`` describe (RLS scopes them to the transaction's company)."""
    statement = select(Contact)
    if filters.q:
        statement = statement.where(_matches(session, filters.q))
    if filters.tag_ids:
        statement = statement.where(
            exists().where(ContactTag.contact_id == Contact.id, ContactTag.tag_id.in_(filters.tag_ids))
        )
    if filters.created_from:
        statement = statement.where(Contact.created_at >= filters.created_from)
    if filters.created_to:
        statement = statement.where(Contact.created_at < filters.created_to)
    if filters.list_id:
        statement = statement.where(segments.condition(SegmentFilter(lists_any=[filters.list_id])))
    if filters.segment:
        statement = statement.where(segments.condition(filters.segment))
    if filters.custom_field:
        if filters.custom_value is None:
            statement = statement.where(Contact.custom_fields.has_key(filters.custom_field))
        else:
            statement = statement.where(Contact.custom_fields[filters.custom_field].astext == filters.custom_value)
    return statement


def list_contacts(
    *, session: Session, actor: Principal, filters: ContactFilter, page: PageRequest, newest_first: bool = True
) -> Page[ContactRead]:
    rows, cursor = paginate(
        session,
        select_contacts(session, filters),
        keys=[Contact.created_at, Contact.id],
        page=page,
        descending=newest_first,
    )
    return Page[ContactRead](items=read_contacts(session, rows), next_cursor=cursor)
