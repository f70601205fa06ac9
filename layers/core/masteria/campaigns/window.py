"""The daily sending window (e.g. 08:00 to 20:00, on some days of the week) in the company's timezone or each
contact's (campaigns and cadences)."""

from __future__ import annotations

import functools
from collections.abc import Collection
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import timezone as phone_timezones

from masteria.errors import FieldError, Invalid


def zone(name: str, field: str = "timezone") -> ZoneInfo:
    """The IANA zone ``name``, or 422."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise Invalid(
            "unknown timezone",
            [FieldError(field, f"{name!r} is not an IANA timezone", code="unknown_timezone", params={"name": name})],
        ) from error


@functools.lru_cache(maxsize=4096)
def _zone_of_prefix(prefix: str) -> str | None:
    try:
        zones = phone_timezones.time_zones_for_number(phonenumbers.parse(prefix.ljust(12, "0")))
    except phonenumbers.NumberParseException:
        return None
    return zones[0] if zones and zones[0] != phone_timezones.UNKNOWN_TIMEZONE else None


def contact_zone(phone: str, fallback: ZoneInfo) -> ZoneInfo:
    """The timezone of an E.164 number (from its country and area code), else ``fallback``."""
    name = _zone_of_prefix(phone[:7])  # country and area codes decide the zone; cached per prefix
    return ZoneInfo(name) if name else fallback


def is_open(now: datetime, start: time, end: time, tz: ZoneInfo, days: Collection[int] | None = None) -> bool:
    """Whether the window is open at ``now`` (``start == end``: all day); ``days``: the ISO weekdays it opens on
    (a window across midnight belongs to the day it opened)."""
    local = now.astimezone(tz)
    at, weekday = local.time(), local.isoweekday()
    if start < end:
        return start <= at < end and (days is None or weekday in days)
    if at >= start:
        return days is None or weekday in days
    return at < end and (days is None or (weekday - 2) % 7 + 1 in days)


def next_open(now: datetime, start: time, end: time, tz: ZoneInfo, days: Collection[int] | None = None) -> datetime:
    """``now`` if the window is open, else when it next opens (an aware datetime)."""
    if is_open(now, start, end, tz, days):
        return now
    local = now.astimezone(tz)
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        opening = datetime.combine(day, start, tzinfo=tz)
        if opening > local and (days is None or day.isoweekday() in days):
            return opening
    raise ValueError("a window opens on at least one day")
