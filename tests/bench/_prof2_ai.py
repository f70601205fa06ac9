from __future__ import annotations

import functools
import statistics
import time
from collections import defaultdict

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from masteria.bootstrap import Container
from tests.meta import FakeMeta
from tests.bench import _prof_ai as bench

TIMES: dict[str, list[float]] = defaultdict(list)


def timed(module, name, label):
    original = getattr(module, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        started, cpu = time.monotonic(), time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            TIMES[label].append((time.monotonic() - started) * 1000)
            TIMES[label + "_cpu"].append((time.process_time() - cpu) * 1000)

    setattr(module, name, wrapper)


@pytest.mark.bench
def test_breakdown(client: TestClient, container: Container, meta: FakeMeta, owner_engine: Engine) -> None:
    from masteria import jobs, outbox
    from masteria.ai import bursts, parts, responder
    from masteria.outbound import send, pacer
    import masteria.db as db

    timed(responder, "_claim", "claim")
    timed(responder, "_retrieve", "retrieve")
    timed(responder, "_answer", "answer")
    timed(responder, "_ask", "model")
    timed(parts, "typing", "typing")
    timed(parts, "plan", "plan")
    timed(responder, "_reply", "reply")
    timed(responder, "_record_usage", "usage")
    timed(responder, "_relock", "relock")
    timed(bursts, "join", "join")
    timed(jobs, "relay_company", "relay_jobs")
    timed(outbox, "publish_company", "relay_events")
    timed(send, "deliver", "deliver")
    timed(send, "route", "route")
    timed(pacer, "reserve", "pacer")
    timed(parts, "send_part", "send_part")
    timed(responder, "answer_burst", "answer_burst")
    timed(responder, "_tools", "tools")
    timed(responder, "_history", "history")
    timed(responder, "build_messages", "build_messages")
    import masteria.ai.usage_records as ur
    timed(responder, "budget_allows", "budget")
    bench._run(client, container, meta, owner_engine)
    for label, values in sorted(TIMES.items()):
        values = values[10:] or values
        print(f"{label:20} n={len(values):4} p50={statistics.median(values):7.1f} max={max(values):7.1f}")
