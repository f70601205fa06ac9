"""Campaigns: edit while draft or paused; schedule, pause, resume, cancel; progress, recipients, dead letters."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from functions.api.deps import CallerDep, ContainerDep, PageDep
from functions.api.error_docs import problems
from masteria.campaigns import dead_letters, service
from masteria.campaigns.models import CAMPAIGN_STATUSES, RECIPIENT_STATUSES
from masteria.campaigns.schemas import (
    AudiencePreview,
    CampaignCreate,
    CampaignRead,
    CampaignUpdate,
    DeadLetterRead,
    Progress,
    RecipientRead,
    Schedule,
)
from masteria.pagination import Page

router = APIRouter(prefix="/v1/campaigns", tags=["campaigns"])

CampaignStatus = Literal[CAMPAIGN_STATUSES]  # type: ignore[valid-type]
RecipientStatus = Literal[RECIPIENT_STATUSES]  # type: ignore[valid-type]


@router.get("/dead-letters", responses=problems(403), response_model=Page[DeadLetterRead])
def list_dead_letters(caller: CallerDep, page: PageDep, include_retried: bool = False) -> Page[DeadLetterRead]:
    """Recipients whose send broke the worker (before any request to Meta), newest first. Admins."""
    items, cursor = dead_letters.list_dead_letters(
        session=caller.session, actor=caller.principal, page=page, pending_only=not include_retried
    )
    return Page(items=items, next_cursor=cursor)


@router.post("/dead-letters/{dead_letter_id}/retry", responses=problems(403, 409), response_model=CampaignRead)
def retry_dead_letter(dead_letter_id: uuid.UUID, caller: CallerDep, container: ContainerDep) -> CampaignRead:
    """Put that recipient back in the campaign's queue (a completed campaign runs again for it). Admins."""
    return dead_letters.retry_dead_letter(
        session=caller.session,
        actor=caller.principal,
        providers=container.providers,
        dead_letter_id=dead_letter_id,
        now=container.clock.now(),
    )


@router.get("", response_model=Page[CampaignRead])
def list_campaigns(
    caller: CallerDep, container: ContainerDep, page: PageDep, status: CampaignStatus | None = None
) -> Page[CampaignRead]:
    """Newest first; `?status=` filters."""
    items, cursor = service.list_campaigns(
        session=caller.session, actor=caller.principal, providers=container.providers, page=page, status=status
    )
    return Page(items=items, next_cursor=cursor)


@router.post("", responses=problems(403), status_code=status.HTTP_201_CREATED, response_model=CampaignRead)
def create_campaign(body: CampaignCreate, caller: CallerDep, container: ContainerDep) -> CampaignRead:
    """A draft: a connection, one of its WhatsApp templates with its parameters mapped to contact variables, an
    audience, an optional daily window, and a rate (messages per second, at most the number's throughput);
    optionally `reply_lead`: a contact's reply opens a lead on that pipeline (422 for an unknown pipeline or owner,
    a stage not an open one of the pipeline). Admins."""
    return service.create_campaign(
        session=caller.session,
        actor=caller.principal,
        keys=container.company_keys,
        providers=container.providers,
        data=body,
    )


@router.get("/{campaign_id}", response_model=CampaignRead)
def get_campaign(campaign_id: uuid.UUID, caller: CallerDep, container: ContainerDep) -> CampaignRead:
    return service.get_campaign(
        session=caller.session, actor=caller.principal, providers=container.providers, campaign_id=campaign_id
    )


@router.patch("/{campaign_id}", responses=problems(403, 409), response_model=CampaignRead)
def update_campaign(
    campaign_id: uuid.UUID, body: CampaignUpdate, caller: CallerDep, container: ContainerDep
) -> CampaignRead:
    """Only while draft or paused (409 with `current_state` otherwise); `clear_reply_lead` stops replies opening
    leads. Admins."""
    return service.update_campaign(
        session=caller.session,
        actor=caller.principal,
        keys=container.company_keys,
        providers=container.providers,
        campaign_id=campaign_id,
        data=body,
    )


