"""Use cases of the CRM: contacts, custom fields, tags, consent, and the one audience builder."""

from __future__ import annotations

import contextlib
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, delete, exists, func, literal, literal_column, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from masteria.audit import service as audit
from masteria.contacts import consent, keywords, phones, segments
from masteria.contacts.models import (
    SEARCH_TEXT,
    Contact,
    ContactConsent,
    ContactList,
    ContactListMember,
    ContactSettings,
    ContactTag,
    CustomFieldDefinition,
    Segment,
    Tag,
)
from masteria.contacts.schemas import (
    BulkAction,
    BulkResult,
    Channel,
    ConsentChange,
    ConsentRead,
    ContactCreate,
    ContactFilter,
    ContactRead,
    ContactSettingsRead,
    ContactSettingsUpdate,
    ContactUpdate,
    CustomFieldCreate,
    CustomFieldRead,
    ListCreate,
    ListRead,
    ListUpdate,
    NameSearch,
    SegmentCreate,
    SegmentRead,
    SegmentUpdate,
    TagCreate,
    TagRead,
    TagUpdate,
)
from masteria.contacts.segments import SegmentFilter
from masteria.db import get_or_404, save_unique
from masteria.errors import Conflict, FieldError, Invalid
from masteria.events import EventType, record_event
from masteria.pagination import Page, PageRequest, paginate
from masteria.ports import Clock
from masteria.tenancy.models import Company, Role
from masteria.tenancy.service import Principal

MAX_TEXT_FIELD = 1000


# ---- custom fields -------------------------------------------------------------------------------


def create_custom_field(*, session: Session, actor: Principal, data: CustomFieldCreate) -> CustomFieldRead:
    actor.require(Role.ADMIN)
    if data.type == "select" and not data.options:
        raise Invalid(
            "a select field needs options", [FieldError("options", "give at least one option", code="options_required")]
        )
    if data.type != "select" and data.options:
        raise Invalid(
            "only select fields have options",
            [FieldError("options", "must be empty for this type", code="options_forbidden")],
        )
    definition = CustomFieldDefinition(
        company_id=actor.company_id, key=data.key, label=data.label, type=data.type, options=data.options
    )
    save_unique(session, definition, f"a custom field with key {data.key!r} already exists", name=data.key)
    return CustomFieldRead.model_validate(definition)


def _search_page(
    session: Session,
    model: type[Tag] | type[ContactList] | type[Segment] | type[CustomFieldDefinition],
    *,
    sort: Any,
    searched: Sequence[Any],
    search: NameSearch,
    page: PageRequest,
) -> tuple[list[Any], str | None]:
    """A page of ``model`` in ``sort`` order (then id; keyset on both), filtered by ``search``: ``q`` as a
    case-insensitive "contains" on any of ``searched`` (LIKE wildcards taken literally), ``ids`` as a set."""
    statement = select(model)
    if search.q:
        statement = statement.where(or_(*(c.icontains(search.q, autoescape=True) for c in searched)))
    if search.ids:
        statement = statement.where(model.id.in_(search.ids))
    return paginate(session, statement, keys=[sort, model.id], page=page, descending=False)


def list_custom_fields(
    *, session: Session, actor: Principal, search: NameSearch, page: PageRequest
) -> Page[CustomFieldRead]:
    """Definitions by label, searched on label and key."""
    rows, cursor = _search_page(
        session,
        CustomFieldDefinition,
        sort=CustomFieldDefinition.sort_label,
        searched=[CustomFieldDefinition.label, CustomFieldDefinition.key],
        search=search,
        page=page,
    )
    return Page[CustomFieldRead](items=[CustomFieldRead.model_validate(r) for r in rows], next_cursor=cursor)


def delete_custom_field(*, session: Session, actor: Principal, field_id: uuid.UUID) -> None:
    """Delete a definition and every contact's value for it."""
    actor.require(Role.ADMIN)
    definition = get_or_404(session, CustomFieldDefinition, field_id, "custom field")
    session.execute(
        update(Contact)
        .where(Contact.custom_fields.has_key(definition.key))
        .values(custom_fields=Contact.custom_fields - definition.key)
    )
    session.delete(definition)


