"""Scheduled: publishes domain events and sends outbox jobs whose after-commit relay did not happen (process
died, bus or queue down), and takes up work in hand past its expiry (webhook deliveries with the dispatcher,
imports and knowledge-base documents queued or processing, knowledge bases re-embedding, inbox replies claimed and
never answered: unknown), then purges old relayed jobs.
The campaign engine's own work in hand has its sweeper (``campaign_sweeper``).

The steps run in order of need: the outbox first (every delayed job, so every webhook retry, goes out only
through it), then the work in hand, then the purge. Each step runs whatever the others did: one that fails is
logged and the rest still run, and the invocation then fails so that the function's error alarm sees it (as
it does when a job is parked). The steps after the first share a time budget from the invocation's remaining
time, so that the function ends before its timeout."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from masteria import jobs, outbox
from masteria.bootstrap import container
from masteria.contacts import import_jobs
from masteria.conversations import outbound as reply_claims
from masteria.knowledge import ingestion as knowledge
from masteria.observability import logger
from masteria.webhooks import sweep as deliveries

MARGIN_SECONDS = 10.0  # kept of the remaining time: the step under way ends and the function returns


class SweepFailed(RuntimeError):
    """A step failed (logged above) or a job was parked: the invocation fails for the alarm."""


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    c = container()
    until = time.monotonic() + context.get_remaining_time_in_millis() / 1000 - MARGIN_SECONDS
    counts: dict[str, int] = {}
    failed: list[str] = []

    def run(step: str, work: Callable[[], dict[str, int]]) -> None:
        try:
            counts.update(work())
        except Exception:  # logged and reported below; the other steps still run
            logger.exception("sweeper step failed", extra={"step": step})
            failed.append(step)

    def prefixed(prefix: str, found: dict[str, int]) -> dict[str, int]:
        return {f"{prefix}_{name}": value for name, value in found.items()}

    run("events", lambda: {"published": outbox.sweep(c.database, c.event_bus)})
    run("jobs", lambda: prefixed("jobs", jobs.relay_due(c.database, c.queue, c.clock, until=until)))
    run("deliveries", lambda: prefixed("deliveries", deliveries.sweep(db=c.database, clock=c.clock, until=until)))
    run("imports", lambda: prefixed("imports", import_jobs.sweep(db=c.database, clock=c.clock, until=until)))
    run("knowledge", lambda: prefixed("knowledge", knowledge.sweep(db=c.database, clock=c.clock, until=until)))
    run(
        "replies",
        lambda: prefixed("replies", reply_claims.sweep(db=c.database, clock=c.clock, until=until)),
    )
    run("purge", lambda: {"jobs_purged": jobs.purge(c.database, c.clock, until=until)})
    if counts.get("jobs_parked"):
        failed.append("jobs parked")
    if failed:
        raise SweepFailed(f"sweeper steps failed: {', '.join(failed)} ({counts})")
    return counts
