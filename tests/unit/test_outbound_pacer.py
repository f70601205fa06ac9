"""The per-number pacer's rule (outbound.pacer.plan), driven by a fake clock: bulk sends hold less than a second
of the line, a reply takes the next free slot at once, and with both no one-second window holds more than the
rate."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

from masteria.outbound import pacer

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _busiest_second(times: list[datetime]) -> int:
    ordered = sorted(times)
    return max(sum(1 for t in ordered if start <= t < start + timedelta(seconds=1)) for start in ordered)


def test_bulk_holds_the_line_only_up_to_the_horizon() -> None:
    lane = pacer.Lane(next_slot_at=T0)
    slots, lane = pacer.plan(lane, now=T0, count=10_000, rate=80, priority=False)
    assert 0 < slots.count < 80
    last = slots.at(slots.count - 1)
    assert last < T0 + pacer.BULK_HORIZON <= last + timedelta(seconds=slots.interval)
    again, same = pacer.plan(lane, now=T0, count=20, rate=80, priority=False)
    assert again.count == 0 and same == lane and again.retry_in > timedelta(0)
    later, _ = pacer.plan(lane, now=T0 + again.retry_in, count=20, rate=80, priority=False)
    assert later.count >= 1  # asking again after retry_in finds room


def test_a_reply_takes_the_next_free_slot_at_once_and_campaigns_reserve_after_it() -> None:
    lane = pacer.Lane(next_slot_at=T0)
    bulk, lane = pacer.plan(lane, now=T0, count=10_000, rate=80, priority=False)
    now = T0 + timedelta(milliseconds=5)
    reply, lane = pacer.plan(lane, now=now, count=1, rate=80, priority=True)
    assert reply.count == 1
    assert reply.first == bulk.at(bulk.count - 1) + timedelta(seconds=bulk.interval)  # right behind the bulk
    assert reply.first - now <= pacer.BULK_HORIZON + timedelta(seconds=reply.interval)
    after, _ = pacer.plan(lane, now=now + timedelta(seconds=0.5), count=20, rate=80, priority=False)
    assert after.first == reply.first + timedelta(seconds=reply.interval)


def test_a_back_off_holds_everyone_and_the_horizon_counts_from_its_end() -> None:
    until = T0 + timedelta(seconds=2)
    lane = pacer.Lane(next_slot_at=T0, backoff_until=until)
    bulk, lane = pacer.plan(lane, now=T0, count=1000, rate=50, priority=False)
    assert bulk.first == until and bulk.at(bulk.count - 1) < until + pacer.BULK_HORIZON
    reply, _ = pacer.plan(lane, now=T0, count=1, rate=50, priority=True)
    assert reply.first >= until


def test_replies_during_two_running_campaigns_never_wait_long_nor_push_the_number_over_its_rate() -> None:
    """Two campaigns on one number claim a quarter second of sending whenever they can (as the sender does);
    replies come at random moments. Every slot is recorded: the rate holds in every one-second window, and
    every reply's slot is within the horizon of the moment it asked (and one slot for it and each reply ahead)."""
    rate, now = 80.0, T0
    lane = pacer.Lane(next_slot_at=T0)
    rng = random.Random(16)
    sent: list[datetime] = []
    waits: list[timedelta] = []
    replies: list[datetime] = []
    wake = {"a": T0, "b": T0}
    end = T0 + timedelta(seconds=30)
    while now < end:
        for campaign in ("a", "b"):
            if wake[campaign] <= now:
                slots, lane = pacer.plan(lane, now=now, count=int(rate * 0.25), rate=rate, priority=False)
                sent.extend(slots.at(i) for i in range(slots.count))
                wake[campaign] = now + (slots.retry_in if slots.count == 0 else timedelta(seconds=0.25))
        if rng.random() < 0.2:  # about ten replies a second
            ahead = sum(1 for slot in replies if slot >= now)  # replies asked before, not sent yet
            reply, lane = pacer.plan(lane, now=now, count=1, rate=rate, priority=True)
            sent.append(reply.first)
            replies.append(reply.first)
            waits.append(reply.first - now - ahead * timedelta(seconds=reply.interval))
        now += timedelta(milliseconds=rng.randint(5, 30))
    assert len(waits) > 200 and len(sent) > 25 * 70
    assert max(waits) <= pacer.BULK_HORIZON + timedelta(seconds=pacer.slot_seconds(rate))
    assert _busiest_second(sent) <= rate
    assert len(set(sent)) == len(sent)  # no two sends share a slot


def test_a_drive_keeps_spare_in_every_second_what_may_reach_the_provider_late() -> None:
    # WhatsApp at 80/s, requests up to 37.5 ms late: 77 a second; SMS at 50/s, up to 100 ms late: 45
    assert pacer.guard_for(pacer.slot_seconds(80), timedelta(milliseconds=37.5)).per_second == 77
    assert pacer.guard_for(pacer.slot_seconds(50), timedelta(milliseconds=100)).per_second == 45
    # never none at all, however slow the number
    assert pacer.guard_for(pacer.slot_seconds(0.5), timedelta(milliseconds=60)).per_second == 1


def test_every_drive_of_a_number_in_a_process_counts_the_same_recent_requests() -> None:
    number, other = uuid.uuid4(), uuid.uuid4()
    assert pacer.posts_of(number) is pacer.posts_of(number)
    assert pacer.posts_of(number) is not pacer.posts_of(other)
