"""Use cases of local templates: CRUD with checked variables, and a preview for a contact."""

from __future__ import annotations

import uuid

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from masteria.contacts.models import CustomFieldDefinition
from masteria.contacts.service import get_contact
from masteria.db import get_or_404, save_unique
from masteria.pagination import Page, PageRequest, paginate
from masteria.templates.models import LocalTemplate
from masteria.templates.rendering import check_variables, contact_values, render, variables
from masteria.templates.schemas import (
    MediaHeader,
    PreviewRead,
    TemplateCreate,
    TemplateRead,
    TemplateUpdate,
)
from masteria.tenancy.service import Principal


def _read(row: LocalTemplate) -> TemplateRead:
    header = (
        MediaHeader.model_validate({"type": row.header_media_type, "url": row.header_media_url})
        if row.header_media_type
        else None
    )
    return TemplateRead(
        id=row.id,
        name=row.name,
        body=row.body,
        defaults=row.defaults,
        variables=variables(row.body),
        header=header,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _save(session: Session, row: LocalTemplate) -> TemplateRead:
    with session.no_autoflush:  # a renamed row flushes in save_unique, where a clash is a 409, not here
        custom = set(session.scalars(select(CustomFieldDefinition.key)))
    check_variables(row.body, custom_keys=custom)
    save_unique(session, row, f"a template named {row.name!r} already exists", name=row.name)
    return _read(row)


def _apply_header(row: LocalTemplate, header: MediaHeader | None) -> None:
    row.header_media_type = header.type if header else None
    row.header_media_url = str(header.url) if header else None


def create_template(*, session: Session, actor: Principal, data: TemplateCreate) -> TemplateRead:
    row = LocalTemplate(company_id=actor.company_id, name=data.name, body=data.body, defaults=data.defaults)
    _apply_header(row, data.header)
    return _save(session, row)


def list_templates(
    *, session: Session, actor: Principal, page: PageRequest, q: str | None = None
) -> Page[TemplateRead]:
    """By name (case-insensitive), then id; ``q`` is a case-insensitive part of the name or the text."""
    statement = select(LocalTemplate)
    if q:
        statement = statement.where(
            or_(LocalTemplate.name.icontains(q, autoescape=True), LocalTemplate.body.icontains(q, autoescape=True))
        )
    rows, cursor = paginate(
        session, statement, keys=[LocalTemplate.sort_name, LocalTemplate.id], page=page, descending=False
    )
    return Page[TemplateRead](items=[_read(r) for r in rows], next_cursor=cursor)


def get_template(*, session: Session, actor: Principal, template_id: uuid.UUID) -> TemplateRead:
    return _read(get_or_404(session, LocalTemplate, template_id, "template"))


def update_template(
    *, session: Session, actor: Principal, template_id: uuid.UUID, data: TemplateUpdate
) -> TemplateRead:
    row = get_or_404(session, LocalTemplate, template_id, "template")
    changes = data.model_dump(exclude_unset=True)
    if changes.get("name"):
        row.name = changes["name"]
    if changes.get("body"):
        row.body = changes["body"]
    if "defaults" in changes:
        row.defaults = changes["defaults"] or {}
    if "header" in changes:
        _apply_header(row, data.header)
    return _save(session, row)


def delete_template(*, session: Session, actor: Principal, template_id: uuid.UUID) -> None:
    session.delete(get_or_404(session, LocalTemplate, template_id, "template"))


def preview(*, session: Session, actor: Principal, template_id: uuid.UUID, contact_id: uuid.UUID) -> PreviewRead:
    """The template as ``contact_id`` would receive it; 422 lists variables with no value and no default."""
    row = get_or_404(session, LocalTemplate, template_id, "template")
    contact = get_contact(session=session, actor=actor, contact_id=contact_id)
    text = render(row.body, contact_values(contact.model_dump()), row.defaults)
    return PreviewRead(text=text, header=_read(row).header)
