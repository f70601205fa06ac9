"""How long a refused send waits before it is tried again: what every provider's outcomes say in ``retry_in``
(``SendOutcome``), the same for every sender of a number."""

from __future__ import annotations

from datetime import timedelta

# The provider said the number's throughput is reached: the number pauses this long (its lane backs off).
RATE_LIMIT_BACKOFF = timedelta(seconds=2)
MAX_TRANSIENT_ATTEMPTS = 6


def transient_delay(attempts: int, *, jitter: float) -> timedelta:
    """Exponential backoff with jitter (``jitter`` in [0, 1)): about 2, 4, 8 … s (at most 5 minutes)."""
    ceiling = min(2.0**attempts, 300.0)
    return timedelta(seconds=ceiling / 2 + jitter * ceiling / 2)
