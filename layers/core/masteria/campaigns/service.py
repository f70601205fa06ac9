"""Use cases of campaigns: edit while draft or paused; schedule, pause, resume, cancel; progress and recipients
(their checks are ``campaigns.checks``, the sender's dead letters ``campaigns.dead_letters``). Managing
campaigns is for admins and owners; agents may read them.

The states and their moves are ``masteria.campaigns.states``'s: any move its table does not hold is a 409
naming the current state. A message to the engine's queues, and the change of a campaign's one-time schedule
(masteria.campaigns.schedules), are outbox jobs of the action's transaction: sent once it commits, and by
the outbox sweeper when that send was missed.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from masteria.audit import service as audit_log
from masteria.campaigns import checks, ledger, planner, reply_leads, states
from masteria.campaigns.jobs import StartJob, record_send, record_start
from masteria.campaigns.models import Campaign, CampaignRecipient
from masteria.campaigns.schedules import IMMEDIATE, record_schedule
from masteria.campaigns.schemas import (
    Audience,
    AudiencePreview,
    CampaignCreate,
    CampaignRead,
    CampaignUpdate,
    Progress,
    RecipientRead,
    Schedule,
    SendingWindow,
)
from masteria.campaigns.window import zone
from masteria.channels.models import ChannelConnection
from masteria.channels.providers.port import Registry
from masteria.channels.providers.sms import segments
from masteria.crypto import CompanyKeys
from masteria.errors import FieldError, Invalid, NotFound, StateConflict
from masteria.event_payloads import CampaignPausedPayload, CampaignStartedPayload
from masteria.events import record_event
from masteria.pagination import PageRequest, paginate
from masteria.templates.models import LocalTemplate, WhatsAppTemplate
from masteria.tenancy.models import Company, Role
from masteria.tenancy.service import Principal

EDITABLE = ("draft", "paused")


def _get(session: Session, campaign_id: uuid.UUID, *, lock: bool = False) -> Campaign:
    row = session.get(Campaign, campaign_id, with_for_update=lock)
    if row is None:
        raise NotFound("campaign not found")  # another company's id too (invisible under RLS)
    return row


def _segments(session: Session, row: Campaign) -> int | None:
    """SMS: the segments of the campaign's text with its variables as written (None: not an SMS campaign)."""
    local = session.get(LocalTemplate, row.local_template_id) if row.local_template_id else None
    return segments.count(local.body).count if local is not None else None