class _BadValue(ValueError):
    """A custom field value that does not fit its definition: what is expected, as text and as a code."""

    def __init__(self, message: str, *, code: str, params: dict[str, str | int] | None = None) -> None:
        super().__init__(message)
        self.code, self.params = code, params or {}


def _coerce(definition: CustomFieldDefinition, value: Any) -> Any:
    """The stored form of ``value`` for ``definition``, or _BadValue saying what is expected."""
    kind = definition.type
    if kind == "text":
        if not isinstance(value, str) or len(value) > MAX_TEXT_FIELD:
            raise _BadValue(
                f"must be text of at most {MAX_TEXT_FIELD} characters",
                code="text_value",
                params={"max": MAX_TEXT_FIELD},
            )
        return value
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _BadValue("must be a number", code="number_value")
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _BadValue("must be true or false", code="boolean_value")
        return value
    if kind == "date":
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                return date.fromisoformat(value).isoformat()
        raise _BadValue("must be a date as YYYY-MM-DD", code="date_value")
    if value not in definition.options:
        options = ", ".join(definition.options)
        raise _BadValue(f"must be one of {options}", code="option_value", params={"options": options})
    return value


def validate_custom_fields(session: Session, values: dict[str, Any], *, current: dict[str, Any]) -> dict[str, Any]:
    """``current`` with ``values`` merged in (``None`` removes a key), every value checked and coerced."""
    definitions = {d.key: d for d in session.scalars(select(CustomFieldDefinition))}
    errors: list[FieldError] = []
    merged = dict(current)
    for key, value in values.items():
        definition = definitions.get(key)
        if definition is None:
            errors.append(FieldError(f"custom_fields.{key}", "no such custom field", code="unknown_custom_field"))
        elif value is None:
            merged.pop(key, None)
        else:
            try:
                merged[key] = _coerce(definition, value)
            except _BadValue as error:
                errors.append(FieldError(f"custom_fields.{key}", str(error), code=error.code, params=error.params))
    if errors:
        raise Invalid("some custom fields are invalid", errors)
    return merged


# ---- contacts ------------------------------------------------------------------------------------


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


def _read_many(session: Session, contacts: Sequence[Contact]) -> list[ContactRead]:
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


def _get(session: Session, contact_id: uuid.UUID) -> Contact:
    return get_or_404(session, Contact, contact_id, "contact")


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
    record_event(
        session, company_id=actor.company_id, type=EventType.CONTACT_CREATED, data={"contact_id": str(contact.id)}
    )
    session.refresh(contact)
    return _read_many(session, [contact])[0]


def get_contact(*, session: Session, actor: Principal, contact_id: uuid.UUID) -> ContactRead:
    return _read_many(session, [_get(session, contact_id)])[0]


def update_contact(*, session: Session, actor: Principal, contact_id: uuid.UUID, data: ContactUpdate) -> ContactRead:
    contact = _get(session, contact_id)
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
            type=EventType.CONTACT_UPDATED,
            data={"contact_id": str(contact.id), "changed": changed},
        )
        session.refresh(contact)
    return _read_many(session, [contact])[0]


def delete_contact(*, session: Session, actor: Principal, contact_id: uuid.UUID) -> None:
    actor.require(Role.ADMIN)
    session.delete(_get(session, contact_id))


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def select_contacts(filters: ContactFilter) -> Select[Contact]:
    """The contacts ``filters`` describe (RLS scopes them to the transaction's company)."""
    statement = select(Contact)
    if filters.q:
        searchable: ColumnElement[str] = literal_column(f"({SEARCH_TEXT})")  # the trigram index expression
        conditions = [searchable.ilike(_like(filters.q))]
        digits = "".join(c for c in filters.q if c.isdigit())
        if digits and digits != filters.q:  # "(11) 9876" finds +55119876…
            conditions.append(searchable.like(_like(digits)))
        statement = statement.where(or_(*conditions))
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
        session, select_contacts(filters), keys=[Contact.created_at, Contact.id], page=page, descending=newest_first
    )
    return Page[ContactRead](items=_read_many(session, rows), next_cursor=cursor)


# ---- tags ----------------------------------------------------------------------------------------


