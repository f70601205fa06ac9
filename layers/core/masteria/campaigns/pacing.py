"""Pacing of one sending number: evenly spaced send slots shared by every worker through the ``send_lanes``
row, so that no one-second window ever holds more than the rate, whoever sends; a drive's own limits on its
requests (``Posts``, ``Flight``); and the delays before a refused recipient is tried again."""

from __future__ import annotations

import itertools
import math
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from masteria.campaigns.models import SendLane

# Slots are this much wider than 1/rate: the rate's one-second windows keep this margin against the jitter
# between a slot and the moment its request reaches Meta (at 80/s: 35 ms in every second).
SLOT_MARGIN = 1.035
# A drive never makes more than this share of the rate in requests in any one second of its own, and never
# two requests closer than a slot divided by CATCH_UP: a batch that starts late, or after a stall, catches
# up smoothly, not in a burst that would reach Meta crowded into one moment. (At 80/s: 77 requests, three
# short of the rate for the jitter on the way; with 78, one bench run in thirteen saw 81 reach the sandbox.)
WINDOW_SHARE = 0.9625
CATCH_UP = 1.1
# On 130429 (Meta's throughput reached) the number pauses this long and the campaign slows by this factor.
RATE_LIMIT_BACKOFF = timedelta(seconds=2)
RATE_LIMIT_SLOWDOWN = 0.8
MAX_TRANSIENT_ATTEMPTS = 6
PAIR_RATE_MAX_EXPONENT = 6  # 4^6 s ≈ 68 min between the last retries to one recipient
RETRY_AFTER_A_DAY = timedelta(hours=24)


@dataclass(frozen=True)
class Guard:
    """A drive's limits on its own requests, checked as each is made."""

    per_second: int  # in any one-second window
    gap: float  # seconds between two requests, at least


def slot_seconds(rate: float) -> float:
    return SLOT_MARGIN / rate


def guard_for(interval: float) -> Guard:
    """The limits of a drive posting one request every ``interval`` seconds."""
    rate = SLOT_MARGIN / interval
    return Guard(per_second=max(1, int(rate * WINDOW_SHARE)), gap=interval / CATCH_UP)


@dataclass
class Posts:
    """A drive's own recent requests, shared by its threads."""

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


def reserve(
    session: Session, *, company_id: uuid.UUID, connection_id: uuid.UUID, count: int, rate: float
) -> tuple[datetime, datetime]:
    """Reserve ``count`` consecutive slots of the number at ``rate``: (the first slot's time, the database's
    time now); the next slots follow every ``slot_seconds(rate)``. Concurrent reservations queue on the
    lane's row lock, so their slots never overlap."""
    session.execute(
        insert(SendLane)
        .values(company_id=company_id, connection_id=connection_id)
        .on_conflict_do_nothing(index_elements=["connection_id"])
    )
    start, now = session.execute(
        text(
            "UPDATE send_lanes SET next_slot_at = GREATEST(next_slot_at, clock_timestamp(),"
            " COALESCE(backoff_until, '-infinity')) + make_interval(secs => :span)"
            " WHERE connection_id = :connection"
            " RETURNING next_slot_at - make_interval(secs => :span), clock_timestamp()"
        ),
        {"connection": connection_id, "span": count * slot_seconds(rate)},
    ).one()
    return start, now


def back_off(session: Session, *, connection_id: uuid.UUID) -> None:
    """Meta said the number's throughput is reached (130429): nothing is sent through it for a while."""
    session.execute(
        text(
            "UPDATE send_lanes SET backoff_until = clock_timestamp() + make_interval(secs => :seconds)"
            " WHERE connection_id = :connection"
        ),
        {"connection": connection_id, "seconds": RATE_LIMIT_BACKOFF.total_seconds()},
    )


def transient_delay(attempts: int, *, jitter: float) -> timedelta:
    """Exponential backoff with jitter (``jitter`` in [0, 1)): about 2, 4, 8 … s (at most 5 minutes)."""
    ceiling = min(2.0**attempts, 300.0)
    return timedelta(seconds=ceiling / 2 + jitter * ceiling / 2)


def pair_rate_delay(pair_retries: int) -> timedelta:
    """Meta's rule for 131056: retry the same recipient after 4^x seconds, x growing from 0."""
    return timedelta(seconds=4 ** min(pair_retries, PAIR_RATE_MAX_EXPONENT))
