"""A persona's active hours: ``{"timezone": "America/Sao_Paulo", "days": {"mon": [["09:00", "18:00"]], ...}}``,
or None for always. Each range is ``[start, end)`` in the persona's timezone, ``HH:MM`` (``24:00`` may end a
day); a day that is absent, or has no range, is a day off. Ranges do not cross midnight: 22:00-02:00 is two
ranges on two days.
"""

from __future__ import annotations

import itertools
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # datetime.weekday()'s order
MAX_RANGES_PER_DAY = 6
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_END_OF_DAY = "24:00"


def _minutes(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def zone_or_none(name: object) -> ZoneInfo | None:
    """The IANA timezone named ``name``, or None when there is none by that name."""
    if not isinstance(name, str) or not name or name != name.strip() or len(name) > 64:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def problems(value: object) -> list[tuple[str, str, str]]:
    """What is wrong with an ``active_hours`` value: (path, message, code) each; empty when it is well-formed."""
    if value is None:
        return []
    if not isinstance(value, dict):
        return [("active_hours", "must be an object {timezone, days} or null (always)", "invalid_hours")]
    found: list[tuple[str, str, str]] = []
    unknown = sorted(set(value) - {"timezone", "days"})
    if unknown:
        found.append(("active_hours", f"unknown fields: {', '.join(map(str, unknown))}", "invalid_hours"))
    if zone_or_none(value.get("timezone")) is None:
        found.append(("active_hours.timezone", "must be an IANA timezone, like America/Sao_Paulo", "unknown_timezone"))
    days = value.get("days")
    if not isinstance(days, dict):
        return [*found, ("active_hours.days", "must map weekdays (mon … sun) to lists of ranges", "invalid_hours")]
    any_range = False
    for day, ranges in days.items():
        path = f"active_hours.days.{day}"
        if day not in DAYS:
            found.append((path, "is not a weekday: use mon, tue, wed, thu, fri, sat, sun", "invalid_hours"))
            continue
        if not isinstance(ranges, list) or len(ranges) > MAX_RANGES_PER_DAY:
            found.append((path, f"must be a list of at most {MAX_RANGES_PER_DAY} [start, end] ranges", "invalid_hours"))
            continue
        spans: list[tuple[int, int]] = []
        for i, span in enumerate(ranges):
            where = f"{path}.{i}"
            if not (isinstance(span, list) and len(span) == 2 and all(isinstance(t, str) for t in span)):
                found.append((where, 'must be a ["HH:MM", "HH:MM"] pair', "invalid_hours"))
                continue
            start, end = span
            if not _HHMM.match(start) or not (_HHMM.match(end) or end == _END_OF_DAY):
                found.append((where, "times must be HH:MM, from 00:00 to 23:59 (24:00 may end a day)", "invalid_time"))
                continue
            if _minutes(start) >= _minutes(end):
                found.append((where, f"starts ({start}) at or after it ends ({end})", "range_order"))
                continue
            spans.append((_minutes(start), _minutes(end)))
        spans.sort()
        if any(later[0] < earlier[1] for earlier, later in itertools.pairwise(spans)):
            found.append((path, "has overlapping ranges", "range_overlap"))
        any_range = any_range or bool(spans)
    if not any_range and not found:
        found.append(("active_hours", "has no range on any day: the persona would never answer (null: always)",
                      "no_hours"))  # fmt: skip
    return found


def normalized(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """A well-formed value as stored: days in week order, each day's ranges in order, days off left out."""
    if value is None:
        return None
    days = {
        day: sorted([list(span) for span in value["days"][day]], key=lambda span: _minutes(span[0]))
        for day in DAYS
        if value["days"].get(day)
    }
    return {"timezone": value["timezone"], "days": days}


def is_active_at(hours: dict[str, Any] | None, at: datetime) -> bool:
    """Whether ``at`` (an aware instant) falls within ``hours`` (None: always). A malformed value, which the
    service never stores, is never active."""
    if hours is None:
        return True
    zone = zone_or_none(hours.get("timezone"))
    days = hours.get("days")
    if zone is None or not isinstance(days, dict):
        return False
    local = at.astimezone(zone)
    now = local.hour * 60 + local.minute
    for span in days.get(DAYS[local.weekday()]) or ():
        try:
            if _minutes(span[0]) <= now < _minutes(span[1]):
                return True
        except (TypeError, ValueError, IndexError):
            return False
    return False