def _get_tag(session: Session, tag_id: uuid.UUID) -> Tag:
    return get_or_404(session, Tag, tag_id, "tag")


def _save_tag(session: Session, tag: Tag) -> TagRead:
    _save_named(session, tag, "tag")
    return TagRead.model_validate(tag)


def create_tag(*, session: Session, actor: Principal, data: TagCreate) -> TagRead:
    return _save_tag(session, Tag(company_id=actor.company_id, name=data.name, color=data.color))


def list_tags(*, session: Session, actor: Principal, search: NameSearch, page: PageRequest) -> Page[TagRead]:
    """Tags by name, searched on the name."""
    rows, cursor = _search_page(session, Tag, sort=Tag.sort_name, searched=[Tag.name], search=search, page=page)
    return Page[TagRead](items=[TagRead.model_validate(t) for t in rows], next_cursor=cursor)


def update_tag(*, session: Session, actor: Principal, tag_id: uuid.UUID, data: TagUpdate) -> TagRead:
    tag = _get_tag(session, tag_id)
    for key, value in data.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(tag, key, value)
    return _save_tag(session, tag)


def delete_tag(*, session: Session, actor: Principal, tag_id: uuid.UUID) -> None:
    actor.require(Role.ADMIN)
    session.delete(_get_tag(session, tag_id))


def tag_contact(*, session: Session, actor: Principal, contact_id: uuid.UUID, tag_id: uuid.UUID) -> ContactRead:
    contact, tag = _get(session, contact_id), _get_tag(session, tag_id)
    session.execute(
        insert(ContactTag)
        .values(contact_id=contact.id, tag_id=tag.id, company_id=actor.company_id)
        .on_conflict_do_nothing()
    )
    return _read_many(session, [contact])[0]


def untag_contact(*, session: Session, actor: Principal, contact_id: uuid.UUID, tag_id: uuid.UUID) -> ContactRead:
    contact, tag = _get(session, contact_id), _get_tag(session, tag_id)
    session.execute(delete(ContactTag).where(ContactTag.contact_id == contact.id, ContactTag.tag_id == tag.id))
    return _read_many(session, [contact])[0]


# ---- consent and audiences -----------------------------------------------------------------------


def set_consent(
    *, session: Session, clock: Clock, actor: Principal, contact_id: uuid.UUID, channel: Channel, data: ConsentChange
) -> ContactRead:
    """Record an opt-in (with its source and proof) or an opt-out (with its reason), and its event."""
    contact = _get(session, contact_id)
    if data.status == "opted_out":
        consent.record_opt_out(
            session,
            contact=contact,
            channel=channel,
            reason=data.reason,
            at=clock.now(),
            source="user",
            actor_user_id=actor.user_id,
        )
    else:
        consent.record_opt_in(
            session,
            contact=contact,
            channel=channel,
            at=clock.now(),
            source="user",
            opt_in_source=data.source,
            proof=data.proof,
            actor_user_id=actor.user_id,
        )
    return _read_many(session, [contact])[0]


def sendable_audience(
    *,
    channel: Channel,
    tag_ids: Sequence[uuid.UUID] = (),
    list_ids: Sequence[uuid.UUID] = (),
    segment_filters: Sequence[SegmentFilter] = (),
    contact_ids: Sequence[uuid.UUID] = (),
) -> Select[uuid.UUID]:
    """THE audience builder: ids of the contacts a campaign may message on ``channel`` — one row per
    contact (so per phone), valid numbers only, never anyone opted out of that channel. Nothing else
    may build an audience. The selectors (tags, lists, segments, ids) add up (any of them); with none it
    selects every sendable contact of the company."""
    statement = select(Contact.id).where(
        Contact.is_valid,
        ~exists().where(
            ContactConsent.contact_id == Contact.id,
            ContactConsent.channel == channel,
            ContactConsent.status == "opted_out",
        ),
    )
    selectors: list[ColumnElement[bool]] = []
    if tag_ids:
        selectors.append(exists().where(ContactTag.contact_id == Contact.id, ContactTag.tag_id.in_(tag_ids)))
    if list_ids:
        selectors.append(segments.condition(SegmentFilter(lists_any=list(list_ids))))
    selectors.extend(segments.condition(f) for f in segment_filters)
    if contact_ids:
        selectors.append(Contact.id.in_(contact_ids))
    if selectors:
        statement = statement.where(or_(*selectors))
    return statement.order_by(Contact.id)


