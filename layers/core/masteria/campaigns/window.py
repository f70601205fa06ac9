"""The daily sending window (e.g. 08:00 to 20:00) in the company's timezone or each contact's."""

from __future__ import annotations

import functools
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


def is_open(now: datetime, start: time, end: time, tz: ZoneInfo) -> bool:
    local = now.astimezone(tz).time()
    return start <= local < end if start < end else (local >= start or local < end)


def next_open(now: datetime, start: time, end: time, tz: ZoneInfo) -> datetime:
    """``now`` if the window is open, else when it next opens (an aware datetime)."""
    if is_open(now, start, end, tz):
        return now
    local = now.astimezone(tz)
    opening = datetime.combine(local.date(), start, tzinfo=tz)
    if opening <= local:
        opening = datetime.combine(local.date() + timedelta(days=1), start, tzinfo=tz)
    return opening
