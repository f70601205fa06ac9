"""Pacing of one sending number: evenly spaced send slots shared by every worker through the ``send_lanes``
row, so that no one-second window ever holds more than the rate, whoever sends."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
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


def transient_delay(attempts: int) -> timedelta:
    """Exponential backoff with full jitter: about 2, 4, 8 … s (at most 5 minutes)."""
    ceiling = min(2.0**attempts, 300.0)
    return timedelta(seconds=ceiling / 2 + random.uniform(0, ceiling / 2))  # noqa: S311 - jitter, not secrecy


def pair_rate_delay(pair_retries: int) -> timedelta:
    """Meta's rule for 131056: retry the same recipient after 4^x seconds, x growing from 0."""
    return timedelta(seconds=4 ** min(pair_retries, PAIR_RATE_MAX_EXPONENT))