# ---- lists, segments, bulk actions ---------------------------------------------------------------


def _get_list(session: Session, list_id: uuid.UUID) -> ContactList:
    return get_or_404(session, ContactList, list_id, "list")


def _list_read(session: Session, found: ContactList) -> ListRead:
    members = session.scalar(select(func.count()).where(ContactListMember.list_id == found.id)) or 0
    return ListRead(
        id=found.id, name=found.name, description=found.description, member_count=members, created_at=found.created_at
    )


def _save_named(session: Session, row: Tag | ContactList | Segment, kind: str) -> None:
    """Its name is unique per company (ignoring case), so a clash is a 409."""
    save_unique(session, row, f"a {kind} named {row.name!r} already exists", name=row.name)


def create_list(*, session: Session, actor: Principal, data: ListCreate) -> ListRead:
    row = ContactList(company_id=actor.company_id, name=data.name, description=data.description)
    _save_named(session, row, "list")
    return _list_read(session, row)


def list_lists(*, session: Session, actor: Principal, search: NameSearch, page: PageRequest) -> Page[ListRead]:
    """Lists by name with their member counts, searched on the name."""
    rows, cursor = _search_page(
        session, ContactList, sort=ContactList.sort_name, searched=[ContactList.name], search=search, page=page
    )
    return Page[ListRead](items=[_list_read(session, r) for r in rows], next_cursor=cursor)


def get_list(*, session: Session, actor: Principal, list_id: uuid.UUID) -> ListRead:
    return _list_read(session, _get_list(session, list_id))


def update_list(*, session: Session, actor: Principal, list_id: uuid.UUID, data: ListUpdate) -> ListRead:
    row = _get_list(session, list_id)
    for key, value in data.model_dump(exclude_unset=True).items():
        if key == "name" and value is None:
            continue
        setattr(row, key, value)
    _save_named(session, row, "list")
    return _list_read(session, row)


def delete_list(*, session: Session, actor: Principal, list_id: uuid.UUID) -> None:
    """Delete a list (its contacts stay)."""
    actor.require(Role.ADMIN)
    session.delete(_get_list(session, list_id))


def count_matching(session: Session, segment: SegmentFilter) -> int:
    return session.scalar(select(func.count()).select_from(Contact).where(segments.condition(segment))) or 0


def _get_segment(session: Session, segment_id: uuid.UUID) -> Segment:
    return get_or_404(session, Segment, segment_id, "segment")


