"""SQS consumer of ``webhook-dispatch``: POSTs signed deliveries to customer URLs through the SSRF guard and
sends each outcome back to the ``webhooks`` queue. Outside the VPC, with no database and no secrets.

The records of a batch are tried at once, each with its own time budget (the dispatch timeout), so one slow
customer endpoint never uses up another company's time: a batch takes as long as its slowest attempt, well
within the function's timeout. A record that could not be tried in the time left goes back to the queue
untried; any other failure to record an outcome is that record's alone (a partial batch response)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any

from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse, PartialItemFailures
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from masteria.bootstrap import Container, container
from masteria.observability import failure_fields, logger
from masteria.webhooks.delivery import QUEUE, TIMEOUT_SECONDS, DispatchJob
from masteria.webhooks.dispatch import dispatch

MARGIN_SECONDS = 5  # to send the outcome and answer after the slowest attempt


def _record(c: Container, record: SQSRecord) -> None:
    outcome = dispatch(DispatchJob.model_validate_json(record.body), http=c.webhook_http, clock=c.clock)
    c.queue.send(QUEUE, outcome.model_dump_json())


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    records = [SQSRecord(raw) for raw in event.get("Records", [])]
    if context.get_remaining_time_in_millis() < (TIMEOUT_SECONDS + MARGIN_SECONDS) * 1000:
        logger.warning("no time left to try the batch: back to the queue", extra={"records": len(records)})
        return {"batchItemFailures": [{"itemIdentifier": r.message_id} for r in records]}
    failures: list[PartialItemFailures] = []
    c = container()
    c.webhook_http, c.queue  # noqa: B018 - built here, once, not by the threads at the same time
    # An endpoint that trickles its answer can hold a connection past the read timeout: the batch waits no
    # longer than the time left, and what has not finished goes back to the queue (its outcome unsent).
    deadline = context.get_remaining_time_in_millis() / 1000 - MARGIN_SECONDS
    pool = ThreadPoolExecutor(max_workers=max(1, len(records)), thread_name_prefix="dispatch")
    attempts = {pool.submit(_record, c, record): record for record in records}
    _, unfinished = wait(attempts, timeout=deadline)
    pool.shutdown(wait=False, cancel_futures=True)
    for attempt, record in attempts.items():
        error = None if attempt in unfinished else attempt.exception()
        if attempt in unfinished:
            logger.warning("webhook dispatch still running at the deadline: back to the queue")
        elif error is not None:
            logger.error("webhook dispatch failed", extra=failure_fields(error))
        if attempt in unfinished or error is not None:
            failures.append({"itemIdentifier": record.message_id})
    return {"batchItemFailures": failures}
