"""The local runtime's event bus: each event becomes a message on the ``events`` queue, which the local
event router (functions/local/events.py) delivers to the functions whose EventTrigger names its type."""

from __future__ import annotations

import json
from collections.abc import Sequence

from masteria.ports import PublishedEvent, Queue

EVENTS_QUEUE = "events"


class QueueEventBus:
    def __init__(self, queue: Queue) -> None:
        self._queue = queue

    def publish(self, events: Sequence[PublishedEvent]) -> None:
        bodies = [json.dumps({"detail-type": e.type, "detail": e.detail()}) for e in events]
        for start in range(0, len(bodies), 10):
            self._queue.send_batch(EVENTS_QUEUE, bodies[start : start + 10])
