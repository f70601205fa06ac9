"""The sender's allowance of requests in flight: what the rate needs at the least latency seen, reached one
answer at a time, never more than the cap; stuck requests make room."""

from __future__ import annotations

import threading
import time

from masteria.outbound.pacer import Flight


def _answer(flight: Flight, rate: float, seconds: float, times: int) -> None:
    for _ in range(times):
        flight.leave(flight.enter(rate), seconds)


def test_the_allowance_starts_small_and_grows_one_answer_at_a_time() -> None:
    flight = Flight(cap=64)
    assert flight.allowed == Flight.MINIMUM
    _answer(flight, rate=80, seconds=0.2, times=1)  # Meta's latency: 80/s x 0.2 s x 2 + 4 = 36 wanted
    assert flight.allowed == Flight.MINIMUM + 1
    _answer(flight, rate=80, seconds=0.2, times=100)
    assert flight.allowed == 36


def test_the_least_latency_seen_sets_the_allowance_and_it_falls_at_once() -> None:
    flight = Flight(cap=64)
    _answer(flight, rate=1000, seconds=0.05, times=100)
    assert flight.allowed == 64  # capped
    _answer(flight, rate=1000, seconds=0.002, times=1)  # the sandbox on loopback: 1000 x 0.002 x 2 + 4
    assert flight.allowed == 8
    _answer(flight, rate=1000, seconds=0.3, times=50)  # slower answers under load do not raise it again
    assert flight.allowed == 8
    assert flight.count == 0


def test_stuck_requests_make_room_but_the_cap_counts_them() -> None:
    flight = Flight(cap=7)
    _answer(flight, rate=80, seconds=0.001, times=1)  # allowance 5: 80/s x 1 ms x 2 + 4, one answer in
    assert flight.allowed == 5
    held = [flight.enter(80) for _ in range(flight.allowed)]
    entered = threading.Event()

    def one_more() -> None:
        flight.enter(80)
        entered.set()

    threading.Thread(target=one_more, daemon=True).start()
    assert not entered.wait(0.1)  # the allowance is used up by requests answered any moment now
    assert entered.wait(2)  # past a quarter of a second they are stuck: room for one more
    started = time.monotonic()
    extra = flight.enter(80)  # the seventh: the cap (the threads) is reached now
    assert flight.count == 7
    blocked = threading.Event()

    def over_the_cap() -> None:
        flight.enter(80)
        blocked.set()

    threading.Thread(target=over_the_cap, daemon=True).start()
    assert not blocked.wait(0.5)
    flight.leave(extra, None)
    assert blocked.wait(2)
    assert time.monotonic() - started < 2
    for token in held:
        flight.leave(token, None)
