"""Copies that other services hold of the database's state (the inbound secrets store, the scheduler's
one-time schedules), brought in line by an outbox job of the change (masteria.jobs).

A job never carries the state itself, only what names it: its worker reads the current state and applies it,
so a repeat is harmless and an older job run late applies today's state, not its own day's. Two workers of
the same thing can still interleave (one reads, the other reads and applies, the first applies what it read),
so each reads again after applying and applies again until what it applied is what it reads: the last one to
apply always finishes on the current state, and no transaction is held open during the call to the service.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

State = TypeVar("State")
ROUNDS = 5


class StillChanging(RuntimeError):
    """The state changed under every one of the rounds: the job fails and its queue redelivers it."""


def converge(read: Callable[[], State], apply: Callable[[State], object], *, rounds: int = ROUNDS) -> State:
    """Apply the state ``read`` returns until it reads the same after applying; the state applied."""
    state = read()
    for _ in range(rounds):
        apply(state)
        again = read()
        if again == state:
            return state
        state = again
    raise StillChanging(f"the state changed in each of {rounds} rounds")
