"""The ``ObjectStore`` port's in-memory twin: objects in a dict; no presigned links (like the local file store)."""

from __future__ import annotations

import io
import threading
from typing import IO


class MemoryStore:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def put(self, key: str, data: IO[bytes]) -> int:
        content = data.read()
        with self._lock:
            self.objects[key] = content
        return len(content)

    def open(self, key: str) -> IO[bytes]:
        with self._lock:
            if key not in self.objects:
                raise FileNotFoundError(key)
            return io.BytesIO(self.objects[key])

    def exists(self, key: str) -> bool:
        return key in self.objects

    def size(self, key: str) -> int | None:
        found = self.objects.get(key)
        return None if found is None else len(found)

    def delete(self, key: str) -> None:
        with self._lock:
            self.objects.pop(key, None)

    def upload_url(self, key: str, *, expires_seconds: int, max_bytes: int) -> str | None:
        return None

    def download_url(self, key: str, *, expires_seconds: int) -> str | None:
        return None
