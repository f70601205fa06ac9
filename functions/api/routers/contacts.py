"""Contacts, their tags and consent; tags; custom field definitions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from functions.api.deps import CallerDep, ContainerDep, PageDep, SearchDep
from functions.api.error_docs import problems
from masteria.contacts import consent, consent_history, custom_fields, groups, service, tags
from masteria.contacts.schemas import (
    Channel,
    ConsentChange,
    ConsentEventRead,
    ContactCreate,
    ContactFilter,
    ContactRead,
    ContactSettingsRead,
    ContactSettingsUpdate,
    ContactUpdate,
    CustomFieldCreate,
    CustomFieldRead,
    TagCreate,
    TagRead,
    TagUpdate,
)
from masteria.pagination import Page

router = APIRouter(prefix="/v1", tags=["contacts"])


@router.get("/contacts/settings", response_model=ContactSettingsRead)
def get_settings(caller: CallerDep) -> ContactSettingsRead:
    """The company's opt-out and opt-in keywords (whole message, ignoring case and accents)."""
    return consent.get_settings(session=caller.session, actor=caller.principal)


@router.put("/contacts/settings", responses=problems(403), response_model=ContactSettingsRead)
def update_settings(body: ContactSettingsUpdate, caller: CallerDep) -> ContactSettingsRead:
    """Change the keywords (admin and up)."""
    return consent.update_settings(session=caller.session, actor=caller.principal, data=body)


@router.get("/contacts", response_model=Page[ContactRead])
def list_contacts(
    *,
    caller: CallerDep,
    page: PageDep,
    q: Annotated[str | None, Query(max_length=200, description="search name, phone and email")] = None,
    tag_id: Annotated[list[uuid.UUID], Query(description="contacts with any of these tags")] = [],  # noqa: B006
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    custom_field: Annotated[str | None, Query(max_length=64, description="a custom field key")] = None,
    custom_value: Annotated[str | None, Query(max_length=200, description="its value (omit: has the field)")] = None,
    list_id: Annotated[uuid.UUID | None, Query(description="members of this list")] = None,
    segment_id: Annotated[uuid.UUID | None, Query(description="contacts matching this segment now")] = None,
    order: Literal["newest", "oldest"] = "newest",
) -> Page[ContactRead]:
    """The company's contacts, filtered and searched, cursor-paginated."""
    segment = groups.segment_filter(session=caller.session, segment_id=segment_id) if segment_id else None
    filters = ContactFilter(
        list_id=list_id,
        segment=segment,
        q=q,
        tag_ids=tag_id,
        created_from=created_from,
        created_to=created_to,
        custom_field=custom_field,
        custom_value=custom_value,
    )
    return service.list_contacts(
        session=caller.session, actor=caller.principal, filters=filters, page=page, newest_first=order == "newest"
    )


@router.post("/contacts", responses=problems(409), status_code=status.HTTP_201_CREATED, response_model=ContactRead)
def create_contact(body: ContactCreate, caller: CallerDep) -> ContactRead:
    """Create a contact; the phone is normalized to E.164 with the company's default region (409 on a duplicate)."""
    return service.create_contact(session=caller.session, actor=caller.principal, data=body)


@router.get("/contacts/{contact_id}", response_model=ContactRead)
def get_contact(contact_id: uuid.UUID, caller: CallerDep) -> ContactRead:
    return service.get_contact(session=caller.session, actor=caller.principal, contact_id=contact_id)


@router.patch("/contacts/{contact_id}", responses=problems(409), response_model=ContactRead)
def update_contact(contact_id: uuid.UUID, body: ContactUpdate, caller: CallerDep) -> ContactRead:
    """Change some fields; custom_fields are merged (a null value removes that field)."""
    return service.update_contact(session=caller.session, actor=caller.principal, contact_id=contact_id, data=body)


@router.delete("/contacts/{contact_id}", responses=problems(403), status_code=status.HTTP_204_NO_CONTENT)
def delete_contact(contact_id: uuid.UUID, caller: CallerDep) -> None:
    """Delete a contact (admin and up)."""
    service.delete_contact(session=caller.session, actor=caller.principal, contact_id=contact_id)


