"""The local pump calls the same Lambda handler an SQS event source mapping would, honouring partial
batch failures, and work queued before a stop is picked up by the next pump."""

from __future__ import annotations

import threading
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from functions.local.pump import QueuePump
from functions.manifest import FunctionSpec, QueueTrigger
from masteria.adapters.local.pg_queue import PostgresQueue
from masteria.bootstrap import Container
from masteria.ports import QueueConfig
from tests.e2e.waits import eventually

PROCESSED: list[str] = []
STUCK, RELEASE = threading.Event(), threading.Event()  # a handler that hangs until released
_processor = BatchProcessor(event_type=EventType.SQS)


def _record(record: SQSRecord) -> None:
    if "fail" in record.body:
        raise ValueError("this body fails")
    if record.body == "hang":
        STUCK.set()
        RELEASE.wait(30)
    PROCESSED.append(record.body)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=_record, processor=_processor, context=context)


SPEC = FunctionSpec(
    name="test_worker",
    handler=f"{__name__}.handler",
    trigger=QueueTrigger(queue="test-jobs", batch_size=10, max_concurrency=2, max_receives=2),
    description="test consumer",
    timeout_seconds=10,
)
CONFIGS = {
    "test-jobs": QueueConfig("test-jobs", visibility_timeout_seconds=1, max_receives=2, dead_letter_queue="test-dlq"),
    "test-dlq": QueueConfig("test-dlq", visibility_timeout_seconds=1, max_receives=0, dead_letter_queue=None),
}


def test_partial_failures_are_redelivered_then_dead_lettered(container: Container) -> None:
    PROCESSED.clear()
    queue = PostgresQueue(container.database.engine, CONFIGS)
    queue.send_batch("test-jobs", ["a", "please fail", "b"])
    pump = QueuePump(queue, [SPEC], stop=threading.Event())
    assert pump.run_once() == 3
    assert sorted(PROCESSED) == ["a", "b"]
    assert queue.approximate_depth("test-jobs") == 1  # only the failed one is left
    assert eventually(pump.run_once, seconds=10) == 1  # second (and last allowed) delivery fails again
    handled: list[int] = []

    def dead_letters() -> list[str]:
        handled.append(pump.run_once())  # the receive that finds it used up moves it to the dead-letter queue
        return [m.body for m in queue.receive("test-dlq")]

    assert eventually(dead_letters, seconds=10) == ["please fail"]
    assert set(handled) == {0}
    assert sorted(PROCESSED) == ["a", "b"]


def test_work_queued_before_a_stop_is_done_after_a_restart(container: Container) -> None:
    PROCESSED.clear()
    queue = PostgresQueue(container.database.engine, CONFIGS)
    stop = threading.Event()
    stop.set()  # a pump that was stopped before the work arrived
    stopped = QueuePump(queue, [SPEC], stop=stop)
    stopped.start()
    stopped.join()
    queue.send_batch("test-jobs", [f"job-{i}" for i in range(10)])
    queue.send_batch("test-jobs", [f"job-{i}" for i in range(10, 15)])
    assert PROCESSED == []
    # WHEN a new pump starts
    stop = threading.Event()
    pump = QueuePump(queue, [SPEC], stop=stop)
    pump.start()
    eventually(lambda: len(PROCESSED) >= 15, seconds=10)
    stop.set()
    pump.join()
    # THEN every message was handled exactly once and the queue is empty
    assert sorted(PROCESSED) == sorted(f"job-{i}" for i in range(15))
    assert queue.approximate_depth("test-jobs") == 0


def test_a_stop_waits_for_a_stuck_handler_only_as_long_as_it_is_told(container: Container) -> None:
    queue = PostgresQueue(container.database.engine, CONFIGS)
    stop = threading.Event()
    pump = QueuePump(queue, [SPEC], stop=stop)
    STUCK.clear()
    RELEASE.clear()
    queue.send("test-jobs", "hang")
    pump.start()
    try:
        assert STUCK.wait(10)
        # WHEN the runtime stops while a handler hangs (Ctrl-C with an importer stuck)
        stop.set()
        # THEN the stop gives up on it after its time, instead of waiting for good
        assert pump.join(timeout=0.5) is False
    finally:
        RELEASE.set()
    assert pump.join(timeout=10) is True  # and a handler that finishes is waited for
