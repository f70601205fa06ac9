"""One contract, two adapters: the PostgreSQL-backed local queue and SQS (under moto) behave alike."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from masteria.adapters.aws.sqs_queue import SqsQueue
from masteria.adapters.local.pg_queue import PostgresQueue
from masteria.bootstrap import Container
from masteria.ports import Queue, QueueConfig, ReceivedMessage
from tests.e2e.waits import eventually

JOBS = QueueConfig("test-jobs", visibility_timeout_seconds=1, max_receives=2, dead_letter_queue="test-jobs-dlq")
DLQ = QueueConfig("test-jobs-dlq", visibility_timeout_seconds=1, max_receives=0, dead_letter_queue=None)
CONFIGS = {c.name: c for c in (JOBS, DLQ)}


def _sqs_queue() -> SqsQueue:
    client = boto3.client("sqs", region_name="us-east-1")
    dlq_url = client.create_queue(QueueName=DLQ.name)["QueueUrl"]
    dlq_arn = client.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = client.create_queue(
        QueueName=JOBS.name,
        Attributes={
            "VisibilityTimeout": str(JOBS.visibility_timeout_seconds),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": JOBS.max_receives}),
        },
    )["QueueUrl"]
    return SqsQueue(client, url.rsplit("/", 1)[0])


@pytest.fixture(params=["postgres", "sqs"])
def queue(request: pytest.FixtureRequest) -> Iterator[Queue]:
    if request.param == "postgres":
        container: Container = request.getfixturevalue("container")
        yield PostgresQueue(container.database.engine, CONFIGS)
    else:
        with mock_aws():
            yield _sqs_queue()


def _received(queue: Queue, name: str = JOBS.name) -> list[ReceivedMessage]:
    """Receive until something comes: a message whose delay or visibility timeout runs out, polled."""
    return eventually(lambda: queue.receive(name, max_messages=10), seconds=10)


def _drain(queue: Queue, name: str, *, wait: float = 0) -> list[str]:
    received = queue.receive(name, max_messages=10, wait_seconds=wait)
    queue.delete(name, [m.receipt for m in received])
    return [m.body for m in received]


def test_send_receive_delete(queue: Queue) -> None:
    ids = queue.send_batch(JOBS.name, [f"m{i}" for i in range(10)])
    assert len(set(ids)) == 10
    received = queue.receive(JOBS.name, max_messages=10)
    assert sorted(m.body for m in received) == sorted(f"m{i}" for i in range(10))
    assert all(m.receive_count == 1 for m in received)
    queue.delete(JOBS.name, [m.receipt for m in received])
    assert queue.approximate_depth(JOBS.name) == 0  # gone, not in flight
    assert queue.receive(JOBS.name) == []


def test_batches_hold_at_most_ten(queue: Queue) -> None:
    with pytest.raises(Exception):  # noqa: B017 - ValueError locally; SQS's own error under moto
        queue.send_batch(JOBS.name, [str(i) for i in range(11)])
    assert len(queue.receive(JOBS.name, max_messages=10)) == 0


def test_delay_hides_a_message_until_due(queue: Queue) -> None:
    queue.send(JOBS.name, "later", delay_seconds=1)
    assert queue.receive(JOBS.name) == []
    assert [m.body for m in _received(queue)] == ["later"]


def test_visibility_timeout_then_redelivery_with_a_higher_count(queue: Queue) -> None:
    queue.send(JOBS.name, "job")
    first = queue.receive(JOBS.name)
    assert [m.receive_count for m in first] == [1]
    assert queue.receive(JOBS.name) == []  # in flight: invisible
    second = _received(queue)
    assert [(m.body, m.receive_count) for m in second] == [("job", 2)]


def test_change_visibility_makes_a_message_visible_again(queue: Queue) -> None:
    queue.send(JOBS.name, "job")
    (message,) = queue.receive(JOBS.name)
    queue.change_visibility(JOBS.name, message.receipt, timeout_seconds=0)
    assert [m.body for m in queue.receive(JOBS.name)] == ["job"]


def test_after_max_receives_a_message_goes_to_the_dead_letter_queue(queue: Queue) -> None:
    queue.send(JOBS.name, "poison")
    assert [m.body for m in queue.receive(JOBS.name)] == ["poison"]
    for receive in range(2, JOBS.max_receives + 1):
        assert [(m.body, m.receive_count) for m in _received(queue)] == [("poison", receive)]
    # SQS moves it on the receive after the last one; locally it is moved as it times out
    assert eventually(lambda: queue.receive(JOBS.name) == [] and _drain(queue, DLQ.name), seconds=10) == ["poison"]


def test_partial_batch_failure_redelivers_only_the_failed(queue: Queue) -> None:
    queue.send_batch(JOBS.name, ["ok-1", "bad", "ok-2"])
    received = queue.receive(JOBS.name, max_messages=10)
    assert len(received) == 3
    queue.delete(JOBS.name, [m.receipt for m in received if m.body != "bad"])
    assert [(m.body, m.receive_count) for m in _received(queue)] == [("bad", 2)]


def test_unknown_queue_is_an_error(container: Container) -> None:
    queue = PostgresQueue(container.database.engine, CONFIGS)
    with pytest.raises(KeyError, match="unknown queue"):
        queue.send("nope", "x")


def test_a_stale_receipt_does_not_delete_a_redelivered_message(container: Container) -> None:
    # SQS documents that deleting with an old receipt handle may succeed; the local queue is stricter,
    # which is the safe side for handlers that took too long.
    queue = PostgresQueue(container.database.engine, CONFIGS)
    queue.send(JOBS.name, "slow")
    (first,) = queue.receive(JOBS.name)
    (second,) = _received(queue)
    queue.delete(JOBS.name, [first.receipt])
    assert queue.approximate_depth(JOBS.name) == 1
    queue.delete(JOBS.name, [second.receipt])
    assert queue.approximate_depth(JOBS.name) == 0


def test_concurrent_receivers_never_share_a_message(container: Container) -> None:
    queue = PostgresQueue(container.database.engine, {**CONFIGS, JOBS.name: QueueConfig(JOBS.name, 30, 2, DLQ.name)})
    for start in range(0, 200, 10):
        queue.send_batch(JOBS.name, [str(i) for i in range(start, start + 10)])
    seen: list[str] = []
    lock = threading.Lock()

    def consume() -> None:
        while batch := queue.receive(JOBS.name, max_messages=10):
            with lock:
                seen.extend(m.body for m in batch)

    threads = [threading.Thread(target=consume) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(seen, key=int) == [str(i) for i in range(200)]


def test_a_long_poll_on_the_local_queue_wakes_the_moment_a_message_is_sent(container: Container) -> None:
    queue = PostgresQueue(container.database.engine, CONFIGS)
    sender = threading.Timer(0.2, lambda: queue.send(JOBS.name, "hello"))
    sender.start()
    started = time.monotonic()
    # WHEN a consumer long-polls an empty queue and a message is sent meanwhile
    received = queue.receive(JOBS.name, wait_seconds=10)
    # THEN it gets the message at once, not at its next periodic check (once a second)
    assert [m.body for m in received] == ["hello"]
    assert time.monotonic() - started < 0.9
    sender.join()
    # and an idle long poll still ends at its deadline
    started = time.monotonic()
    assert queue.receive(JOBS.name, wait_seconds=0.3) == []
    assert 0.3 <= time.monotonic() - started < 1.5
