"""The pacer of one sending number, shared by every sender of it (an inbox reply, a campaign, a cadence step, an
AI reply): evenly spaced send slots in the number's ``send_lanes`` row, so that no one-second window ever holds
more than the number's rate, whoever sends; a drive's own limits on its requests (``Posts``, ``Flight``).

Two kinds of reservation share one line of slots:

- **bulk** (a campaign): slots no further ahead than ``BULK_HORIZON`` of the moment the number may send (now, or
  the end of a back-off). A campaign of a million recipients holds less than a second of the line, never the
  line: what it cannot have now it claims again a moment later.
- **priority** (a reply to a person): the next free slot, at once, whatever the campaigns hold. It is at most
  ``BULK_HORIZON`` away (and a slot for itself and each reply ahead of it), and it moves the line on by one
  slot: campaigns reserve after it, so the rate holds with replies counted in it.

The rate is the provider's for that connection (``Limits.rate``: Meta's throughput level, an SMS number's MPS
from its configuration)."""

from __future__ import annotations

import itertools
import math
import sys
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from masteria.channels.providers.retries import RATE_LIMIT_BACKOFF
from masteria.outbound.models import SendLane

# Slots are this much wider than 1/rate: the rate's one-second windows keep this margin against the jitter
# between a slot and the moment its request reaches the provider (at 80/s: 35 ms in every second).
SLOT_MARGIN = 1.035
# A drive never makes more requests in any one second of its own than the rate less what may arrive late
# (``Limits.arrival_jitter``: a request made this long before a second may reach the provider in it), and never
# two requests closer than a slot divided by CATCH_UP: a batch that starts late, or after a stall, catches
# up smoothly, not in a burst that would reach the provider crowded into one moment.
CATCH_UP = 1.1
# How long a thread may hold the interpreter before another that waits gets it (Python's default is 5 ms): a
# bulk drive's requests leave when their turn comes only if the thread whose turn it is gets to run then, while
# dozens of others read answers. At 5 ms the waits added up to ~50 ms now and then, bunching requests at Meta.
SWITCH_INTERVAL_SECONDS = 0.001
# How far ahead of the moment the number may send a bulk reservation's slots may start: a reply waits at most
# this behind every campaign of its number. A campaign's drive keeps three quarter-second
# batches in hand (sender.SenderSettings): this holds them.
BULK_HORIZON = timedelta(seconds=0.8)
# On the provider's "throughput reached" the number pauses (retries.RATE_LIMIT_BACKOFF) and the campaign slows
# by this factor.
RATE_LIMIT_SLOWDOWN = 0.8


@dataclass(frozen=True)
class Guard:
    """A drive's limits on its own requests, checked as each is made."""

    per_second: int  # in any one-second window
    gap: float  # seconds between two requests, at least


def prompt_turns() -> None:
    """For a process that drives bulk sends (``bulk.run`` calls it; process-wide, and the same every time): a
    thread's turn to post is taken within a millisecond."""
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)


def slot_seconds(rate: float) -> float:
    return SLOT_MARGIN / rate


def guard_for(interval: float, arrival_jitter: timedelta) -> Guard:
    """The limits of a drive posting one request every ``interval`` seconds to a provider its requests reach up
    to ``arrival_jitter`` late (at 80/s and 37.5 ms: 77 in a second, three short of the rate)."""
    rate = SLOT_MARGIN / interval
    spare = 1 - arrival_jitter.total_seconds()
    return Guard(per_second=max(1, int(rate * spare + 1e-9)), gap=interval / CATCH_UP)


@dataclass
class Posts:
    """A number's recent requests in this process (``posts_of``), shared by the threads of its drives."""

    recent: deque[float] = field(default_factory=deque)  # time.monotonic() of this drive's requests
    lock: threading.Lock = field(default_factory=threading.Lock)
    last: float = float("-inf")

    def wait_turn(self, guard: Guard) -> None:
        """Wait until one more request keeps to ``guard``, however the threads were scheduled: a batch that
        starts late, or a stall, catches up on its slots, but never faster than ``guard.gap`` apart nor beyond
        ``guard.per_second`` in any second (a share of the rate that leaves room for the requests' jitter on
        the way to Meta); then count it."""
        recent = self.recent
        with self.lock:
            now = time.monotonic()
            while recent and recent[0] <= now - 1.0:
                recent.popleft()
            wait = self.last + guard.gap - now
            if len(recent) >= guard.per_second:
                wait = max(wait, recent[0] + 1.0 - now)
            if wait > 0:
                time.sleep(wait)
            self.last = time.monotonic()
            while recent and recent[0] <= self.last - 1.0:
                recent.popleft()
            recent.append(self.last)


