"""The sender: drives one running campaign through its ledger under the number's pacer.

A drive holds the campaign's lease (one driver per campaign) and repeats, for a slice of time:
claim a small batch of due recipients (``pending`` → ``sending``, committed *before* any request), reserve
their send slots on the number's lane, post each at its slot, then record every answer. So:

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

import random
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from masteria.campaigns import claims, ledger, messages, states, window
from masteria.campaigns.claims import Batch, Claim
from masteria.campaigns.jobs import SendJob, enqueue_send
from masteria.campaigns.models import Campaign
from masteria.channels.models import ChannelConnection
from masteria.channels.providers.port import OutboundMessage, Outcome, Registry, SendOutcome
from masteria.crypto import CompanyKeys
from masteria.db import Database
from masteria.observability import logger
from masteria.outbound import pacer, send
from masteria.ports import Clock, Queue
from masteria.tenancy.models import Company


@dataclass(frozen=True)
class SenderSettings:
    slice_seconds: float = 20.0  # one drive, then the campaign goes back to the queue
    # of sending per claimed batch, and batches claimed ahead of the one being posted: pause is seen within
    # (1 + batches_ahead) * batch_seconds, and a worker that dies loses at most that much sending of claimed
    # but unsent recipients (they end as failed_unknown, never sent twice)
    batch_seconds: float = 0.25
    batches_ahead: int = 2
    max_batch: int = 250
    lease_seconds: float = 15.0  # a claimed recipient unanswered this long after its slot becomes unknown
    concurrency: int = 64  # requests in flight at most (see pacer.Flight for how many are)


@dataclass
class _Target:
    """What a drive needs of the campaign, read once, and its own pacing of requests."""

    scope: claims.Scope
    route: send.Route
    posts: pacer.Posts
    flight: pacer.Flight = field(default_factory=lambda: pacer.Flight(SenderSettings.concurrency))


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
    reason = "slice"
    ends = time.monotonic() + settings.slice_seconds
    target.flight = pacer.Flight(settings.concurrency)
    # threads are started as requests need them: no more than pacer.Flight lets be in flight at once
    pool = ThreadPoolExecutor(max_workers=settings.concurrency, thread_name_prefix="campaign-send")
    dispatcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="campaign-dispatch")
    # A pipeline: the dispatcher posts one batch at its slots while the next ones wait their turn behind it,
    # claimed already (their slots follow on), and the answers of the batch before are recorded. So the
    # number's slots are used back to back even when a claim or a record takes a while.
    queued: deque[tuple[Batch, Future[list[Future[SendOutcome]]]]] = deque()
    try:
        while time.monotonic() < ends and not should_stop():
            claim = _claim(db, target, settings, clock)
            if claim.status != "running":
                reason = "paused" if claim.status == "paused" else "not_running"
                break
            if claim.batch.ids:
                queued.append((claim.batch, dispatcher.submit(_dispatch, pool, target, claim)))
            if len(queued) > settings.batches_ahead or (queued and not claim.batch.ids):
                batch, dispatched = queued.popleft()
                _record(db, target, batch, dispatched.result(), clock)
            elif claim.lane_wait:  # due, but other bulk sends of the number hold its line ahead: a moment
                time.sleep(min(claim.lane_wait, settings.batch_seconds))
            elif not claim.batch.ids:
                reason = _idle(db, queue, target, claim, clock)
                break
        while queued:
            batch, dispatched = queued.popleft()
            _record(db, target, batch, dispatched.result(), clock)
    finally:
        dispatcher.shutdown(wait=True)
        pool.shutdown(wait=True)
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
    return _Target(scope=scope, route=route, posts=pacer.posts_of(connection.id))


def _claim(db: Database, target: _Target, settings: SenderSettings, clock: Clock) -> Claim:
    return claims.claim(
        db,
        target.scope,
        clock=clock,
        batch_seconds=settings.batch_seconds,
        max_batch=settings.max_batch,
        lease_seconds=settings.lease_seconds,
    )


def _dispatch(pool: ThreadPoolExecutor, target: _Target, claim: Claim) -> list[Future[SendOutcome]]:
    """Post each message at its slot (the slots are the number's pacing); the requests, in the batch's order."""
    rate = pacer.SLOT_MARGIN / claim.interval
    guard = pacer.guard_for(claim.interval, target.route.limits.arrival_jitter)
    futures: list[Future[SendOutcome]] = []
    for index, (recipient_id, message) in enumerate(zip(claim.batch.ids, claim.batch.messages, strict=True)):
        delay = claim.first_slot + index * claim.interval - time.time()
        if delay > 0:
            time.sleep(delay)
        token = target.flight.enter(rate)
        attempt = claim.batch.attempts.get(recipient_id, 1)
        futures.append(pool.submit(_post, target, message, attempt, guard, token=token))
    return futures


def _post(target: _Target, message: OutboundMessage, attempt: int, guard: pacer.Guard, *, token: int) -> SendOutcome:
    """One request, checked at the last moment against the number's recent requests (``pacer.Posts``)."""
    target.posts.wait_turn(guard)
    started, seconds = time.monotonic(), None
    route = target.route
    try:
        outcome = route.provider.send(message, route.config, attempt=attempt, jitter=random.random())  # noqa: S311
        if outcome.category is not Outcome.UNKNOWN:
            seconds = time.monotonic() - started
        return outcome
    finally:
        target.flight.leave(token, seconds)


def _answer(future: Future[SendOutcome]) -> SendOutcome | BaseException:
    try:
        return future.result()
    except Exception as error:  # the provider never raises for its answer: this is our bug, and may have gone out
        return error


def _record(db: Database, target: _Target, batch: Batch, futures: list[Future[SendOutcome]], clock: Clock) -> None:
    """Write every answer of a dispatched batch to the ledger, and what they mean for the campaign (a slower
    rate, a pause), in one transaction."""
    now = clock.now()
    scope = target.scope
    outcomes: list[tuple[int, SendOutcome]] = []
    for recipient_id, future in zip(batch.ids, futures, strict=True):
        answer = _answer(future)
        if isinstance(answer, BaseException):  # may have gone out: unknown, and our bug
            logger.error(
                "campaign send failed unexpectedly", exc_info=answer, extra={"campaign_id": str(scope.campaign_id)}
            )
            answer = SendOutcome(Outcome.UNKNOWN, unexpected=True)
        outcomes.append((recipient_id, answer))
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
