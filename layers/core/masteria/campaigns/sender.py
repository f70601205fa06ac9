"""The sender: drives one running campaign through its ledger under the number's pacer.

A drive holds the campaign's lease (one driver per campaign) and runs the bulk pipeline (``outbound.bulk``) for a
slice of time: claim a small batch of due recipients (``pending`` → ``sending``, committed *before* any request),
reserve their send slots on the number's lane, post each at its slot, then record every answer. So:

- a recipient is claimed by one worker only (row locks, ``SKIP LOCKED``), whatever the queue delivers twice;
- a recipient whose request may have reached the provider is never sent again: a lost answer (timeout, crash
  between the call and the commit) leaves it ``sending``/``unknown`` until the provider's status — which
  carries our ledger id (``OutboundMessage.opaque``) — settles it, or the sweeper fails it as unknown;
- only the provider's explicit refusals (rate limits, transient codes) put a recipient back to ``pending``.

These are the steps of the one outbound path (``masteria.outbound.send``) for a batch: the consent rule and
the provider's check of each message at the claim, the number's shared pacer (bulk slots: a reply to a person
takes the next free one ahead of them), the connection's provider (``Provider.send``, answered by a
``SendOutcome``), the ledger discipline.

Pause and cancel are seen at the next claim: within three quarter-second batches of sending.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from masteria.campaigns import claims, ledger, messages, states, window
from masteria.campaigns.claims import Batch, Claim
from masteria.campaigns.jobs import SendJob, enqueue_send
from masteria.campaigns.models import Campaign
from masteria.channels.models import ChannelConnection
from masteria.channels.providers.port import Outcome, Registry, SendOutcome
from masteria.crypto import CompanyKeys
from masteria.db import Database
from masteria.outbound import bulk, bulk_ledger, pacer, send
from masteria.ports import Clock, Queue
from masteria.tenancy.models import Company

SenderSettings = bulk.Settings


@dataclass
class _Target:
    """What a drive needs of the campaign, read once."""

    scope: claims.Scope
    route: send.Route


@dataclass
class _Drive:
    """The campaign's side of the bulk pipeline (``bulk.Drive``)."""

    db: Database
    queue: Queue
    clock: Clock
    target: _Target
    settings: SenderSettings

    def claim(self) -> Claim:
        return _claim(self.db, self.target, self.settings, self.clock)

    def posting(self, batch: Batch) -> list[int]:
        with self.db.tenant(self.target.scope.company_id) as session:
            return bulk_ledger.mark_posting(session, ledger.TABLE, batch, self.clock.now())

    def record(self, batch: Batch, outcomes: list[tuple[int, SendOutcome]]) -> None:
        _record(self.db, self.target, outcomes, self.clock)

    def idle(self, claim: Claim) -> str:
        return _idle(self.db, self.queue, self.target, claim, self.clock)


def drive(
    *,
    db: Database,
    queue: Queue,
    providers: Registry,
    keys: CompanyKeys,
    clock: Clock,
    job: SendJob,
    settings: SenderSettings = SenderSettings(),
    should_stop: Callable[[], bool] = lambda: False,
) -> str:
    """Send for up to one slice; why it stopped: busy, not_running, paused, slice, waiting, settling, completed."""
    lease = timedelta(seconds=settings.slice_seconds + settings.lease_seconds)
    with db.tenant(job.company_id) as session:
        held = session.execute(
            update(Campaign)
            .where(
                Campaign.id == job.campaign_id,
                Campaign.status == "running",
                (Campaign.driver_until.is_(None)) | (Campaign.driver_until < func.clock_timestamp()),
            )
            .values(driver_until=func.clock_timestamp() + lease)
            .returning(Campaign.id)
        ).scalar_one_or_none()
        if held is None:
            return "busy"
        target = _target(session, keys, providers, job, clock.now())
    if isinstance(target, str):
        return target
    try:
        reason = bulk.run(
            _Drive(db, queue, clock, target, settings),
            target.route,
            settings=settings,
            should_stop=should_stop,
            log={"campaign_id": str(job.campaign_id)},
        )
    finally:
        with db.tenant(job.company_id) as session:
            session.execute(update(Campaign).where(Campaign.id == job.campaign_id).values(driver_until=None))
            status = session.scalar(select(Campaign.status).where(Campaign.id == job.campaign_id))
    if reason == "slice" or (reason == "paused" and status == "running"):  # more to do, or resumed meanwhile
        enqueue_send(queue, job.company_id, job.campaign_id)
    return reason


