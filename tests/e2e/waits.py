"""Waiting on a condition across processes (the runtime's workers, the sandbox's webhooks): poll until it holds."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def eventually(probe: Callable[[], T | None], seconds: float = 30) -> T:
    """What ``probe`` returns once it is truthy; an AssertionError after ``seconds`` without."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("nothing came in time")