def read(session: Session, row: Campaign, providers: Registry) -> CampaignRead:
    connection = session.get(ChannelConnection, row.connection_id) if row.connection_id else None
    window = (
        SendingWindow.model_validate(
            {"start": row.window_start, "end": row.window_end, "timezone": row.window_timezone}
        )
        if row.window_start is not None and row.window_end is not None
        else None
    )
    return CampaignRead(
        id=row.id,
        name=row.name,
        connection_id=row.connection_id,
        channel=checks.channel_of(connection, providers),
        whatsapp_template_id=row.whatsapp_template_id,
        local_template_id=row.local_template_id,
        segments_per_message=_segments(session, row),
        parameters=row.parameters,
        defaults=row.defaults,
        audience=Audience.model_validate(row.audience),
        timezone=row.timezone,
        window=window,
        rate_per_second=row.rate_per_second,
        current_rate=row.current_rate,
        reply_window_hours=row.reply_window_hours,
        reply_lead=reply_leads.read(row),
        status=row.status,
        status_reason=row.status_reason,
        scheduled_at=row.scheduled_at,
        total=row.total,
        started_at=row.started_at,
        paused_at=row.paused_at,
        finished_at=row.finished_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _apply(row: Campaign, data: CampaignCreate | CampaignUpdate) -> None:
    values = data.model_dump(
        exclude_unset=isinstance(data, CampaignUpdate),
        exclude={"window", "clear_window", "audience", "reply_lead", "clear_reply_lead"},
    )
    reply_leads.apply(row, data)
    for name, value in values.items():
        if value is not None:
            setattr(row, name, value)
    if data.audience is not None:
        row.audience = data.audience.model_dump(mode="json")
    if data.window is not None:
        row.window_start, row.window_end, row.window_timezone = data.window.start, data.window.end, data.window.timezone
    if isinstance(data, CampaignUpdate) and data.clear_window:
        row.window_start = row.window_end = None
    if data.rate_per_second is not None:
        row.current_rate = float(data.rate_per_second)
    if data.timezone is not None:
        zone(data.timezone)


def create_campaign(
    *, session: Session, actor: Principal, keys: CompanyKeys, providers: Registry, data: CampaignCreate
) -> CampaignRead:
    actor.require(Role.ADMIN)
    company = session.get_one(Company, actor.company_id)
    row = Campaign(company_id=actor.company_id, timezone=company.timezone, created_by=actor.user_id, status="draft")
    _apply(row, data)
    checks.check(session, row, keys=keys, providers=providers)
    session.add(row)
    session.flush()
    session.refresh(row)
    return read(session, row, providers)


def update_campaign(
    *,
    session: Session,
    actor: Principal,
    keys: CompanyKeys,
    providers: Registry,
    campaign_id: uuid.UUID,
    data: CampaignUpdate,
) -> CampaignRead:
    actor.require(Role.ADMIN)
    row = _get(session, campaign_id, lock=True)
    if row.status not in EDITABLE:
        raise StateConflict(
            f"the campaign is {row.status}; it can be edited only while draft or paused", current_state=row.status
        )
    _apply(row, data)
    checks.check(session, row, keys=keys, providers=providers)
    session.flush()
    session.refresh(row)
    return read(session, row, providers)


def delete_campaign(*, session: Session, actor: Principal, campaign_id: uuid.UUID) -> None:
    actor.require(Role.ADMIN)
    row = _get(session, campaign_id, lock=True)
    if row.status != "draft":
        raise StateConflict(f"the campaign is {row.status}; only drafts can be deleted", current_state=row.status)
    session.delete(row)


def get_campaign(*, session: Session, actor: Principal, providers: Registry, campaign_id: uuid.UUID) -> CampaignRead:
    return read(session, _get(session, campaign_id), providers)


def list_campaigns(
    *, session: Session, actor: Principal, providers: Registry, page: PageRequest, status: str | None = None
) -> tuple[list[CampaignRead], str | None]:
    statement: Select[Campaign] = select(Campaign)
    if status is not None:
        statement = statement.where(Campaign.status == status)
    rows, cursor = paginate(session, statement, keys=[Campaign.created_at, Campaign.id], page=page)
    return [read(session, r, providers) for r in rows], cursor


def preview_audience(*, session: Session, actor: Principal, campaign_id: uuid.UUID) -> AudiencePreview:
    row = _get(session, campaign_id)
    query = planner.audience_query(
        session, Audience.model_validate(row.audience), channel=planner.channel_of(session, row)
    )
    return AudiencePreview(count=int(session.scalar(select(func.count()).select_from(query.subquery())) or 0))


def schedule(
    *,
    session: Session,
    actor: Principal,
    keys: CompanyKeys,
    providers: Registry,
    campaign_id: uuid.UUID,
    data: Schedule,
    now: datetime,
) -> CampaignRead:
    """Schedule a draft (or move a scheduled campaign's time); no ``at``: start now."""
    actor.require(Role.ADMIN)
    row = _get(session, campaign_id, lock=True)
    was = row.status
    states.move(row, "scheduled", now=now)  # a scheduled campaign's time moves
    checks.check(session, row, keys=keys, providers=providers)
    template = session.get(WhatsAppTemplate, row.whatsapp_template_id) if row.whatsapp_template_id else None
    if template is not None and template.status.upper() != "APPROVED":
        raise Invalid(
            "the WhatsApp template is not approved by Meta yet",
            [
                FieldError(
                    "whatsapp_template_id",
                    f"status {template.status}",
                    code="template_status",
                    params={"status": template.status},
                )
            ],
        )
    at = now
    if data.at is not None:
        at = data.at if data.at.tzinfo else data.at.replace(tzinfo=zone(data.timezone or row.timezone))
        if at < now - timedelta(minutes=1):
            raise Invalid("the schedule is in the past", [FieldError("at", "must be now or later", code="in_past")])
    row.scheduled_at = max(at, now)
    session.flush()
    if row.scheduled_at <= now + IMMEDIATE:
        record_start(session, StartJob(company_id=row.company_id, campaign_id=row.id, at=row.scheduled_at))
        if was == "scheduled":  # its schedule for later goes
            record_schedule(session, row)
    else:
        record_schedule(session, row)
    session.refresh(row)
    return read(session, row, providers)


def pause(
    *, session: Session, actor: Principal, providers: Registry, campaign_id: uuid.UUID, now: datetime
) -> CampaignRead:
    actor.require(Role.ADMIN)
    row = _get(session, campaign_id, lock=True)
    states.move(row, "paused", now=now, reason="paused by a user")
    record_event(
        session, company_id=row.company_id, payload=CampaignPausedPayload(campaign_id=row.id, reason=row.status_reason)
    )
    ledger.emit_progress(session, row.id, force=True)
    session.flush()
    session.refresh(row)
    return read(session, row, providers)


def resume(
    *, session: Session, actor: Principal, providers: Registry, campaign_id: uuid.UUID, now: datetime
) -> CampaignRead:
    actor.require(Role.ADMIN)
    row = _get(session, campaign_id, lock=True)
    if row.status != "paused":  # a scheduled campaign starts by its schedule (planning first), not by resume
        raise StateConflict(f"the campaign is {row.status}; only a paused one resumes", current_state=row.status)
    states.move(row, "running", now=now)
    record_event(
        session, company_id=row.company_id, payload=CampaignStartedPayload(campaign_id=row.id, reason="resumed")
    )
    record_send(session, row.company_id, campaign_id)
    session.flush()
    session.refresh(row)
    return read(session, row, providers)


def cancel(
    *, session: Session, actor: Principal, providers: Registry, campaign_id: uuid.UUID, now: datetime
) -> CampaignRead:
    """Stop for good: recipients not sent yet are skipped (those in flight still settle)."""
    actor.require(Role.ADMIN)
    row = _get(session, campaign_id, lock=True)
    was = row.status
    states.move(row, "cancelled", now=now, reason="cancelled by a user")
    skipped = len(
        session.execute(
            update(CampaignRecipient)
            .where(CampaignRecipient.campaign_id == row.id, CampaignRecipient.status == "pending")
            .values(status="skipped", error_reason="campaign cancelled", updated_at=now)
            .returning(CampaignRecipient.id)
        ).all()
    )
    audit_log.record(
        session, actor=actor, action="campaigns.cancel", count=skipped, target_type="campaign",
        target_id=row.id, details={"was": was},
    )  # fmt: skip
    ledger.emit_progress(session, row.id, force=True)
    if was == "scheduled":  # its schedule goes
        record_schedule(session, row)
    session.flush()
    session.refresh(row)
    return read(session, row, providers)


def get_progress(*, session: Session, actor: Principal, campaign_id: uuid.UUID) -> Progress:
    return ledger.progress(session, _get(session, campaign_id))


def list_recipients(
    *,
    session: Session,
    actor: Principal,
    campaign_id: uuid.UUID,
    page: PageRequest,
    status: str | None = None,
    error_code: int | None = None,
    replied: bool | None = None,
) -> tuple[list[RecipientRead], str | None]:
    _get(session, campaign_id)
    statement: Select[CampaignRecipient] = select(CampaignRecipient).where(CampaignRecipient.campaign_id == campaign_id)
    if status is not None:
        statement = statement.where(CampaignRecipient.status == status)
    if error_code is not None:
        statement = statement.where(CampaignRecipient.error_code == error_code)
    if replied is not None:
        statement = statement.where(
            CampaignRecipient.replied_at.is_not(None) if replied else CampaignRecipient.replied_at.is_(None)
        )
    rows, cursor = paginate(session, statement, keys=[CampaignRecipient.id], page=page, descending=False)
    return [RecipientRead.model_validate(r) for r in rows], cursor
