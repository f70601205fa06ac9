"""Live updates on the local runtime: the connection registry in this process, and the local server's
sockets. Frames are posted from other threads (the event router's) and written by the socket's own event
loop, in order, through a per-connection queue."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import replace

from masteria.ports import LiveConnection


class InProcessConnectionRegistry:
    """The registry as a locked dict (also the in-memory twin for unit tests)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._connections: dict[str, LiveConnection] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def _alive(self, connection: LiveConnection | None) -> LiveConnection | None:
        return connection if connection is not None and connection.expires_at > self._clock() else None

    def put(self, connection: LiveConnection) -> None:
        with self._lock:
            self._connections[connection.connection_id] = connection

    def get(self, connection_id: str) -> LiveConnection | None:
        with self._lock:
            return self._alive(self._connections.get(connection_id))

    def remove(self, connection_id: str) -> None:
        with self._lock:
            self._connections.pop(connection_id, None)

    def _update(self, connection_id: str, change: Callable[[frozenset[str]], frozenset[str]]) -> LiveConnection | None:
        with self._lock:
            current = self._alive(self._connections.get(connection_id))
            if current is None:
                return None
            updated = replace(current, topics=change(current.topics))
            self._connections[connection_id] = updated
            return updated

    def subscribe(self, connection_id: str, topics: frozenset[str]) -> LiveConnection | None:
        return self._update(connection_id, lambda current: current | topics)

    def unsubscribe(self, connection_id: str, topics: frozenset[str]) -> LiveConnection | None:
        return self._update(connection_id, lambda current: current - topics)

    def by_company(self, company_id: uuid.UUID) -> list[LiveConnection]:
        with self._lock:
            return [c for c in self._connections.values() if c.company_id == company_id and self._alive(c)]


class LocalRealtime:
    """The local server's open sockets, by connection id: ``attach`` when one opens, ``detach`` when it closes."""

    def __init__(self) -> None:
        self._sockets: dict[str, tuple[asyncio.AbstractEventLoop, asyncio.Queue[str]]] = {}
        self._lock = threading.Lock()

    def attach(self, connection_id: str, loop: asyncio.AbstractEventLoop, outbox: asyncio.Queue[str]) -> None:
        """Frames posted to ``connection_id`` go into ``outbox``, on ``loop`` (the socket's writer drains it)."""
        with self._lock:
            self._sockets[connection_id] = (loop, outbox)

    def detach(self, connection_id: str) -> None:
        with self._lock:
            self._sockets.pop(connection_id, None)

    def post(self, connection_id: str, frame: str) -> bool:
        with self._lock:
            found = self._sockets.get(connection_id)
        if found is None:
            return False
        loop, outbox = found
        try:
            loop.call_soon_threadsafe(outbox.put_nowait, frame)
        except RuntimeError:  # the loop is closed: the server stopped
            self.detach(connection_id)
            return False
        return True
