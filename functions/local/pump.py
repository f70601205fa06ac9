"""The local runtime's queue pump: drains each queue into its consumer's Lambda handler.

For every queue-triggered function of the manifest it receives up to ``batch_size`` messages,
builds the SQS event Lambda would deliver, calls the very same handler, and deletes every message
the handler did not report in ``batchItemFailures`` — the event source mapping's behaviour with
``ReportBatchItemFailures``. A handler that raises fails the whole batch: nothing is deleted, and
the messages come back after their visibility timeout (then go to the dead-letter queue).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

from functions.local.lambda_context import invoke
from functions.manifest import FunctionSpec, QueueTrigger
from masteria.observability import logger
from masteria.ports import Queue, ReceivedMessage

_IDLE_SLEEP_SECONDS = 0.02
# Consumers long-poll their queue: the local queue wakes them the moment a message is sent.
LONG_POLL_SECONDS = 1.0


def sqs_event(queue: str, messages: Sequence[ReceivedMessage]) -> dict[str, Any]:
    """The event an SQS event source mapping delivers to Lambda."""
    return {
        "Records": [
            {
                "messageId": m.message_id,
                "receiptHandle": m.receipt,
                "body": m.body,
                "attributes": {
                    "ApproximateReceiveCount": str(m.receive_count),
                    "SentTimestamp": str(int(time.time() * 1000)),
                    "SenderId": "local",
                    "ApproximateFirstReceiveTimestamp": str(int(time.time() * 1000)),
                },
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:local:000000000000:{queue}",
                "awsRegion": "local",
            }
            for m in messages
        ]
    }


class QueuePump:
    def __init__(self, queue: Queue, functions: Sequence[FunctionSpec], *, stop: threading.Event) -> None:
        self._queue = queue
        self._functions = [f for f in functions if isinstance(f.trigger, QueueTrigger)]
        self._stop = stop
        self._threads: list[threading.Thread] = []

    def run_once(self, spec: FunctionSpec | None = None) -> int:
        """Handle one batch of each consumer (or of ``spec``); the number of messages handled."""
        return sum(self._pump(f) for f in ([spec] if spec else self._functions))

    def _pump(self, spec: FunctionSpec, *, wait_seconds: float = 0) -> int:
        trigger = spec.trigger
        assert isinstance(trigger, QueueTrigger)
        messages = self._queue.receive(trigger.queue, max_messages=trigger.batch_size, wait_seconds=wait_seconds)
        if not messages:
            return 0
        try:
            result = invoke(spec, sqs_event(trigger.queue, messages))
        except Exception:
            logger.exception("queue handler failed; the batch will be redelivered", extra={"function": spec.name})
            return len(messages)
        failed = {item["itemIdentifier"] for item in (result or {}).get("batchItemFailures", [])}
        self._queue.delete(trigger.queue, [m.receipt for m in messages if m.message_id not in failed])
        return len(messages)

    def _loop(self, spec: FunctionSpec) -> None:
        while not self._stop.is_set():
            try:
                handled = self._pump(spec, wait_seconds=LONG_POLL_SECONDS)
            except Exception:
                logger.exception("queue pump error", extra={"function": spec.name})
                handled = 0
            if not handled:
                self._stop.wait(_IDLE_SLEEP_SECONDS)

    def start(self) -> None:
        for spec in self._functions:
            assert isinstance(spec.trigger, QueueTrigger)
            for n in range(spec.trigger.max_concurrency):
                thread = threading.Thread(target=self._loop, args=(spec,), name=f"pump-{spec.name}-{n}", daemon=True)
                thread.start()
                self._threads.append(thread)

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the in-flight batches to finish once ``stop`` is set, ``timeout`` seconds at most in all;
        whether they all did (a handler stuck past it is left behind: its threads are daemons)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in self._threads:
            thread.join(None if deadline is None else max(deadline - time.monotonic(), 0))
        return not any(thread.is_alive() for thread in self._threads)