@router.delete("/{campaign_id}", responses=problems(403, 409), status_code=status.HTTP_204_NO_CONTENT)
def delete_campaign(campaign_id: uuid.UUID, caller: CallerDep) -> None:
    """Drafts only. Admins."""
    service.delete_campaign(session=caller.session, actor=caller.principal, campaign_id=campaign_id)


@router.get("/{campaign_id}/audience", response_model=AudiencePreview)
def preview_audience(campaign_id: uuid.UUID, caller: CallerDep) -> AudiencePreview:
    """How many contacts the campaign would message now (opted-out, invalid and duplicate numbers left out)."""
    return service.preview_audience(session=caller.session, actor=caller.principal, campaign_id=campaign_id)


@router.post("/{campaign_id}/schedule", responses=problems(403, 409), response_model=CampaignRead)
def schedule(campaign_id: uuid.UUID, body: Schedule, caller: CallerDep, container: ContainerDep) -> CampaignRead:
    """Schedule a draft, or move a scheduled campaign: `at` is a local time in `timezone` (default the campaign's)
    or carries its offset; no `at` starts it now. The template must be approved. Admins."""
    return service.schedule(
        session=caller.session,
        actor=caller.principal,
        keys=container.company_keys,
        providers=container.providers,
        campaign_id=campaign_id,
        data=body,
        now=container.clock.now(),
    )


@router.post("/{campaign_id}/pause", responses=problems(403, 409), response_model=CampaignRead)
def pause(campaign_id: uuid.UUID, caller: CallerDep, container: ContainerDep) -> CampaignRead:
    """Stop sending within about a second; resume continues where it stopped. Admins."""
    return service.pause(
        session=caller.session,
        actor=caller.principal,
        providers=container.providers,
        campaign_id=campaign_id,
        now=container.clock.now(),
    )


@router.post("/{campaign_id}/resume", responses=problems(403, 409), response_model=CampaignRead)
def resume(campaign_id: uuid.UUID, caller: CallerDep, container: ContainerDep) -> CampaignRead:
    """Admins."""
    return service.resume(
        session=caller.session,
        actor=caller.principal,
        providers=container.providers,
        campaign_id=campaign_id,
        now=container.clock.now(),
    )


@router.post("/{campaign_id}/cancel", responses=problems(403, 409), response_model=CampaignRead)
def cancel(campaign_id: uuid.UUID, caller: CallerDep, container: ContainerDep) -> CampaignRead:
    """Stop for good (scheduled, running or paused): recipients not sent yet are skipped. Admins."""
    return service.cancel(
        session=caller.session,
        actor=caller.principal,
        providers=container.providers,
        campaign_id=campaign_id,
        now=container.clock.now(),
    )


@router.get("/{campaign_id}/progress", response_model=Progress)
def progress(campaign_id: uuid.UUID, caller: CallerDep) -> Progress:
    """Counts from the recipient ledger: queued, sending, unknown, sent, delivered, read, replied, failed (by
    Meta's error code or our reason), skipped."""
    return service.get_progress(session=caller.session, actor=caller.principal, campaign_id=campaign_id)


@router.get("/{campaign_id}/recipients", response_model=Page[RecipientRead])
def list_recipients(
    campaign_id: uuid.UUID,
    caller: CallerDep,
    page: PageDep,
    *,
    status: RecipientStatus | None = None,
    error_code: Annotated[int | None, Query(description="Meta's error code")] = None,
    replied: bool | None = None,
) -> Page[RecipientRead]:
    """In ledger order; filter by `status`, `error_code`, `replied`."""
    items, cursor = service.list_recipients(
        session=caller.session,
        actor=caller.principal,
        campaign_id=campaign_id,
        page=page,
        status=status,
        error_code=error_code,
        replied=replied,
    )
    return Page(items=items, next_cursor=cursor)
