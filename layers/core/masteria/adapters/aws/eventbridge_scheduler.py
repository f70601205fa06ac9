"""The ``Scheduler`` port on EventBridge Scheduler: one-time ``at(...)`` schedules that send a message to one of
our SQS queues, retried by the Scheduler and dead-lettered by it, deleted once they have fired."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import boto3

RETRY_POLICY = {"MaximumRetryAttempts": 10, "MaximumEventAgeInSeconds": 3600}


def queue_arn(url_prefix: str, queue: str) -> str:
    """``https://sqs.<region>.amazonaws.com/<account>/<name prefix>`` and a queue name → the queue's ARN."""
    parsed = urlsplit(url_prefix + queue)
    account, name = parsed.path.strip("/").split("/", 1)
    region = parsed.netloc.split(".")[1]
    return f"arn:aws:sqs:{region}:{account}:{name}"


class EventBridgeScheduler:
    def __init__(self, client: Any, *, group: str, role_arn: str, url_prefix: str, dead_letter_arn: str | None) -> None:
        self._client, self._group, self._role, self._prefix = client, group, role_arn, url_prefix
        self._dead_letter = dead_letter_arn

    @classmethod
    def from_region(
        cls, region: str, *, group: str, role_arn: str, url_prefix: str, dead_letter_arn: str | None
    ) -> EventBridgeScheduler:
        return cls(
            boto3.client("scheduler", region_name=region),
            group=group,
            role_arn=role_arn,
            url_prefix=url_prefix,
            dead_letter_arn=dead_letter_arn,
        )

    def _arguments(self, name: str, at: datetime, queue: str, body: str) -> dict[str, Any]:
        target: dict[str, Any] = {
            "Arn": queue_arn(self._prefix, queue),
            "RoleArn": self._role,
            "Input": body,
            "RetryPolicy": RETRY_POLICY,
        }
        if self._dead_letter:
            target["DeadLetterConfig"] = {"Arn": self._dead_letter}
        return {
            "Name": name,
            "GroupName": self._group,
            "ScheduleExpression": f"at({at.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S')})",
            "ScheduleExpressionTimezone": "UTC",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "Target": target,
            "ActionAfterCompletion": "DELETE",
        }

    def schedule(self, name: str, *, at: datetime, queue: str, body: str) -> None:
        arguments = self._arguments(name, at, queue, body)
        try:
            self._client.update_schedule(**arguments)
        except self._client.exceptions.ResourceNotFoundException:
            self._client.create_schedule(**arguments)

    def cancel(self, name: str) -> None:
        with contextlib.suppress(self._client.exceptions.ResourceNotFoundException):
            self._client.delete_schedule(Name=name, GroupName=self._group)
