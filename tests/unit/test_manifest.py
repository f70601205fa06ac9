"""The manifest is the one list of functions: every handler imports and every queue has its DLQ."""

from __future__ import annotations

import pytest

from functions import manifest
from functions.local.lambda_context import resolve
from functions.local.schedules import interval_seconds


@pytest.mark.parametrize("spec", manifest.FUNCTIONS, ids=lambda s: s.name)
def test_every_handler_imports_and_is_callable(spec: manifest.FunctionSpec) -> None:
    assert callable(resolve(spec.handler))
    assert 1 <= spec.timeout_seconds <= 900
    assert 128 <= spec.memory_mb <= 10240


def test_names_are_unique() -> None:
    names = [f.name for f in manifest.FUNCTIONS]
    assert len(names) == len(set(names))


def test_every_schedule_expression_is_understood() -> None:
    for spec in manifest.schedules():
        assert isinstance(spec.trigger, manifest.ScheduleTrigger)
        assert interval_seconds(spec.trigger.expression) > 0


def test_queue_configs_follow_the_consumers() -> None:
    consumer = manifest.FunctionSpec(
        name="worker",
        handler="functions.workers.auth_sweeper.handler",
        trigger=manifest.QueueTrigger(queue="jobs", max_receives=7),
        description="test",
        timeout_seconds=20,
    )
    configs = manifest.queue_configs((consumer,))
    assert configs["jobs"].visibility_timeout_seconds == 120  # 6x the consumer's timeout
    assert configs["jobs"].max_receives == 7
    assert configs["jobs"].dead_letter_queue == "jobs-dlq"
    assert configs["jobs-dlq"].dead_letter_queue is None


def test_rate_expressions() -> None:
    assert interval_seconds("rate(1 hour)") == 3600
    assert interval_seconds("rate(5 minutes)") == 300
    with pytest.raises(ValueError, match="unsupported"):
        interval_seconds("cron(0 * * * ? *)")


def test_every_queue_a_function_sends_to_has_a_consumer() -> None:
    consumed = set(manifest.queue_configs())
    for spec in manifest.FUNCTIONS:
        assert set(spec.sends_to) <= consumed, spec.name


def test_each_websocket_route_is_handled_by_exactly_one_function() -> None:
    routes = [
        r for f in manifest.FUNCTIONS if isinstance(f.trigger, manifest.WebSocketTrigger) for r in f.trigger.routes
    ]
    assert sorted(routes) == sorted(manifest.WEBSOCKET_ROUTES)
    assert manifest.websocket_routes()["$connect"].name == "realtime_connect"


def test_the_push_consumer_is_routed_every_event_type_it_turns_into_frames() -> None:
    from masteria.realtime.routing import PUSHED_EVENT_TYPES

    push = manifest.by_name("realtime_push")
    assert isinstance(push.trigger, manifest.EventTrigger)
    assert set(push.trigger.event_types) == set(PUSHED_EVENT_TYPES)
    assert push.posts_to_connections and push.realtime_connections
