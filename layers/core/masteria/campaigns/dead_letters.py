"""The campaign sender's dead letters (recipients that broke the worker before their request), listed and sent
again. Admins."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from masteria.campaigns import states
from masteria.campaigns.jobs import record_send
from masteria.campaigns.models import Campaign, CampaignDeadLetter, CampaignRecipient
from masteria.campaigns.schemas import CampaignRead, DeadLetterRead
from masteria.campaigns.service import read
from masteria.channels.providers.port import Registry
from masteria.db import get_or_404
from masteria.errors import StateConflict
from masteria.pagination import PageRequest, paginate
from masteria.tenancy.models import Role
from masteria.tenancy.service import Principal


def list_dead_letters(
    *, session: Session, actor: Principal, page: PageRequest, pending_only: bool = True
) -> tuple[list[DeadLetterRead], str | None]:
    actor.require(Role.ADMIN)
    statement: Select[CampaignDeadLetter] = select(CampaignDeadLetter)
    if pending_only:
        statement = statement.where(CampaignDeadLetter.retried_at.is_(None))
    rows, cursor = paginate(session, statement, keys=[CampaignDeadLetter.created_at, CampaignDeadLetter.id], page=page)
    ids = {r.campaign_id for r in rows}
    found = session.execute(select(Campaign.id, Campaign.name).where(Campaign.id.in_(ids))).all() if ids else []
    names = {row[0]: row[1] for row in found}  # a list of rows, not a mapping
    return [
        DeadLetterRead.model_validate(r).model_copy(update={"campaign_name": names.get(r.campaign_id, "")})
        for r in rows
    ], cursor


def retry_dead_letter(
    *, session: Session, actor: Principal, providers: Registry, dead_letter_id: uuid.UUID, now: datetime
) -> CampaignRead:
    """Send that recipient again (it was never sent: it broke the worker before its request)."""
    actor.require(Role.ADMIN)
    letter = get_or_404(session, CampaignDeadLetter, dead_letter_id, "dead letter")
    if letter.retried_at is not None:
        raise StateConflict("this dead letter was already retried", current_state="retried")
    campaign = session.get_one(Campaign, letter.campaign_id, with_for_update=True)  # a letter's campaign is there
    if campaign.status in ("cancelled", "failed"):
        raise StateConflict(f"the campaign is {campaign.status}", current_state=campaign.status)
    session.execute(
        update(CampaignRecipient)
        .where(CampaignRecipient.id == letter.recipient_id, CampaignRecipient.status == "failed")
        .values(status="pending", attempts=0, next_attempt_at=None, error_code=None, error_reason=None,
                failed_at=None, updated_at=now)
    )  # fmt: skip
    letter.retried_at = now
    if campaign.status == "completed":  # its retried recipient is pending again: the campaign runs until it is sent
        states.move(campaign, "running", now=now)
    record_send(session, campaign.company_id, campaign.id)
    session.flush()
    return read(session, campaign, providers)
