"""The batch pipeline of the bulk senders (a campaign, a number's cadence steps): the one outbound path's steps
(``outbound.send``) for many messages at the number's rate, exactly once each.

A drive holds its sender's lease (one driver at a time) and repeats, for a slice of time:

1. **claim** a small batch of due ledger rows (``pending`` → ``sending``, ``SKIP LOCKED``) with their send slots
   reserved on the number's shared lane (``reserve``: bulk slots, so a reply to a person takes the next free one
   ahead of them), committed *before* any request;
2. **dispatch**: mark the batch posted (``bulk_ledger.mark_posting``: one write, before its first request; rows
   claimed but never posted go back to pending if the worker dies, only posted ones may be unknown), then post each
   message at its slot through the connection's provider, within the drive's own limits on its requests
   (``pacer.Posts``, ``pacer.Flight``);
3. **record** every answer on the ledger (``bulk_ledger.record``): sent, refused (pending again or failed), or
   unknown (may have gone out: never sent again; the provider's status or the sweeper settles it).

The three overlap: the dispatcher posts one batch while the next ones wait behind it, claimed already (their
slots follow on), and the answers of the batch before are recorded; so the number's slots are used back to back
even when a claim or a record takes a while. What a sender claims, how it records and what it does when nothing
is due are its own (``Drive``); the pipeline, its pacing and its threads are here, once."""

from __future__ import annotations

import random
import time
import traceback
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.orm import Session

from masteria.channels.providers.port import OutboundMessage, Outcome, SendOutcome
from masteria.channels.providers.sms import segments
from masteria.errors import FieldError, Invalid
from masteria.observability import logger
from masteria.outbound import pacer, send


@dataclass(frozen=True)
class Settings:
    slice_seconds: float = 20.0  # one drive, then the sender goes back to the queue
    # of sending per claimed batch, and batches claimed ahead of the one being posted: a stop (a pause) is seen
    # within (1 + batches_ahead) * batch_seconds; a worker that dies leaves at most the batch it was posting
    # unknown (never sent twice), the batches claimed behind it go back to pending when their lease runs out
    batch_seconds: float = 0.25
    batches_ahead: int = 2
    max_batch: int = 250
    lease_seconds: float = 15.0  # a claimed row unanswered this long after its slot becomes unknown
    concurrency: int = 64  # requests in flight at most (see pacer.Flight for how many are)


@dataclass
class Batch:
    ids: list[int] = field(default_factory=list)  # ledger rows, in the order of their slots
    messages: list[OutboundMessage] = field(default_factory=list)
    segments: dict[int, int] = field(default_factory=dict)  # SMS: the parts of each row's message
    attempts: dict[int, int] = field(default_factory=dict)  # this claim's attempt number, by row


@dataclass
class Claim:
    batch: Batch
    stop: str | None = None  # the drive ends now, and why (the campaign was paused…)
    first_slot: float = 0.0  # local time.time() of the first slot
    interval: float = 0.0
    next_due: datetime | None = None  # nothing due now: when the next pending row is due
    # rows are due but the number's line is held ahead by other bulk sends: claim again this much later
    lane_wait: float = 0.0
    claimed_until: datetime | None = None  # the batch's lease: unanswered after it, the sweeper's to call unknown


@dataclass
class Sorting:
    """A claim's due rows sorted by the one outbound path's rules: the batch to send, and those settled on the
    way: skipped (with the reason), deferred (until then) or broken (our bug, with its trace)."""

    batch: Batch = field(default_factory=Batch)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    deferred: list[tuple[int, datetime]] = field(default_factory=list)
    broken: list[tuple[int, str]] = field(default_factory=list)

    def take(
        self,
        row_id: int,
        message: Callable[[], OutboundMessage],
        check: Callable[[OutboundMessage], Sequence[FieldError]],
        *,
        sms: bool,
    ) -> None:
        """The row's message into the batch (``sms``: its segments counted), or the row skipped when its values do
        not fill it or the provider refuses it (``check``), or broken when building it raised anything else."""
        try:
            built = message()
            refused = check(built)
            if refused:
                raise Invalid("the provider refuses this message", list(refused))
        except Invalid as error:
            self.skipped.append((row_id, f"{error.detail}: {', '.join(e.field for e in error.errors)}"[:300]))
            return
        except Exception:  # our bug: this row fails, the others go on
            self.broken.append((row_id, traceback.format_exc()[-4000:]))
            return
        self.batch.ids.append(row_id)
        self.batch.messages.append(built)
        if sms:
            self.batch.segments[row_id] = segments.count(built.text or "").count

    @property
    def next_due(self) -> datetime | None:
        """Nothing sent, skipped or broken: when the first deferred row is due."""
        if self.batch.ids or self.skipped or self.broken:
            return None
        return min((at for _, at in self.deferred), default=None)


class Drive(Protocol):
    """A sender's side of a drive."""

    def claim(self) -> Claim:
        """The next due rows, claimed with their slots (``reserve``) in one committed transaction."""
        ...

    def posting(self, batch: Batch) -> list[int]:
        """Mark the batch's rows posted, in one committed transaction, before its first request
        (``bulk_ledger.mark_posting``); the rows still this claim's, which alone may be posted."""
        ...

    def record(self, batch: Batch, outcomes: list[tuple[int, SendOutcome]]) -> None:
        """Write a dispatched batch's answers, by row id, in one transaction."""
        ...

    def idle(self, claim: Claim) -> str:
        """Nothing is due now: what the drive ends as (waiting for the next due row, completed…)."""
        ...


