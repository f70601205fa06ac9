"""The local runtime's event router: EventBridge's stand-in. Drains the ``events`` queue (filled by the
outbox relay through ``QueueEventBus``) and invokes every function whose EventTrigger names the event's
type with the event EventBridge would deliver. A consumer that raises leaves the message to come back
(all its consumers see it again: they recognise repeats by ``event_id``), then the dead-letter queue."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from typing import Any

from functions.local.lambda_context import invoke
from functions.local.pump import LONG_POLL_SECONDS
from functions.manifest import EventTrigger, FunctionSpec
from masteria.adapters.aws.eventbridge_bus import SOURCE
from masteria.adapters.local.queue_bus import EVENTS_QUEUE
from masteria.observability import logger
from masteria.ports import Queue


def eventbridge_event(detail_type: str, detail: dict[str, Any]) -> dict[str, Any]:
    """The event an EventBridge rule delivers to a Lambda target."""
    return {
        "version": "0",
        "id": detail.get("event_id", ""),
        "detail-type": detail_type,
        "source": SOURCE,
        "account": "000000000000",
        "time": detail.get("occurred_at", ""),
        "region": "local",
        "resources": [],
        "detail": detail,
    }


class EventRouter:
    def __init__(self, queue: Queue, functions: Sequence[FunctionSpec], *, stop: threading.Event) -> None:
        self._queue = queue
        self._consumers = [f for f in functions if isinstance(f.trigger, EventTrigger)]
        self._stop = stop
        self._thread = threading.Thread(target=self._run, name="event-router", daemon=True)

    def consumers_of(self, event_type: str) -> list[FunctionSpec]:
        return [
            f for f in self._consumers if isinstance(f.trigger, EventTrigger) and event_type in f.trigger.event_types
        ]

    def run_once(self, *, wait_seconds: float = 0) -> int:
        """Route one batch of events (waiting up to ``wait_seconds`` for one); the number of events handled."""
        messages = self._queue.receive(EVENTS_QUEUE, max_messages=10, wait_seconds=wait_seconds)
        done = []
        for message in messages:
            body = json.loads(message.body)
            event = eventbridge_event(body["detail-type"], body["detail"])
            try:
                for spec in self.consumers_of(body["detail-type"]):
                    invoke(spec, event)
            except Exception:
                logger.exception("event consumer failed", extra={"event_type": body["detail-type"]})
                continue
            done.append(message.receipt)
        if done:
            self._queue.delete(EVENTS_QUEUE, done)
        return len(messages)

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                handled = self.run_once(wait_seconds=LONG_POLL_SECONDS)
            except Exception:
                logger.exception("event router failed")
                handled = 0
            if not handled:
                self._stop.wait(0.02)
