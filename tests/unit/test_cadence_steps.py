"""Cadence steps' shapes, the variables they fill, and the window and wait math the tick and the preview share."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import TypeAdapter, ValidationError

from masteria.cadences import variables
from masteria.cadences.models import CadenceVersion
from masteria.cadences.preview import timeline
from masteria.cadences.schemas import CadenceWindow
from masteria.cadences.steps import BranchStep, Step, WaitStep, dump, parse
from masteria.cadences.timing import Timing
from masteria.campaigns.window import is_open, next_open

STEPS: TypeAdapter[list[Step]] = TypeAdapter(list[Step])
SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def _version(steps: list[dict[str, Any]], **window: Any) -> CadenceVersion:
    shape = CadenceWindow(**window)
    return CadenceVersion(
        version=1, steps=steps, timezone_mode=shape.timezone_mode, days=shape.days, start_time=shape.start_time,
        end_time=shape.end_time, timezone=shape.timezone,
    )  # fmt: skip


def test_steps_are_told_apart_by_kind_and_round_trip() -> None:
    tag = str(uuid.uuid4())
    stored: list[dict[str, object]] = [
        {"kind": "wait", "until_time": "09:30:00"},
        {"kind": "branch", "condition": {"type": "has_tag", "tag_id": tag}, "then_step": 3},
        {"kind": "tag", "tag_id": tag, "action": "remove"},
        {"kind": "send_text", "text": "Oi", "outside_window": "skip"},
    ]
    steps = parse(stored)
    assert isinstance(steps[0], WaitStep) and steps[0].until_time == time(9, 30)
    assert isinstance(steps[1], BranchStep) and steps[1].else_step is None
    assert dump(steps) == stored


@pytest.mark.parametrize(
    "bad",
    [
        {"kind": "wait"},
        {"kind": "wait", "duration_seconds": 30},
        {"kind": "wait", "duration_seconds": 3600, "until_time": "09:00"},
        {"kind": "send_text", "text": "Oi", "outside_window": "template"},
        {"kind": "send_text", "text": "", "outside_window": "skip"},
        {"kind": "notify", "to": "user", "text": "x"},
        {"kind": "notify", "to": "lead_owner", "user_id": str(uuid.uuid4()), "text": "x"},
        {"kind": "branch", "condition": {"type": "has_tag"}},
        {"kind": "branch", "condition": {"type": "replied_since_last_step"}, "then_step": 0},
        {"kind": "emit_event", "name": "Not An Event"},
        {"kind": "tag", "tag_id": str(uuid.uuid4()), "extra": 1},
        {"kind": "unknown"},
    ],
)
def test_a_malformed_step_is_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        STEPS.validate_python([bad])


def test_a_window_needs_both_ends_or_neither_and_sorts_its_days() -> None:
    assert CadenceWindow(days=[5, 1, 5]).days == [1, 5]
    bad: dict[str, Any]
    for bad in ({"start_time": "09:00"}, {"start_time": "09:00", "end_time": "09:00"}, {"days": []}, {"days": [8]}):
        with pytest.raises(ValidationError):
            CadenceWindow(**bad)


def test_variables_fill_from_the_contact_and_the_lead_and_literals_pass_through() -> None:
    found = variables.values(
        {"name": "Ana Souza", "phone": "+5511999990000", "custom_fields": {"plan": "pro", "vip": True}},
        {"title": "Deal", "value": 1500, "custom_fields": {"source": "ads"}},
    )
    assert found["contact.first_name"] == "Ana" and found["contact.custom.vip"] == "true"
    assert found["lead.value"] == "1500" and found["lead.custom.source"] == "ads"
    resolved = variables.resolve({"body.1": "contact.first_name", "body.2": "Olá!", "body.3": "lead.next_step"}, found)
    assert resolved == {"body.1": "Ana", "body.2": "Olá!"}  # no value: the defaults fill it
    assert variables.problem("contact.custom.plan", custom_keys={"plan"}) is None
    assert variables.problem("contact.custom.nope", custom_keys={"plan"}) is not None
    assert variables.problem("lead.owner", custom_keys=set()) is not None
    assert variables.text_problems("Oi {{contact.name}} {{name}}", custom_keys=set()) == [
        "{{name}}: use contact.<field> or lead.<field>, not 'name'"
    ]


def test_the_window_opens_on_its_days_and_across_midnight_belongs_to_the_day_it_opened() -> None:
    friday_night = datetime(2030, 1, 4, 23, 0, tzinfo=SAO_PAULO)
    saturday_small_hours = datetime(2030, 1, 5, 1, 0, tzinfo=SAO_PAULO)
    weekdays = {1, 2, 3, 4, 5}
    assert is_open(friday_night, time(22), time(2), SAO_PAULO, weekdays)
    assert is_open(saturday_small_hours, time(22), time(2), SAO_PAULO, weekdays)  # Friday's window
    assert not is_open(datetime(2030, 1, 5, 23, 0, tzinfo=SAO_PAULO), time(22), time(2), SAO_PAULO, weekdays)
    # Saturday noon → Monday 09:00; without days, the next day's opening as before
    saturday_noon = datetime(2030, 1, 5, 12, 0, tzinfo=SAO_PAULO)
    assert next_open(saturday_noon, time(9), time(18), SAO_PAULO, weekdays) == datetime(
        2030, 1, 7, 9, 0, tzinfo=SAO_PAULO
    )
    assert next_open(saturday_noon, time(13), time(18), SAO_PAULO) == datetime(2030, 1, 5, 13, 0, tzinfo=SAO_PAULO)
    # all day (start == end) on some days
    assert is_open(saturday_noon, time(0), time(0), SAO_PAULO, {6})
    assert not is_open(saturday_noon, time(0), time(0), SAO_PAULO, {1})


def test_timing_sends_in_the_contacts_zone_and_waits_until_a_local_time() -> None:
    version = _version([], timezone_mode="contact", days=[1, 2, 3, 4, 5], start_time="09:00", end_time="18:00")
    timing = Timing.of(version, "America/Sao_Paulo")
    monday_noon_utc = datetime(2030, 1, 7, 12, 0, tzinfo=UTC)  # 09:00 in São Paulo, 07:00 in New York
    assert timing.send_at(monday_noon_utc, "+5511999990000") == monday_noon_utc  # the company's zone when unknown
    assert timing.send_at(monday_noon_utc, "+12125550100") == datetime(2030, 1, 7, 14, 0, tzinfo=UTC)
    wait = WaitStep(kind="wait", until_time=time(8, 0))
    assert timing.wait_until(monday_noon_utc, wait, "+5511999990000") == datetime(2030, 1, 8, 11, 0, tzinfo=UTC)
    always = Timing.of(_version([]), "America/Sao_Paulo")
    assert always.always_open() and always.send_at(monday_noon_utc, None) == monday_noon_utc


def test_the_preview_walks_the_steps_in_order_from_now() -> None:
    steps: list[dict[str, Any]] = [
        {"kind": "wait", "duration_seconds": 3600},
        {"kind": "send_sms", "text": "Oi"},
        {"kind": "branch", "condition": {"type": "replied_since_last_step"}},
    ]
    friday_evening = datetime(2030, 1, 4, 20, 30, tzinfo=UTC)  # 17:30 in São Paulo: the send falls at 18:30
    preview = timeline(_version(steps, days=[1, 2, 3, 4, 5], start_time="09:00", end_time="18:00"),
                       company_timezone="America/Sao_Paulo", phone=None, now=friday_evening)  # fmt: skip
    assert [(s.kind, s.at, s.shifted) for s in preview.steps] == [
        ("wait", friday_evening, False),
        ("send_sms", datetime(2030, 1, 7, 12, 0, tzinfo=UTC), True),
        ("branch", datetime(2030, 1, 7, 12, 0, tzinfo=UTC), False),
    ]
    assert preview.steps[2].note == "replied_since_last_step: then step 3, else step 3"


def test_the_api_literals_are_the_models_values() -> None:
    from typing import get_args

    from masteria.cadences import models, schemas

    assert get_args(schemas.ExitReason) == models.EXIT_REASONS
    assert get_args(schemas.StepKind) == models.STEP_KINDS
    assert get_args(schemas.StepOutcome) == models.STEP_OUTCOMES
    assert get_args(schemas.EnrollmentState) == models.ENROLLMENT_STATES
    assert get_args(schemas.EnrollmentSource) == models.ENROLLMENT_SOURCES
