"""The campaign's state machine: every change of a campaign's status goes through ``move``, whoever makes it
(a user's action, the planner, the sender, the ledger, the sweeper), and a move the table does not hold is a
409 naming the current state.

    draft → scheduled → running ⇄ paused → completed / cancelled / failed
    completed → running: a dead letter retried (its recipient is pending again), nothing else reopens it

A move also keeps the campaign's timestamps and its reason with it (paused_at, started_at, finished_at,
status_reason); events and notifications stay with the caller, which knows what it tells (``pause_for`` and
``fail`` are the engine's own stops, with theirs).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from masteria.campaigns.models import Campaign, CampaignRecipient
from masteria.errors import StateConflict
from masteria.event_payloads import CampaignPausedPayload
from masteria.events import record_event
from masteria.notifications import service as notifications

TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"scheduled"}),
    "scheduled": frozenset({"scheduled", "running", "cancelled"}),
    "running": frozenset({"paused", "completed", "cancelled", "failed"}),
    "paused": frozenset({"running", "cancelled", "failed"}),
    "completed": frozenset({"running"}),
}
FINISHED = ("completed", "cancelled", "failed")


def can_move(campaign: Campaign, to: str) -> bool:
    return to in TRANSITIONS.get(campaign.status, frozenset())


def move(campaign: Campaign, to: str, *, now: datetime, reason: str | None = None) -> None:
    """Move ``campaign`` to ``to`` with ``reason`` as its status reason (none clears it), or 409 naming its
    current state."""
    was = campaign.status
    if not can_move(campaign, to):
        raise StateConflict(f"the campaign is {was}; it cannot become {to}", current_state=was)
    campaign.status, campaign.status_reason = to, reason[:500] if reason is not None else None
    if to == "paused":
        campaign.paused_at = now
    elif to in FINISHED:
        campaign.finished_at = now
    elif to == "running" and was == "scheduled":
        campaign.started_at = now
    elif to == "running" and was in FINISHED:
        campaign.finished_at = None


def pause_for(session: Session, campaign: Campaign, reason: str, now: datetime) -> None:
    """Pause a running campaign because of its channel (campaign-stopping refusals, a refused token, a template
    paused by Meta), and say why; any other campaign stays as it is."""
    if campaign.status != "running":
        return
    move(campaign, "paused", now=now, reason=reason)
    record_event(
        session,
        company_id=campaign.company_id,
        payload=CampaignPausedPayload(campaign_id=campaign.id, reason=reason[:500]),
    )
    _tell(session, campaign, "paused", reason)


def fail(session: Session, campaign: Campaign, reason: str, now: datetime) -> None:
    """Fail a running or paused campaign that cannot send any more (its connection or template is gone): its
    recipients not sent yet are skipped, and the company is told why."""
    move(campaign, "failed", now=now, reason=reason)
    session.execute(
        update(CampaignRecipient)
        .where(CampaignRecipient.campaign_id == campaign.id, CampaignRecipient.status == "pending")
        .values(status="skipped", error_reason="campaign failed", updated_at=now)
    )
    _tell(session, campaign, "failed", reason)


def _tell(session: Session, campaign: Campaign, what: str, reason: str) -> None:
    """The company's in-app notification that the campaign stopped by itself, and why."""
    notifications.notify(
        session,
        company_id=campaign.company_id,
        kind=f"campaign.{what}",
        title=f"Campaign {what}",
        body=f"{campaign.name}: {reason}",
        data={"campaign_id": str(campaign.id)},
    )