def _segment_read(session: Session, row: Segment) -> SegmentRead:
    segment = SegmentFilter.model_validate(row.filter)
    return SegmentRead(
        id=row.id,
        name=row.name,
        filter=segment,
        count=count_matching(session, segment),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def create_segment(*, session: Session, actor: Principal, data: SegmentCreate) -> SegmentRead:
    row = Segment(company_id=actor.company_id, name=data.name, filter=data.filter.model_dump(mode="json"))
    _save_named(session, row, "segment")
    return _segment_read(session, row)


def list_segments(*, session: Session, actor: Principal, search: NameSearch, page: PageRequest) -> Page[SegmentRead]:
    """Segments by name, each with its count now, searched on the name."""
    rows, cursor = _search_page(
        session, Segment, sort=Segment.sort_name, searched=[Segment.name], search=search, page=page
    )
    return Page[SegmentRead](items=[_segment_read(session, r) for r in rows], next_cursor=cursor)


def get_segment(*, session: Session, actor: Principal, segment_id: uuid.UUID) -> SegmentRead:
    return _segment_read(session, _get_segment(session, segment_id))


def segment_filter(*, session: Session, segment_id: uuid.UUID) -> SegmentFilter:
    """A saved segment's filter (for exports, campaigns and the contact list)."""
    return SegmentFilter.model_validate(_get_segment(session, segment_id).filter)


def update_segment(*, session: Session, actor: Principal, segment_id: uuid.UUID, data: SegmentUpdate) -> SegmentRead:
    row = _get_segment(session, segment_id)
    if data.name is not None:
        row.name = data.name
    if data.filter is not None:
        row.filter = data.filter.model_dump(mode="json")
    _save_named(session, row, "segment")
    return _segment_read(session, row)


def delete_segment(*, session: Session, actor: Principal, segment_id: uuid.UUID) -> None:
    session.delete(_get_segment(session, segment_id))


def bulk_action(*, session: Session, actor: Principal, data: BulkAction) -> BulkResult:
    """Tag, untag, add to or remove from a list every selected contact, in one statement; audited."""
    if (data.contact_ids is None) == (data.filter is None):
        raise Invalid(
            "choose the contacts",
            [FieldError("contact_ids", "give either contact_ids or filter", code="ids_or_filter")],
        )
    if data.filter is not None:
        actor.require(Role.ADMIN)  # everything matching a filter can be the whole company
        chosen = segments.condition(data.filter)
    else:
        chosen = Contact.id.in_(data.contact_ids or [])
    selection = select(Contact.id, Contact.company_id).where(chosen)
    matched = session.scalar(select(func.count()).select_from(selection.subquery())) or 0
    if data.action in ("tag", "untag"):
        target_type, target_id = "tag", _get_tag(session, data.target_id).id
        if data.action == "tag":
            result = session.execute(
                insert(ContactTag)
                .from_select(["contact_id", "company_id", "tag_id"], selection.add_columns(literal(target_id)))
                .on_conflict_do_nothing()
            )
        else:
            result = session.execute(
                delete(ContactTag).where(
                    ContactTag.tag_id == target_id, ContactTag.contact_id.in_(selection.with_only_columns(Contact.id))
                )
            )
    else:
        target_type, target_id = "list", _get_list(session, data.target_id).id
        if data.action == "add_to_list":
            result = session.execute(
                insert(ContactListMember)
                .from_select(["contact_id", "company_id", "list_id"], selection.add_columns(literal(target_id)))
                .on_conflict_do_nothing()
            )
        else:
            result = session.execute(
                delete(ContactListMember).where(
                    ContactListMember.list_id == target_id,
                    ContactListMember.contact_id.in_(selection.with_only_columns(Contact.id)),
                )
            )
    changed = int(result.rowcount or 0)  # type: ignore[attr-defined]
    audit.record(
        session,
        actor=actor,
        action=f"contacts.bulk.{data.action}",
        count=changed,
        target_type=target_type,
        target_id=target_id,
        details={"matched": matched, "by": "filter" if data.filter is not None else "ids"},
    )
    return BulkResult(matched=matched, changed=changed)


# ---- consent keywords ----------------------------------------------------------------------------


def get_settings(*, session: Session, actor: Principal) -> ContactSettingsRead:
    return company_settings(session, actor.company_id)


def company_settings(session: Session, company_id: uuid.UUID) -> ContactSettingsRead:
    """The company's stop and opt-in keywords (the defaults until it changes them)."""
    row = session.get(ContactSettings, company_id)
    if row is None:
        return ContactSettingsRead(
            stop_keywords=list(keywords.DEFAULT_STOP_KEYWORDS), opt_in_keywords=list(keywords.DEFAULT_OPT_IN_KEYWORDS)
        )
    return ContactSettingsRead.model_validate(row)


def update_settings(*, session: Session, actor: Principal, data: ContactSettingsUpdate) -> ContactSettingsRead:
    """Change the company's opt-out / opt-in keywords (admin and up). A word cannot be both."""
    actor.require(Role.ADMIN)
    current = get_settings(session=session, actor=actor)
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


def classify_inbound(session: Session, *, company_id: uuid.UUID, text: str) -> Literal["stop", "opt_in"] | None:
    """What an inbound message asks for, with the company's keywords (the inbound pipeline calls this)."""
    row = session.get(ContactSettings, company_id)
    stop = row.stop_keywords if row else keywords.DEFAULT_STOP_KEYWORDS
    opt_in = row.opt_in_keywords if row else keywords.DEFAULT_OPT_IN_KEYWORDS
    if keywords.is_stop_request(text, stop):
        return "stop"
    if keywords.is_opt_in(text, opt_in):
        return "opt_in"
    return None
