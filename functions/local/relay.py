"""The local runtime's outbox relay off the request path: a request's transaction commits, the response goes,
and a thread of its own publishes the company's events a moment later (``outbox.publish_company``: two short
transactions and the publish, as long again as a card's move itself). Companies that commit again meanwhile
are relayed once. What it has not published when the runtime stops, the sweeper publishes at the next start.

(On AWS a function's container is frozen once it has answered, so there the relay stays in the request.)"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable


class BackgroundRelay:
    def __init__(self, relay: Callable[[uuid.UUID], None], *, stop: threading.Event) -> None:
        self._relay = relay
        self._stop = stop
        self._pending: dict[uuid.UUID, None] = {}  # in the order they came
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def submit(self, company_id: uuid.UUID) -> None:
        """A transaction of ``company_id`` that recorded events committed."""
        with self._changed:
            self._pending[company_id] = None
            self._changed.notify()

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._pending and not self._stop.is_set():
                    self._changed.wait(0.2)
                if not self._pending:
                    return  # stopping, nothing left in hand
                company_id = next(iter(self._pending))
                del self._pending[company_id]
            self._relay(company_id)  # logs its own failures: the sweeper publishes what it missed

    def join(self, timeout: float) -> None:
        with self._changed:
            self._changed.notify()
        self._thread.join(timeout)
