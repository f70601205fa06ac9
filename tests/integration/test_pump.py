"""The local pump calls the same Lambda handler an SQS event source mapping would, honouring partial
batch failures, and work queued before a stop is picked up by the next pump."""

from __future__ import annotations

import threading
import time
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from functions.local.pump import QueuePump
from functions.manifest import FunctionSpec, QueueTrigger
from masteria.adapters.local.pg_queue import PostgresQueue
from masteria.bootstrap import Container
from masteria.ports import QueueConfig

PROCESSED: list[str] = []
_processor = BatchProcessor(event_type=EventType.SQS)


def _record(record: SQSRecord) -> None:
    if "fail" in record.body:
        raise ValueError("this body fails")
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
    time.sleep(1.2)
    assert pump.run_once() == 1  # second (and last allowed) delivery fails again
    time.sleep(1.2)
    assert pump.run_once() == 0
    assert [m.body for m in queue.receive("test-dlq")] == ["please fail"]
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
    deadline = time.monotonic() + 10
    while len(PROCESSED) < 15 and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    pump.join()
    # THEN every message was handled exactly once and the queue is empty
    assert sorted(PROCESSED) == sorted(f"job-{i}" for i in range(15))
    assert queue.approximate_depth("test-jobs") == 0