_POSTS: dict[uuid.UUID, Posts] = {}
_POSTS_LOCK = threading.Lock()


def posts_of(connection_id: uuid.UUID) -> Posts:
    """The recent requests of every drive of the number in this process. A campaign's next drive (a new slice)
    or another campaign of the same number starts where the last requests left off: slots a little over a
    second's worth apart (49 of them at 50/s) never all go out in one second because a drive began among them."""
    with _POSTS_LOCK:
        return _POSTS.setdefault(connection_id, Posts())


class Flight:
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


@dataclass(frozen=True)
class Lane:
    """A number's line of slots: the next free one, and the end of a back-off (None: none)."""

    next_slot_at: datetime
    backoff_until: datetime | None = None


@dataclass(frozen=True)
class Slots:
    """Reserved slots: ``count`` of them from ``first``, ``interval`` seconds apart (``count`` 0: the line is
    held by bulk reservations; ask again in ``retry_in``)."""

    first: datetime
    count: int
    interval: float
    now: datetime  # the time they were reserved at (the database's clock)
    retry_in: timedelta = timedelta(0)

    def at(self, index: int) -> datetime:
        return self.first + timedelta(seconds=index * self.interval)


def plan(lane: Lane, *, now: datetime, count: int, rate: float, priority: bool) -> tuple[Slots, Lane]:
    """The slots ``count`` sends get on ``lane`` at ``now`` (a pure function: the pacer's rule), and the lane
    after. Bulk gets only the slots starting within ``BULK_HORIZON`` of the moment the number may send; a
    priority reservation gets the next free ones, whatever bulk holds."""
    interval = slot_seconds(rate)
    earliest = max(now, lane.backoff_until or now)
    first = max(lane.next_slot_at, earliest)
    granted = count
    if not priority:
        room = (earliest + BULK_HORIZON - first).total_seconds()
        granted = min(count, math.ceil(room / interval)) if room > 0 else 0
    retry_in = timedelta(0)
    if granted == 0:
        retry_in = first - (earliest + BULK_HORIZON) + timedelta(seconds=interval)
    slots = Slots(first=first, count=granted, interval=interval, now=now, retry_in=retry_in)
    after = Lane(next_slot_at=first + timedelta(seconds=granted * interval), backoff_until=lane.backoff_until)
    return slots, after


def reserve(
    session: Session,
    *,
    company_id: uuid.UUID,
    connection_id: uuid.UUID,
    count: int,
    rate: float,
    priority: bool = False,
    now: datetime | None = None,
) -> Slots:
    """Reserve up to ``count`` consecutive slots of the number at ``rate`` (``plan``'s rule), on the database's
    clock unless ``now`` is given (a test's). Concurrent reservations queue on the lane's row lock, so their
    slots never overlap; the lock is held until the caller's transaction ends."""
    session.execute(
        insert(SendLane)
        .values(company_id=company_id, connection_id=connection_id)
        .on_conflict_do_nothing(index_elements=["connection_id"])
    )
    next_slot_at, backoff_until, db_now = session.execute(
        text(
            "SELECT next_slot_at, backoff_until, clock_timestamp() FROM send_lanes"
            " WHERE connection_id = :connection FOR UPDATE"
        ),
        {"connection": connection_id},
    ).one()
    slots, after = plan(Lane(next_slot_at, backoff_until), now=now or db_now, count=count, rate=rate, priority=priority)
    if slots.count:
        session.execute(
            text("UPDATE send_lanes SET next_slot_at = :next WHERE connection_id = :connection"),
            {"connection": connection_id, "next": after.next_slot_at},
        )
    return slots


def back_off(session: Session, *, connection_id: uuid.UUID) -> None:
    """The provider said the number's throughput is reached: nothing is sent through it for a while."""
    session.execute(
        text(
            "UPDATE send_lanes SET backoff_until = clock_timestamp() + make_interval(secs => :seconds)"
            " WHERE connection_id = :connection"
        ),
        {"connection": connection_id, "seconds": RATE_LIMIT_BACKOFF.total_seconds()},
    )