def _target(session: Session, keys: CompanyKeys, providers: Registry, job: SendJob, now: datetime) -> _Target | str:
    campaign = session.get_one(Campaign, job.campaign_id)
    connection = session.get(ChannelConnection, campaign.connection_id) if campaign.connection_id else None
    content = messages.content_of(session, campaign) if connection is not None else None
    problem = (
        "its connection was deleted" if connection is None else "its template was deleted" if content is None else None
    )
    if problem is not None or connection is None or content is None:
        states.fail(session, campaign, f"the campaign cannot send: {problem}", now)
        return "not_running"
    route = send.route(session, keys, providers, connection)
    company = session.get_one(Company, campaign.company_id)
    scope = claims.Scope(
        company_id=campaign.company_id,
        campaign_id=campaign.id,
        connection_id=connection.id,
        channel=route.channel,
        message=content,
        check=lambda message: route.provider.check(message, route.config),
        number_rate=route.rate,
        units=route.limits.units,
        company_zone=window.zone(campaign.timezone or company.timezone),
        window=(campaign.window_start, campaign.window_end, campaign.window_timezone)
        if campaign.window_start is not None and campaign.window_end is not None
        else None,
    )
    return _Target(scope=scope, route=route)


def _claim(db: Database, target: _Target, settings: SenderSettings, clock: Clock) -> Claim:
    return claims.claim(
        db,
        target.scope,
        clock=clock,
        batch_seconds=settings.batch_seconds,
        max_batch=settings.max_batch,
        lease_seconds=settings.lease_seconds,
    )


def _record(db: Database, target: _Target, outcomes: list[tuple[int, SendOutcome]], clock: Clock) -> None:
    """Write every answer of a dispatched batch to the ledger, and what they mean for the campaign (a slower
    rate, a pause), in one transaction."""
    now = clock.now()
    scope = target.scope
    stopping = next((o for _, o in outcomes if o.category is Outcome.CAMPAIGN_STOPPING), None)
    with db.tenant(scope.company_id) as session:
        ledger.record_batch(session, scope.company_id, outcomes, now)
        campaign = session.get_one(Campaign, scope.campaign_id, with_for_update=True)
        if any(o.slow_down for _, o in outcomes):
            pacer.back_off(session, connection_id=scope.connection_id)
            campaign.current_rate = max(1.0, campaign.current_rate * pacer.RATE_LIMIT_SLOWDOWN)
        if stopping is not None:
            states.pause_for(session, campaign, stopping.campaign_reason or "the provider stopped the campaign", now)
        ledger.emit_progress(session, campaign.id)


def _idle(db: Database, queue: Queue, target: _Target, claim: Claim, clock: Clock) -> str:
    """Nothing due now: complete the campaign, or come back when the next recipient is due."""
    with db.tenant(target.scope.company_id) as session:
        campaign = session.get_one(Campaign, target.scope.campaign_id, with_for_update=True)
        if ledger.complete_if_done(session, campaign, clock.now()):
            return "completed"
        left = ledger.remaining(session, campaign.id)
    if left.get("pending"):
        due = claim.next_due or clock.now()
        delay = max(1, int((due - clock.now()).total_seconds()) + 1)
        enqueue_send(queue, target.scope.company_id, target.scope.campaign_id, delay_seconds=delay)
        return "waiting"
    return "settling"  # only unknown outcomes left: status webhooks or the sweeper finish it
