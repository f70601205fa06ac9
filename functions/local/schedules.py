"""The local runtime's schedule loop: fires the manifest's recurring schedules like EventBridge Scheduler."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from functions.local.lambda_context import invoke
from functions.manifest import FunctionSpec, ScheduleTrigger
from masteria.observability import logger

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def interval_seconds(expression: str) -> int:
    """Seconds between firings of a ``rate(...)`` expression."""
    match = _RATE.match(expression)
    if not match:
        raise ValueError(f"unsupported schedule expression {expression!r}: use rate(N minutes|hours|days)")
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2).rstrip("s")]


def scheduler_event(spec: FunctionSpec, when: datetime) -> dict[str, Any]:
    """The event EventBridge Scheduler sends to a Lambda target with the default input."""
    return {
        "version": "0",
        "id": f"local-{spec.name}-{int(when.timestamp())}",
        "detail-type": "Scheduled Event",
        "source": "aws.scheduler",
        "account": "000000000000",
        "time": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "local",
        "resources": [f"arn:aws:scheduler:local:000000000000:schedule/default/{spec.name}"],
        "detail": {},
    }


def fire(spec: FunctionSpec) -> Any:
    return invoke(spec, scheduler_event(spec, datetime.now(UTC)))


class ScheduleLoop:
    """Fires each schedule once at start, then at its interval, and the due one-time schedules, until stopped."""

    def __init__(
        self,
        functions: list[FunctionSpec],
        *,
        stop: threading.Event,
        one_time: Callable[[], int] | None = None,
    ) -> None:
        for spec in functions:
            assert isinstance(spec.trigger, ScheduleTrigger)
        self._functions = functions
        self._stop = stop
        self._one_time = one_time  # fires the one-time schedules that are due (the Scheduler port's table)
        self._thread = threading.Thread(target=self._run, name="schedules", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        due = {spec.name: time.monotonic() for spec in self._functions}
        while not self._stop.is_set():
            for spec in self._functions:
                if time.monotonic() >= due[spec.name]:
                    assert isinstance(spec.trigger, ScheduleTrigger)
                    due[spec.name] = time.monotonic() + interval_seconds(spec.trigger.expression)
                    try:
                        fire(spec)
                    except Exception:
                        logger.exception("scheduled function failed", extra={"function": spec.name})
            if self._one_time is not None:
                try:
                    self._one_time()
                except Exception:
                    logger.exception("one-time schedules failed")
            self._stop.wait(0.5)
