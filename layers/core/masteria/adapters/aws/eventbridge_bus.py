"""Domain events to EventBridge: one entry per event, ``detail-type`` = the event type, rules route them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import boto3

from masteria.ports import PublishedEvent

SOURCE = "masteria"
_BATCH = 10  # PutEvents takes at most 10 entries


class EventBridgeBus:
    def __init__(self, client: Any, bus_name: str) -> None:
        self._events, self._bus = client, bus_name

    @classmethod
    def from_region(cls, region: str, bus_name: str) -> EventBridgeBus:
        return cls(boto3.client("events", region_name=region), bus_name)

    def publish(self, events: Sequence[PublishedEvent]) -> None:
        for start in range(0, len(events), _BATCH):
            batch = events[start : start + _BATCH]
            entries = [
                {
                    "Source": SOURCE,
                    "DetailType": e.type,
                    "Detail": json.dumps(e.detail(), separators=(",", ":")),
                    "EventBusName": self._bus,
                    "Time": e.occurred_at,
                }
                for e in batch
            ]
            result = self._events.put_events(Entries=entries)
            if result.get("FailedEntryCount"):
                failed = [entry.get("ErrorCode") for entry in result["Entries"] if entry.get("ErrorCode")]
                raise RuntimeError(f"EventBridge refused {len(failed)} events: {sorted(set(failed))}")
