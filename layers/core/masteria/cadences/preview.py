"""The timeline of one contact through a cadence version, from now: when each step would run, in step order (a
branch is shown where it is evaluated; the timeline goes on in order), send steps moved to the window's next
opening, waits adding their time — the same ``Timing`` the tick uses."""

from __future__ import annotations

from datetime import datetime

from masteria.cadences.models import CadenceVersion
from masteria.cadences.schemas import CadencePreview, CadencePreviewStep
from masteria.cadences.steps import BranchStep, WaitStep, is_send, parse
from masteria.cadences.timing import Timing


def timeline(version: CadenceVersion, *, company_timezone: str, phone: str | None, now: datetime) -> CadencePreview:
    timing = Timing.of(version, company_timezone)
    at, items = now, []
    for index, step in enumerate(parse(version.steps)):
        note = None
        if is_send(step):
            runs = timing.send_at(at, phone)
            items.append(CadencePreviewStep(step_index=index, kind=step.kind, at=runs, shifted=runs > at))
            at = runs
            continue
        if isinstance(step, BranchStep):
            then, otherwise = step.then_step or index + 1, step.else_step or index + 1
            note = f"{step.condition.type}: then step {then}, else step {otherwise}"
        items.append(CadencePreviewStep(step_index=index, kind=step.kind, at=at, shifted=False, note=note))
        if isinstance(step, WaitStep):
            at = timing.wait_until(at, step, phone)
    return CadencePreview(version=version.version, timezone=str(timing.zone_of(phone)), starts_at=now, steps=items)
