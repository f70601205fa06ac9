"""When a cadence's steps run for one contact: a send step at the next open moment of its version's sending window
(days of the week, local start and end, in the company's timezone or the contact's), a wait for its duration or
until a local time of day. The engine and the timeline preview both ask here (``campaigns.window`` does the math)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from masteria.cadences.models import ALL_DAYS, CadenceVersion
from masteria.cadences.steps import WaitStep
from masteria.campaigns import window

ALL_DAY = time(0)  # start == end: open all day (campaigns.window)


@dataclass(frozen=True)
class Timing:
    """A version's window, resolved: its days, start and end (``ALL_DAY`` both: all day), and its zone (the
    cadence's override, else the company's; the contact's from its phone number in ``contact`` mode)."""

    days: frozenset[int]
    start: time
    end: time
    zone: ZoneInfo
    per_contact: bool

    @classmethod
    def of(cls, version: CadenceVersion, company_timezone: str) -> Timing:
        return cls(
            days=frozenset(version.days or ALL_DAYS),
            start=version.start_time or ALL_DAY,
            end=version.end_time or ALL_DAY,
            zone=window.zone(version.timezone or company_timezone),
            per_contact=version.timezone_mode == "contact",
        )

    def zone_of(self, phone: str | None) -> ZoneInfo:
        return window.contact_zone(phone, self.zone) if self.per_contact and phone else self.zone

    def always_open(self) -> bool:
        return self.start == self.end and len(self.days) == len(ALL_DAYS)

    def send_at(self, now: datetime, phone: str | None) -> datetime:
        """When a send step due at ``now`` may go: ``now`` while the window is open, else its next opening."""
        if self.always_open():
            return now
        return window.next_open(now, self.start, self.end, self.zone_of(phone), self.days).astimezone(UTC)

    def wait_until(self, now: datetime, step: WaitStep, phone: str | None) -> datetime:
        """When a wait that starts at ``now`` ends: after its duration, or at the next ``until_time`` (local)."""
        if step.duration_seconds is not None:
            return now + timedelta(seconds=step.duration_seconds)
        assert step.until_time is not None  # the step's model requires one of the two
        zone = self.zone_of(phone)
        local = now.astimezone(zone)
        until = datetime.combine(local.date(), step.until_time, tzinfo=zone)
        if until <= local:
            until = datetime.combine(local.date() + timedelta(days=1), step.until_time, zone)
        return until.astimezone(UTC)
