"""The realtime poster's in-memory twin: records every frame; connections named in ``gone`` answer 410."""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from typing import Any


class RecordingRealtime:
    def __init__(self, gone: set[str] | None = None) -> None:
        self.gone = gone or set()
        self.posted: dict[str, list[str]] = defaultdict(list)
        self._lock = threading.Lock()

    def post(self, connection_id: str, frame: str) -> bool:
        if connection_id in self.gone:
            return False
        with self._lock:
            self.posted[connection_id].append(frame)
        return True

    def frames(self, connection_id: str) -> list[dict[str, Any]]:
        """What ``connection_id`` received, parsed."""
        return [json.loads(f) for f in self.posted.get(connection_id, [])]
