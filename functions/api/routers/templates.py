"""Local message templates and their preview for a contact."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from functions.api.deps import CallerDep, PageDep
from functions.api.error_docs import problems
from masteria.pagination import Page
from masteria.templates import service
from masteria.templates.schemas import PreviewRead, PreviewRequest, TemplateCreate, TemplateRead, TemplateUpdate

router = APIRouter(prefix="/v1/templates", tags=["templates"])


@router.get("", response_model=Page[TemplateRead])
def list_templates(
    caller: CallerDep,
    page: PageDep,
    q: Annotated[str | None, Query(max_length=200, description="a part of the name or the text, any case")] = None,
) -> Page[TemplateRead]:
    """By name (any case), then id."""
    return service.list_templates(session=caller.session, actor=caller.principal, page=page, q=q or None)


@router.post("", responses=problems(409), status_code=status.HTTP_201_CREATED, response_model=TemplateRead)
def create_template(body: TemplateCreate, caller: CallerDep) -> TemplateRead:
    """A text (≤ 4096 characters) with `{{name}}`, `{{first_name}}`, `{{phone}}`, `{{email}}`, `{{language}}` or
    `{{custom.<key>}}`, defaults for empty values, and an optional media header."""
    return service.create_template(session=caller.session, actor=caller.principal, data=body)


@router.get("/{template_id}", response_model=TemplateRead)
def get_template(template_id: uuid.UUID, caller: CallerDep) -> TemplateRead:
    return service.get_template(session=caller.session, actor=caller.principal, template_id=template_id)


@router.patch("/{template_id}", responses=problems(409), response_model=TemplateRead)
def update_template(template_id: uuid.UUID, body: TemplateUpdate, caller: CallerDep) -> TemplateRead:
    return service.update_template(session=caller.session, actor=caller.principal, template_id=template_id, data=body)


@router.delete("/{template_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_template(template_id: uuid.UUID, caller: CallerDep) -> None:
    service.delete_template(session=caller.session, actor=caller.principal, template_id=template_id)


@router.post("/{template_id}/preview", response_model=PreviewRead)
def preview(template_id: uuid.UUID, body: PreviewRequest, caller: CallerDep) -> PreviewRead:
    """The message a contact would receive (422 lists the variables with no value and no default)."""
    return service.preview(
        session=caller.session, actor=caller.principal, template_id=template_id, contact_id=body.contact_id
    )
