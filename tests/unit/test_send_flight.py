"""The sender's allowance of requests in flight: what the rate needs at the least latency seen, reached one
answer at a time, never more than the cap."""

from __future__ import annotations

from masteria.campaigns.sender import _Flight


def _answer(flight: _Flight, rate: float, seconds: float, times: int) -> None:
    for _ in range(times):
        flight.enter(rate)
        flight.leave(seconds)


def test_the_allowance_starts_small_and_grows_one_answer_at_a_time() -> None:
    flight = _Flight(cap=64)
    assert flight.allowed == _Flight.MINIMUM
    _answer(flight, rate=80, seconds=0.2, times=1)  # Meta's latency: 80/s x 0.2 s x 2 + 4 = 36 wanted
    assert flight.allowed == _Flight.MINIMUM + 1
    _answer(flight, rate=80, seconds=0.2, times=100)
    assert flight.allowed == 36


def test_the_least_latency_seen_sets_the_allowance_and_it_falls_at_once() -> None:
    flight = _Flight(cap=64)
    _answer(flight, rate=1000, seconds=0.05, times=100)
    assert flight.allowed == 64  # capped
    _answer(flight, rate=1000, seconds=0.002, times=1)  # the sandbox on loopback: 1000 x 0.002 x 2 + 4
    assert flight.allowed == 8
    _answer(flight, rate=1000, seconds=0.3, times=50)  # slower answers under load do not raise it again
    assert flight.allowed == 8
    assert flight.count == 0
