"""The sender: drives one running campaign through its ledger under the number's pacing.

A drive holds the campaign's lease (one driver per campaign) and repeats, for a slice of time:
claim a small batch of due recipients (``pending`` → ``sending``, committed *before* any request), reserve
their send slots on the number's lane, post each at its slot, then record every answer. So:

- a recipient is claimed by one worker only (row locks, ``SKIP LOCKED``), whatever the queue delivers twice;
- a recipient whose request may have reached Meta is never sent again: a lost answer (timeout, crash
  between the call and the commit) leaves it ``sending``/``unknown`` until Meta's status webhook — which
  carries our ledger id in ``biz_opaque_callback_data`` — settles it, or the sweeper fails it as unknown;
- only Meta's explicit refusals (rate limits, transient codes) put a recipient back to ``pending``.

Pause and cancel are seen at the next claim: within three quarter-second batches of sending.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
import traceback
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import exists, func, select, text, update
from sqlalchemy.orm import Session

from masteria.campaigns import ledger, pacing, window
from masteria.campaigns.jobs import SendJob, enqueue_send
from masteria.campaigns.models import Campaign, CampaignDeadLetter, CampaignRecipient
from masteria.channels import connections, messages
from masteria.channels.graph import GraphClient, SendResult
from masteria.channels.meta_errors import Category, GraphError, GraphOutcomeUnknown
from masteria.channels.models import ChannelConnection
from masteria.contacts.models import Contact, ContactConsent
from masteria.crypto import CompanyKeys
from masteria.db import Database
from masteria.errors import Invalid
from masteria.events import EventType, record_event
from masteria.notifications import service as notifications
from masteria.observability import logger
from masteria.ports import Clock, Queue
from masteria.templates.models import WhatsAppTemplate
from masteria.templates.rendering import contact_values
from masteria.templates.whatsapp import fill
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
    concurrency: int = 64  # requests in flight at most (see _Flight for how many are)
    # Meta answers a send in well under a second; one unanswered this long is an unknown outcome
    request_timeout: float = 10.0


class _Flight:
    """How many requests are in flight, and how many may be: what the rate needs at the answers' latency
    (Little's law, twice over, plus four), measured as the drive goes. Meta answers in a few hundred
    milliseconds, the sandbox on loopback in one or two: threads beyond what the rate needs only take turns
    at the interpreter lock, and every request waits longer for its turn.

    Under load latency grows with the requests in flight, and following it would add requests until the
    cap. So the latency followed is the least seen in the drive (a drive lasts a slice, 20 s), and the
    allowance starts at the minimum and grows by one request per answer (it falls at once). A request
    unanswered for ten times that latency (a quarter of a second at least) is stuck, waiting on the network
    and using nothing here: it no longer counts, or a few timeouts would hold up the whole campaign. The
    cap counts every request, stuck or not (it is the number of threads)."""

    MINIMUM = 4
    STUCK_FACTOR = 10
    STUCK_AT_LEAST = 0.25  # seconds

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.allowed = self.MINIMUM
        self._started: dict[int, float] = {}  # request → time.monotonic() it entered
        self._tokens = itertools.count()
        self._floor: float | None = None  # seconds
        self._rate = 1.0
        self._changed = threading.Condition()

    @property
    def count(self) -> int:
        return len(self._started)

    def _active(self, now: float) -> int:
        stuck_after = max(self.STUCK_AT_LEAST, self.STUCK_FACTOR * (self._floor or 0.0))
        return sum(1 for started in self._started.values() if now - started < stuck_after)

    def enter(self, rate: float) -> int:
        """Wait for room, then count a request in; the token to ``leave`` with."""
        with self._changed:
            self._rate = rate
            while len(self._started) >= self.cap or self._active(time.monotonic()) >= self.allowed:
                self._changed.wait(self.STUCK_AT_LEAST / 5)  # requests also make room by getting stuck
            token = next(self._tokens)
            self._started[token] = time.monotonic()
            return token

    def leave(self, token: int, seconds: float | None) -> None:
        """A request ended; ``seconds`` it took, if it was answered."""
        with self._changed:
            del self._started[token]
            if seconds is not None:
                self._floor = seconds if self._floor is None else min(self._floor, seconds)
                wanted = max(self.MINIMUM, min(self.cap, math.ceil(self._rate * self._floor * 2) + 4))
                self.allowed = min(wanted, self.allowed + 1)
            self._changed.notify()


@dataclass
class _Target:
    """What a drive needs of the campaign, read once."""

    campaign_id: uuid.UUID
    company_id: uuid.UUID
    connection_id: uuid.UUID
    phone_number_id: str
    token: str
    template: WhatsAppTemplate
    parameters: dict[str, str]
    defaults: dict[str, str]
    company_zone: ZoneInfo
    window: tuple[Any, Any, str] | None  # (start, end, "company" | "contact")
    rate: float = 1.0  # the campaign's rate when the drive began (each claim reads it again)
    recent_posts: deque[float] = field(default_factory=deque)  # time.monotonic() of this drive's requests
    posting: threading.Lock = field(default_factory=threading.Lock)
    last_post: float = float("-inf")
    flight: _Flight = field(default_factory=lambda: _Flight(SenderSettings.concurrency))


@dataclass
class _Batch:
    ids: list[int] = field(default_factory=list)
    bodies: list[dict[str, Any]] = field(default_factory=list)
    futures: list[Future[SendResult]] = field(default_factory=list)
    attempts: dict[int, int] = field(default_factory=dict)  # this claim's attempt number, by recipient


@dataclass
class _Claim:
    status: str  # the campaign's status
    batch: _Batch
    first_slot: float = 0.0  # local time.time() of the first slot
    interval: float = 0.0
    next_due: datetime | None = None  # nothing due now: when the next pending recipient is due


def drive(
    *,
    db: Database,
    queue: Queue,
    graph: GraphClient,
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
        target = _target(session, keys, job, clock.now())
    if isinstance(target, str):
        return target
    reason = "slice"
    ends = time.monotonic() + settings.slice_seconds
    target.flight = _Flight(settings.concurrency)
    # threads are started as requests need them: no more than _Flight lets be in flight at once
    pool = ThreadPoolExecutor(max_workers=settings.concurrency, thread_name_prefix="campaign-send")
    dispatcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="campaign-dispatch")
    # A pipeline: the dispatcher posts one batch at its slots while the next ones wait their turn behind it,
    # claimed already (their slots follow on), and the answers of the batch before are recorded. So the
    # number's slots are used back to back even when a claim or a record takes a while.
    queued: deque[tuple[_Batch, Future[None]]] = deque()
    try:
        while time.monotonic() < ends and not should_stop():
            claim = _claim(db, target, settings, clock)
            if claim.status != "running":
                reason = "paused" if claim.status == "paused" else "not_running"
                break
            if claim.batch.ids:
                queued.append((claim.batch, dispatcher.submit(_dispatch, pool, graph, target, claim, settings)))
            if len(queued) > settings.batches_ahead or (queued and not claim.batch.ids):
                batch, dispatched = queued.popleft()
                dispatched.result()
                _record(db, target, batch, clock)
            elif not claim.batch.ids:
                reason = _idle(db, queue, target, claim, clock)
                break
        while queued:
            batch, dispatched = queued.popleft()
            dispatched.result()
            _record(db, target, batch, clock)
    finally:
        dispatcher.shutdown(wait=True)
        pool.shutdown(wait=True)
        with db.tenant(job.company_id) as session:
            session.execute(update(Campaign).where(Campaign.id == job.campaign_id).values(driver_until=None))
            status = session.scalar(select(Campaign.status).where(Campaign.id == job.campaign_id))
    if reason == "slice" or (reason == "paused" and status == "running"):  # more to do, or resumed meanwhile
        enqueue_send(queue, job.company_id, job.campaign_id)
    return reason


def _target(session: Session, keys: CompanyKeys, job: SendJob, now: datetime) -> _Target | str:
    campaign = session.get_one(Campaign, job.campaign_id)
    connection = session.get(ChannelConnection, campaign.connection_id) if campaign.connection_id else None
    template = session.get(WhatsAppTemplate, campaign.whatsapp_template_id) if campaign.whatsapp_template_id else None
    problem = (
        "its WhatsApp connection was deleted"
        if connection is None
        else "its WhatsApp template was deleted"
        if template is None
        else None
    )
    if problem is not None or connection is None or template is None:
        _fail(session, campaign, f"the campaign cannot send: {problem}", now)
        return "not_running"
    credentials = connections.credentials(session, keys, connection)
    session.expunge(template)
    company = session.get_one(Company, campaign.company_id)
    return _Target(
        campaign_id=campaign.id,
        company_id=campaign.company_id,
        connection_id=connection.id,
        phone_number_id=credentials.phone_number_id,
        token=credentials.access_token,
        template=template,
        parameters=dict(campaign.parameters),
        defaults=dict(campaign.defaults),
        company_zone=window.zone(campaign.timezone or company.timezone),
        rate=campaign.current_rate,
        window=(campaign.window_start, campaign.window_end, campaign.window_timezone)
        if campaign.window_start is not None and campaign.window_end is not None
        else None,
    )


def _fail(session: Session, campaign: Campaign, reason: str, now: datetime) -> None:
    campaign.status, campaign.status_reason, campaign.finished_at = "failed", reason[:500], now
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


def pause_for(session: Session, campaign: Campaign, reason: str, now: datetime) -> None:
    """Pause a running campaign because of Meta (campaign-stopping codes, a refused token), and say why."""
    if campaign.status != "running":
        return
    campaign.status, campaign.status_reason, campaign.paused_at = "paused", reason[:500], now
    record_event(
        session,
        company_id=campaign.company_id,
        type=EventType.CAMPAIGN_PAUSED,
        data={"campaign_id": str(campaign.id), "reason": reason[:500]},
    )
    _tell(session, campaign, "paused", reason)


_OPTED_OUT = exists().where(
    ContactConsent.contact_id == CampaignRecipient.contact_id,
    ContactConsent.channel == "whatsapp",
    ContactConsent.status == "opted_out",
)


def _claim(db: Database, target: _Target, settings: SenderSettings, clock: Clock) -> _Claim:
    """Claim the next due recipients and reserve their slots, in one committed transaction."""
    with db.tenant(target.company_id) as session:
        campaign = session.get_one(Campaign, target.campaign_id)
        if campaign.status != "running":
            return _Claim(status=campaign.status, batch=_Batch())
        rate = campaign.current_rate
        now = clock.now()
        if target.window is not None and target.window[2] == "company":
            start, end, _ = target.window
            opens = window.next_open(now, start, end, target.company_zone)
            if opens > now:
                return _Claim(status="running", batch=_Batch(), next_due=opens)
        size = max(1, min(settings.max_batch, int(rate * settings.batch_seconds)))
        rows = session.execute(
            select(
                CampaignRecipient.id,
                CampaignRecipient.phone,
                Contact.id.label("contact_id"),
                Contact.name,
                Contact.email,
                Contact.language,
                Contact.custom_fields,
                Contact.is_valid,
                _OPTED_OUT.label("opted_out"),
            )
            .outerjoin(Contact, Contact.id == CampaignRecipient.contact_id)
            .where(
                CampaignRecipient.campaign_id == target.campaign_id,
                CampaignRecipient.status == "pending",
                (CampaignRecipient.next_attempt_at.is_(None)) | (CampaignRecipient.next_attempt_at <= now),
            )
            .order_by(CampaignRecipient.id)
            .limit(size)
            .with_for_update(of=CampaignRecipient, skip_locked=True)
        ).all()
        if not rows:
            next_due = session.scalar(
                select(func.min(CampaignRecipient.next_attempt_at)).where(
                    CampaignRecipient.campaign_id == target.campaign_id, CampaignRecipient.status == "pending"
                )
            )
            return _Claim(status="running", batch=_Batch(), next_due=next_due)
        batch = _Batch()
        skipped: list[tuple[int, str]] = []
        deferred: list[tuple[int, datetime]] = []
        broken: list[tuple[int, str]] = []
        for row in rows:
            if row.contact_id is None or row.opted_out or not row.is_valid:
                why = (
                    "contact deleted" if row.contact_id is None else "opted out" if row.opted_out else "invalid number"
                )
                skipped.append((row.id, why))
                continue
            if target.window is not None and target.window[2] == "contact":
                start, end, _ = target.window
                opens = window.next_open(now, start, end, window.contact_zone(row.phone, target.company_zone))
                if opens > now:
                    deferred.append((row.id, opens))
                    continue
            try:
                batch.bodies.append(_body(target, row))
            except Invalid as error:
                skipped.append((row.id, f"{error.detail}: {', '.join(e.field for e in error.errors)}"[:300]))
                continue
            except Exception:  # our bug: the recipient goes to the dead letters, the campaign goes on
                broken.append((row.id, traceback.format_exc()[-4000:]))
                continue
            batch.ids.append(row.id)
        _finish(session, target, skipped, "skipped", now)
        _finish(session, target, [(i, "worker_error") for i, _ in broken], "failed", now)
        for recipient_id, trace in broken:
            session.add(
                CampaignDeadLetter(
                    company_id=target.company_id, campaign_id=target.campaign_id, recipient_id=recipient_id, error=trace
                )
            )
        if deferred:
            session.execute(
                text(
                    "UPDATE campaign_recipients r SET next_attempt_at = d.at, updated_at = now()"
                    " FROM unnest(CAST(:ids AS bigint[]), CAST(:ats AS timestamptz[])) AS d(id, at) WHERE r.id = d.id"
                ),
                {"ids": [i for i, _ in deferred], "ats": [a for _, a in deferred]},
            )
        claim = _Claim(status="running", batch=batch)
        if batch.ids:
            first, db_now = pacing.reserve(
                session,
                company_id=target.company_id,
                connection_id=target.connection_id,
                count=len(batch.ids),
                rate=rate,
            )
            claim.interval = pacing.slot_seconds(rate)
            claim.first_slot = time.time() + (first - db_now).total_seconds()
            claimed_until = first + timedelta(seconds=len(batch.ids) * claim.interval + settings.lease_seconds)
            claimed = session.execute(
                update(CampaignRecipient)
                .where(CampaignRecipient.id.in_(batch.ids))
                .values(
                    status="sending",
                    attempts=CampaignRecipient.attempts + 1,
                    claimed_until=claimed_until,
                    updated_at=now,
                )
                .returning(CampaignRecipient.id, CampaignRecipient.attempts)
            ).all()
            batch.attempts = {int(i): int(a) for i, a in claimed}
        elif not skipped and not broken:
            claim.next_due = min((a for _, a in deferred), default=None)
        return claim


def _body(target: _Target, row: Any) -> dict[str, Any]:
    values = contact_values(
        {
            "name": row.name,
            "phone": row.phone,
            "email": row.email,
            "language": row.language,
            "custom_fields": row.custom_fields,
        }
    )
    filled = fill(target.template, values, parameters=target.parameters, defaults=target.defaults)
    return messages.template(
        row.phone.lstrip("+"),
        target.template.name,
        target.template.language,
        filled.send_components,
        opaque=ledger.opaque(row.id),
    )


def _finish(session: Session, target: _Target, rows: list[tuple[int, str]], status: str, now: datetime) -> None:
    """Recipients final without a send (skipped) or failed, each with its reason."""
    if not rows:
        return
    session.execute(
        text(
            "UPDATE campaign_recipients r SET status = :status, error_reason = d.reason, updated_at = :now,"
            " failed_at = CASE WHEN :status = 'failed' THEN CAST(:now AS timestamptz) END"
            " FROM unnest(CAST(:ids AS bigint[]), CAST(:reasons AS text[])) AS d(id, reason) WHERE r.id = d.id"
        ),
        {"status": status, "now": now, "ids": [i for i, _ in rows], "reasons": [r for _, r in rows]},
    )


def _dispatch(
    pool: ThreadPoolExecutor, graph: GraphClient, target: _Target, claim: _Claim, settings: SenderSettings
) -> None:
    """Post each message at its slot (the slots are the number's pacing)."""
    timeout = httpx.Timeout(settings.request_timeout, connect=5.0)
    rate = pacing.SLOT_MARGIN / claim.interval
    guard = pacing.Guard(per_second=max(1, int(rate * pacing.WINDOW_SHARE)), gap=claim.interval / pacing.CATCH_UP)
    for index, body in enumerate(claim.batch.bodies):
        delay = claim.first_slot + index * claim.interval - time.time()
        if delay > 0:
            time.sleep(delay)
        token = target.flight.enter(rate)
        claim.batch.futures.append(pool.submit(_post, target, graph, body, timeout, guard, token=token))


def _post(
    target: _Target,
    graph: GraphClient,
    body: dict[str, Any],
    timeout: httpx.Timeout,
    guard: pacing.Guard,
    *,
    token: int,
) -> SendResult:
    """One request, checked at the last moment against the drive's own recent requests, however the threads
    were scheduled: a batch that starts late, or a stall, catches up on its slots, but never faster than
    ``guard.gap`` apart nor beyond ``guard.per_second`` in any second (a share of the rate that leaves room
    for the requests' jitter on the way to Meta)."""
    recent = target.recent_posts
    with target.posting:
        now = time.monotonic()
        while recent and recent[0] <= now - 1.0:
            recent.popleft()
        wait = target.last_post + guard.gap - now
        if len(recent) >= guard.per_second:
            wait = max(wait, recent[0] + 1.0 - now)
        if wait > 0:
            time.sleep(wait)
        target.last_post = time.monotonic()
        while recent and recent[0] <= target.last_post - 1.0:
            recent.popleft()
        recent.append(target.last_post)
    started, seconds = time.monotonic(), None
    try:
        result = graph.send_message(target.phone_number_id, body, token=target.token, timeout=timeout)
        seconds = time.monotonic() - started
        return result
    finally:
        target.flight.leave(token, seconds)


def _record(db: Database, target: _Target, batch: _Batch, clock: Clock) -> None:
    """Write every answer of a dispatched batch to the ledger, in one transaction."""
    now = clock.now()
    sent: list[tuple[int, str]] = []
    unknown: list[int] = []
    retry: list[tuple[int, datetime, int | None, str, bool]] = []  # id, when, code, reason, counts as attempt
    failed: list[tuple[int, int | None, str]] = []
    stopping: GraphError | None = None
    rate_limited = False
    for recipient_id, future in zip(batch.ids, batch.futures, strict=True):
        try:
            result = future.result()
        except GraphOutcomeUnknown:
            unknown.append(recipient_id)
            continue
        except GraphError as error:
            reason = str(error)[:300]
            category = error.category
            tries = batch.attempts.get(recipient_id, 1)
            if category is Category.RATE_LIMITED:
                rate_limited = True
                retry.append((recipient_id, now + pacing.RATE_LIMIT_BACKOFF, error.code, reason, False))
            elif category is Category.PAIR_RATE_LIMITED:
                retry.append((recipient_id, now + pacing.pair_rate_delay(tries - 1), error.code, reason, True))
            elif category is Category.TRANSIENT and tries < pacing.MAX_TRANSIENT_ATTEMPTS:
                retry.append((recipient_id, now + pacing.transient_delay(tries), error.code, reason, True))
            elif category is Category.RETRY_AFTER_A_DAY:
                retry.append((recipient_id, now + pacing.RETRY_AFTER_A_DAY, error.code, reason, True))
            elif category in (Category.CAMPAIGN_STOPPING, Category.AUTH):
                stopping = stopping or error
                retry.append((recipient_id, now, error.code, reason, False))
            else:  # final for this recipient: 131050, 131026, our request refused, retries used up
                failed.append((recipient_id, error.code if error.code >= 0 else None, reason))
            continue
        except Exception:  # not Meta's answer: the request may have gone out, so the outcome is unknown
            logger.exception("campaign send failed unexpectedly", extra={"campaign_id": str(target.campaign_id)})
            unknown.append(recipient_id)
            continue
        sent.append((recipient_id, result.wamid))
    with db.tenant(target.company_id) as session:
        # lock the batch's rows in id order first, as the status webhooks do: no deadlock between the two
        session.execute(
            select(CampaignRecipient.id)
            .where(CampaignRecipient.id.in_(batch.ids))
            .order_by(CampaignRecipient.id)
            .with_for_update()
        ).all()
        if sent:
            session.execute(
                text(
                    "UPDATE campaign_recipients r SET status = CASE WHEN r.status IN ('sending', 'unknown')"
                    " THEN 'sent' ELSE r.status END, wamid = COALESCE(r.wamid, d.wamid),"
                    " sent_at = COALESCE(r.sent_at, :now), claimed_until = NULL, updated_at = :now,"
                    # an error of an earlier attempt is no longer the recipient's: it was sent
                    " error_code = CASE WHEN r.status IN ('sending', 'unknown') THEN NULL ELSE r.error_code END,"
                    " error_reason = CASE WHEN r.status IN ('sending', 'unknown') THEN NULL ELSE r.error_reason END"
                    " FROM unnest(CAST(:ids AS bigint[]), CAST(:wamids AS text[])) AS d(id, wamid) WHERE r.id = d.id"
                ),
                {"now": now, "ids": [i for i, _ in sent], "wamids": [w for _, w in sent]},
            )
        if unknown:
            session.execute(
                update(CampaignRecipient)
                .where(CampaignRecipient.id.in_(unknown), CampaignRecipient.status == "sending")
                .values(status="unknown", claimed_until=None, updated_at=now)
            )
        if retry:
            session.execute(
                text(
                    "UPDATE campaign_recipients r SET status = 'pending', next_attempt_at = d.at,"
                    " error_code = d.code, error_reason = d.reason, claimed_until = NULL, updated_at = :now,"
                    " attempts = r.attempts - CASE WHEN d.counts THEN 0 ELSE 1 END"
                    " FROM unnest(CAST(:ids AS bigint[]), CAST(:ats AS timestamptz[]), CAST(:codes AS integer[]),"
                    " CAST(:reasons AS text[]), CAST(:counts AS boolean[])) AS d(id, at, code, reason, counts)"
                    " WHERE r.id = d.id AND r.status IN ('sending', 'unknown')"
                ),
                {
                    "now": now,
                    "ids": [r[0] for r in retry],
                    "ats": [r[1] for r in retry],
                    "codes": [r[2] for r in retry],
                    "reasons": [r[3] for r in retry],
                    "counts": [r[4] for r in retry],
                },
            )
        if failed:
            session.execute(
                text(
                    "UPDATE campaign_recipients r SET status = 'failed', error_code = d.code, error_reason = d.reason,"
                    " failed_at = :now, claimed_until = NULL, updated_at = :now"
                    " FROM unnest(CAST(:ids AS bigint[]), CAST(:codes AS integer[]), CAST(:reasons AS text[]))"
                    " AS d(id, code, reason) WHERE r.id = d.id AND r.status IN ('sending', 'unknown')"
                ),
                {
                    "now": now,
                    "ids": [f[0] for f in failed],
                    "codes": [f[1] for f in failed],
                    "reasons": [f[2] for f in failed],
                },
            )
        ledger.record_recipient_statuses(
            session,
            target.company_id,
            [(i, "sent", None, None) for i, _ in sent] + [(i, "failed", code, reason) for i, code, reason in failed],
        )
        campaign = session.get_one(Campaign, target.campaign_id, with_for_update=True)
        if rate_limited:
            pacing.back_off(session, connection_id=target.connection_id)
            campaign.current_rate = max(1.0, campaign.current_rate * pacing.RATE_LIMIT_SLOWDOWN)
        if stopping is not None:
            pause_for(session, campaign, f"WhatsApp error {stopping.code}: {stopping.detail}", now)
        ledger.emit_progress(session, campaign.id)


def _idle(db: Database, queue: Queue, target: _Target, claim: _Claim, clock: Clock) -> str:
    """Nothing due now: complete the campaign, or come back when the next recipient is due."""
    with db.tenant(target.company_id) as session:
        campaign = session.get_one(Campaign, target.campaign_id, with_for_update=True)
        if ledger.complete_if_done(session, campaign, clock.now()):
            return "completed"
        left = ledger.remaining(session, campaign.id)
    if left.get("pending"):
        due = claim.next_due or clock.now()
        delay = max(1, int((due - clock.now()).total_seconds()) + 1)
        enqueue_send(queue, target.company_id, target.campaign_id, delay_seconds=delay)
        return "waiting"
    return "settling"  # only unknown outcomes left: status webhooks or the sweeper finish it