@router.put("/contacts/{contact_id}/tags/{tag_id}", response_model=ContactRead)
def tag_contact(contact_id: uuid.UUID, tag_id: uuid.UUID, caller: CallerDep) -> ContactRead:
    """Add a tag to a contact (idempotent)."""
    return tags.tag_contact(session=caller.session, actor=caller.principal, contact_id=contact_id, tag_id=tag_id)


@router.delete("/contacts/{contact_id}/tags/{tag_id}", response_model=ContactRead)
def untag_contact(contact_id: uuid.UUID, tag_id: uuid.UUID, caller: CallerDep) -> ContactRead:
    """Remove a tag from a contact (idempotent)."""
    return tags.untag_contact(session=caller.session, actor=caller.principal, contact_id=contact_id, tag_id=tag_id)


@router.put("/contacts/{contact_id}/consent/{channel}", response_model=ContactRead)
def set_consent(
    contact_id: uuid.UUID, channel: Channel, body: ConsentChange, caller: CallerDep, container: ContainerDep
) -> ContactRead:
    """Record an opt-in (source, proof) or an opt-out (reason) for one channel."""
    return consent.set_consent(
        session=caller.session,
        clock=container.clock,
        actor=caller.principal,
        contact_id=contact_id,
        channel=channel,
        data=body,
    )


@router.get("/contacts/{contact_id}/consent-events", response_model=Page[ConsentEventRead])
def list_consent_events(
    contact_id: uuid.UUID, caller: CallerDep, page: PageDep, channel: Channel | None = None
) -> Page[ConsentEventRead]:
    """The contact's consent history, newest first: each opt-in and opt-out, how it came and who made it."""
    return consent_history.list_consent_events(
        session=caller.session, actor=caller.principal, contact_id=contact_id, channel=channel, page=page
    )


@router.get("/tags", response_model=Page[TagRead])
def list_tags(caller: CallerDep, search: SearchDep, page: PageDep) -> Page[TagRead]:
    """Tags by name, searched with `q` (part of the name), cursor-paginated."""
    return tags.list_tags(session=caller.session, actor=caller.principal, search=search, page=page)


@router.post("/tags", responses=problems(409), status_code=status.HTTP_201_CREATED, response_model=TagRead)
def create_tag(body: TagCreate, caller: CallerDep) -> TagRead:
    """Create a tag (names are unique per company, ignoring case)."""
    return tags.create_tag(session=caller.session, actor=caller.principal, data=body)


@router.patch("/tags/{tag_id}", responses=problems(409), response_model=TagRead)
def update_tag(tag_id: uuid.UUID, body: TagUpdate, caller: CallerDep) -> TagRead:
    return tags.update_tag(session=caller.session, actor=caller.principal, tag_id=tag_id, data=body)


@router.delete("/tags/{tag_id}", responses=problems(403), status_code=status.HTTP_204_NO_CONTENT)
def delete_tag(tag_id: uuid.UUID, caller: CallerDep) -> None:
    """Delete a tag and remove it from every contact (admin and up)."""
    tags.delete_tag(session=caller.session, actor=caller.principal, tag_id=tag_id)


@router.get("/custom-fields", response_model=Page[CustomFieldRead])
def list_custom_fields(caller: CallerDep, search: SearchDep, page: PageDep) -> Page[CustomFieldRead]:
    """Custom field definitions by label, searched with `q` (part of the label or key), cursor-paginated."""
    return custom_fields.list_custom_fields(session=caller.session, actor=caller.principal, search=search, page=page)


@router.post(
    "/custom-fields", responses=problems(403, 409), status_code=status.HTTP_201_CREATED, response_model=CustomFieldRead
)
def create_custom_field(body: CustomFieldCreate, caller: CallerDep) -> CustomFieldRead:
    """Define a custom field (admin and up): text, number, date, boolean or select."""
    return custom_fields.create_custom_field(session=caller.session, actor=caller.principal, data=body)


@router.delete("/custom-fields/{field_id}", responses=problems(403), status_code=status.HTTP_204_NO_CONTENT)
def delete_custom_field(field_id: uuid.UUID, caller: CallerDep) -> None:
    """Delete a custom field and every contact's value for it (admin and up)."""
    custom_fields.delete_custom_field(session=caller.session, actor=caller.principal, field_id=field_id)
