"""WhatsApp templates of a connection: synced from Meta, created and deleted through the Graph API, their
parameters mapped to contact variables, and a preview for a contact."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from functions.api.deps import CallerDep, ContainerDep, PageDep
from functions.api.error_docs import problems
from masteria.channels.connections import waba_access
from masteria.pagination import Page
from masteria.templates import whatsapp as service
from masteria.templates.schemas import (
    PreviewRequest,
    WhatsAppParameters,
    WhatsAppPreview,
    WhatsAppSync,
    WhatsAppTemplateCreate,
    WhatsAppTemplateRead,
)

router = APIRouter(prefix="/v1", tags=["whatsapp templates"])


@router.post("/connections/{connection_id}/templates/sync", responses=problems(403), response_model=WhatsAppSync)
def sync_templates(connection_id: uuid.UUID, caller: CallerDep, container: ContainerDep) -> WhatsAppSync:
    """Mirror every template of the connection's WhatsApp Business Account (all pages): added, updated (status,
    quality, components) and removed ones are counted; parameter mappings of kept templates stay."""
    access = waba_access(caller.session, container.company_keys, connection_id)
    return service.sync_templates(
        session=caller.session, actor=caller.principal, graph=container.graph, access=access, now=container.clock.now()
    )


@router.get("/connections/{connection_id}/templates", response_model=Page[WhatsAppTemplateRead])
def list_templates(  # noqa: PLR0917 - FastAPI query parameters
    connection_id: uuid.UUID,
    caller: CallerDep,
    page: PageDep,
    q: Annotated[str | None, Query(max_length=200, description="a part of the name, any case")] = None,
    status_: Annotated[
        list[str] | None, Query(alias="status", description="APPROVED, PENDING…; repeat for several")
    ] = None,
    category: Annotated[str | None, Query(max_length=32, description="MARKETING, UTILITY or AUTHENTICATION")] = None,
    language: Annotated[str | None, Query(max_length=16, description="pt_BR, en_US…")] = None,
) -> Page[WhatsAppTemplateRead]:
    """By name, language, then id."""
    filters = service.TemplateFilter(
        q=q or None, statuses=tuple(status_ or ()), category=category or None, language=language or None
    )
    return service.list_templates(
        session=caller.session, actor=caller.principal, connection_id=connection_id, page=page, filters=filters
    )


@router.post(
    "/connections/{connection_id}/templates",
    status_code=status.HTTP_201_CREATED,
    response_model=WhatsAppTemplateRead,
    responses=problems(403, 409),
)
def create_template(
    connection_id: uuid.UUID, body: WhatsAppTemplateCreate, caller: CallerDep, container: ContainerDep
) -> WhatsAppTemplateRead:
    """Submit a template for Meta's review (Meta's body: name, language, category, components), with the mapping of
    its parameters. Meta's limits are checked first (422 listing each problem); the mirror starts PENDING."""
    access = waba_access(caller.session, container.company_keys, connection_id)
    return service.create_template(
        session=caller.session,
        actor=caller.principal,
        graph=container.graph,
        access=access,
        data=body,
        now=container.clock.now(),
    )


@router.get("/whatsapp-templates/{whatsapp_template_id}", response_model=WhatsAppTemplateRead)
def get_template(whatsapp_template_id: uuid.UUID, caller: CallerDep) -> WhatsAppTemplateRead:
    return service.get_template(session=caller.session, actor=caller.principal, template_id=whatsapp_template_id)


@router.delete(
    "/whatsapp-templates/{whatsapp_template_id}", responses=problems(403), status_code=status.HTTP_204_NO_CONTENT
)
def delete_template(whatsapp_template_id: uuid.UUID, caller: CallerDep, container: ContainerDep) -> None:
    """Delete this language of the template at Meta, then here."""
    template = service.get_template(session=caller.session, actor=caller.principal, template_id=whatsapp_template_id)
    access = waba_access(caller.session, container.company_keys, template.connection_id)
    service.delete_template(
        session=caller.session,
        actor=caller.principal,
        graph=container.graph,
        access=access,
        template_id=whatsapp_template_id,
    )


@router.put("/whatsapp-templates/{whatsapp_template_id}/parameters", response_model=WhatsAppTemplateRead)
def map_parameters(
    whatsapp_template_id: uuid.UUID, body: WhatsAppParameters, caller: CallerDep
) -> WhatsAppTemplateRead:
    """Which contact variable fills each parameter (`body.1` → `first_name`, `custom.<key>`…) and defaults for
    empty values; `header.media` takes the https link of a media header as its default."""
    return service.map_parameters(
        session=caller.session, actor=caller.principal, template_id=whatsapp_template_id, data=body
    )


@router.post("/whatsapp-templates/{whatsapp_template_id}/preview", response_model=WhatsAppPreview)
def preview(whatsapp_template_id: uuid.UUID, body: PreviewRequest, caller: CallerDep) -> WhatsAppPreview:
    """The template as the contact would see it, and the `components` of the message that sends it; 422 lists
    the parameters with no value and no default, or a header or body that grows past Meta's limits."""
    return service.preview(
        session=caller.session, actor=caller.principal, template_id=whatsapp_template_id, contact_id=body.contact_id
    )