def reserve(
    session: Session,
    batch: Batch,
    *,
    company_id: uuid.UUID,
    connection_id: uuid.UUID,
    rate: float,
    units: Callable[[OutboundMessage], int],
    lease_seconds: float,
) -> Claim:
    """Reserve the batch's slots on the number's lane, in the claim's transaction. Each message gets a slot as
    wide as the batch's widest one's units (an SMS's segments: the number's MPS counts message parts), so a batch
    never takes the number over its rate. The line holds less than a second of bulk sends: what it cannot have
    now is cut from the batch (``lane_wait``: ask again then), and stays pending."""
    claimed = Claim(batch=batch)
    if not batch.ids:
        return claimed
    widest = max(units(message) for message in batch.messages)
    slots = pacer.reserve(
        session, company_id=company_id, connection_id=connection_id, count=len(batch.ids), rate=rate / widest
    )
    del batch.ids[slots.count :], batch.messages[slots.count :]
    claimed.lane_wait = slots.retry_in.total_seconds()
    if batch.ids:
        claimed.interval = slots.interval
        claimed.first_slot = time.time() + (slots.first - slots.now).total_seconds()
        claimed.claimed_until = slots.first + timedelta(seconds=len(batch.ids) * slots.interval + lease_seconds)
    return claimed


@dataclass
class _Lane:
    """The number as one drive posts to it: its route, its recent requests in this process, the drive's flight."""

    route: send.Route
    posts: pacer.Posts
    flight: pacer.Flight


def run(
    drive: Drive,
    route: send.Route,
    *,
    settings: Settings,
    should_stop: Callable[[], bool] = lambda: False,
    log: dict[str, str] | None = None,
) -> str:
    """Claim, dispatch and record for up to one slice; why it stopped: ``slice`` (more to do), a claim's ``stop``,
    or what ``drive.idle`` says. Every dispatched batch is recorded before this returns."""
    pacer.prompt_turns()
    lane = _Lane(route, pacer.posts_of(route.connection_id), pacer.Flight(settings.concurrency))
    reason = "slice"
    ends = time.monotonic() + settings.slice_seconds
    # threads are started as requests need them: no more than pacer.Flight lets be in flight at once
    pool = ThreadPoolExecutor(max_workers=settings.concurrency, thread_name_prefix="bulk-send")
    dispatcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulk-dispatch")
    queued: deque[tuple[Batch, Future[list[Future[SendOutcome]]]]] = deque()
    try:
        while time.monotonic() < ends and not should_stop():
            claim = drive.claim()
            if claim.stop is not None:
                reason = claim.stop
                break
            if claim.batch.ids:
                queued.append((claim.batch, dispatcher.submit(_dispatch, pool, lane, drive, claim)))
            if len(queued) > settings.batches_ahead or (queued and not claim.batch.ids):
                batch, dispatched = queued.popleft()
                drive.record(batch, _answers(batch, dispatched.result(), log))
            elif claim.lane_wait:  # due, but other bulk sends of the number hold its line ahead: a moment
                time.sleep(min(claim.lane_wait, settings.batch_seconds))
            elif not claim.batch.ids:
                reason = drive.idle(claim)
                break
        while queued:
            batch, dispatched = queued.popleft()
            drive.record(batch, _answers(batch, dispatched.result(), log))
    finally:
        dispatcher.shutdown(wait=True)
        pool.shutdown(wait=True)
    return reason


def _dispatch(pool: ThreadPoolExecutor, lane: _Lane, drive: Drive, claim: Claim) -> list[Future[SendOutcome]]:
    """Mark the batch posted, then post each message at its slot (the slots are the number's pacing); the
    requests, in the batch's order. A row no longer the claim's (its lease ran out before the mark) is left out
    of the batch, never posted."""
    batch = claim.batch
    posted = set(drive.posting(batch))
    slotted = [
        (i, row_id, m) for i, (row_id, m) in enumerate(zip(batch.ids, batch.messages, strict=True)) if row_id in posted
    ]
    batch.ids, batch.messages = [r for _, r, _ in slotted], [m for _, _, m in slotted]
    rate = pacer.SLOT_MARGIN / claim.interval
    guard = pacer.guard_for(claim.interval, lane.route.limits.arrival_jitter)
    futures: list[Future[SendOutcome]] = []
    for index, row_id, message in slotted:
        delay = claim.first_slot + index * claim.interval - time.time()
        if delay > 0:
            time.sleep(delay)
        token = lane.flight.enter(rate)
        attempt = claim.batch.attempts.get(row_id, 1)
        futures.append(pool.submit(_post, lane, message, attempt, guard, token=token))
    return futures


def _post(lane: _Lane, message: OutboundMessage, attempt: int, guard: pacer.Guard, *, token: int) -> SendOutcome:
    """One request, checked at the last moment against the number's recent requests (``pacer.Posts``)."""
    lane.posts.wait_turn(guard)
    started, seconds = time.monotonic(), None
    route = lane.route
    try:
        outcome = route.provider.send(message, route.config, attempt=attempt, jitter=random.random())  # noqa: S311
        if outcome.category is not Outcome.UNKNOWN:
            seconds = time.monotonic() - started
        return outcome
    finally:
        lane.flight.leave(token, seconds)


def _answers(
    batch: Batch, futures: list[Future[SendOutcome]], log: dict[str, str] | None
) -> list[tuple[int, SendOutcome]]:
    """Each row's answer; a request that raised (the provider never raises for its answer: our bug) may have gone
    out: unknown."""
    outcomes: list[tuple[int, SendOutcome]] = []
    for row_id, future in zip(batch.ids, futures, strict=True):
        try:
            answer = future.result()
        except Exception:
            logger.exception("a bulk send failed unexpectedly: its outcome is unknown", extra=log or {})
            answer = SendOutcome(Outcome.UNKNOWN, unexpected=True)
        outcomes.append((row_id, answer))
    return outcomes
