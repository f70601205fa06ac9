"""The HTTP side of a delivery (the dispatcher: outside the VPC, no database, no secrets).

One POST of a signed request through the SSRF-guarded transport: 15 seconds in all, at most 64 KiB of
the response read, redirects never followed (a 3xx is a failure), ``Retry-After`` read on 429 and 503.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from masteria.ports import Clock
from masteria.webhooks.delivery import MAX_RESPONSE_BYTES, TIMEOUT_SECONDS, DispatchJob, Outcome
from masteria.webhooks.ssrf import UnsafeUrl


def retry_after_seconds(value: str | None, now: datetime) -> int | None:
    """``Retry-After`` as seconds (it may be a number of seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0, int((when - now).total_seconds()))


def dispatch(job: DispatchJob, *, http: httpx.Client, clock: Clock, timeout: float = TIMEOUT_SECONDS) -> Outcome:
    attempted_at = clock.now()
    started = time.monotonic()
    status: int | None = None
    text: str | None = None
    error: str | None = None
    retry_after: int | None = None
    try:
        with http.stream(
            "POST", job.url, content=job.body.encode(), headers=job.headers, timeout=httpx.Timeout(timeout)
        ) as response:
            status = response.status_code
            received = bytearray()
            for chunk in response.iter_bytes():
                received += chunk
                if len(received) >= MAX_RESPONSE_BYTES:
                    break
                if time.monotonic() - started > timeout:
                    raise httpx.ReadTimeout("the response took too long")
            text = bytes(received[:MAX_RESPONSE_BYTES]).decode("utf-8", errors="replace")
            if status in (429, 503):
                retry_after = retry_after_seconds(response.headers.get("retry-after"), attempted_at)
            if 300 <= status < 400:
                error = f"redirect to {response.headers.get('location', '?')[:200]} not followed"
    except UnsafeUrl as refused:
        error = f"refused: {refused}"
    except httpx.TimeoutException:
        error = f"timed out after {timeout:g} seconds"
    except httpx.HTTPError as failed:
        error = f"connection failed: {type(failed).__name__}"
    except (httpx.InvalidURL, ValueError, UnicodeError) as unbuildable:  # a URL or header httpx cannot send
        error = f"the request could not be built: {type(unbuildable).__name__}"
    return Outcome(
        company_id=job.company_id,
        delivery_id=job.delivery_id,
        attempt=job.attempt,
        attempted_at=attempted_at,
        status_code=status,
        latency_ms=int((time.monotonic() - started) * 1000),
        response=text,
        error=error,
        retry_after_seconds=retry_after,
    )
