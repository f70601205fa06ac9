"""The Scheduler port on EventBridge Scheduler under moto: one-time schedules to our queues, moved and removed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto import mock_aws

from masteria.adapters.aws.eventbridge_scheduler import RETRY_POLICY, EventBridgeScheduler, queue_arn

PREFIX = "https://sqs.us-east-1.amazonaws.com/123456789012/masteria-dev-"
ROLE = "arn:aws:iam::123456789012:role/scheduler"
DEAD_LETTERS = "arn:aws:sqs:us-east-1:123456789012:masteria-dev-delivery-dlq"


@pytest.fixture
def client() -> Iterator[object]:
    with mock_aws():
        scheduler = boto3.client("scheduler", region_name="us-east-1")
        scheduler.create_schedule_group(Name="masteria-dev-schedules")
        yield scheduler


def test_queue_arns_come_from_the_queue_url_prefix() -> None:
    assert queue_arn(PREFIX, "campaign-start") == "arn:aws:sqs:us-east-1:123456789012:masteria-dev-campaign-start"


def test_a_one_time_schedule_is_created_moved_and_cancelled(client: object) -> None:
    adapter = EventBridgeScheduler(
        client, group="masteria-dev-schedules", role_arn=ROLE, url_prefix=PREFIX, dead_letter_arn=DEAD_LETTERS
    )
    at = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    adapter.schedule("campaign-1", at=at, queue="campaign-start", body='{"a": 1}')
    found = client.get_schedule(Name="campaign-1", GroupName="masteria-dev-schedules")  # type: ignore[attr-defined]
    assert found["ScheduleExpression"] == "at(2026-12-01T12:00:00)"
    assert found["ScheduleExpressionTimezone"] == "UTC"
    target = found["Target"]
    assert target["Arn"] == "arn:aws:sqs:us-east-1:123456789012:masteria-dev-campaign-start"
    assert (target["RoleArn"], target["Input"]) == (ROLE, '{"a": 1}')
    assert target["RetryPolicy"] == RETRY_POLICY and target["DeadLetterConfig"] == {"Arn": DEAD_LETTERS}
    assert found["ActionAfterCompletion"] == "DELETE"

    adapter.schedule("campaign-1", at=at + timedelta(hours=1), queue="campaign-start", body='{"a": 2}')  # moved
    moved = client.get_schedule(Name="campaign-1", GroupName="masteria-dev-schedules")  # type: ignore[attr-defined]
    assert (moved["ScheduleExpression"], moved["Target"]["Input"]) == ("at(2026-12-01T13:00:00)", '{"a": 2}')

    adapter.cancel("campaign-1")
    adapter.cancel("campaign-1")  # cancelling what is gone is fine
    listed = client.list_schedules(GroupName="masteria-dev-schedules")["Schedules"]  # type: ignore[attr-defined]
    assert listed == []
