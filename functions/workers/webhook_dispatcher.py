"""SQS consumer of ``webhook-dispatch``: POSTs signed deliveries to customer URLs through the SSRF guard and
sends each outcome back to the ``webhooks`` queue. Outside the VPC, with no database and no secrets."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from masteria.bootstrap import container
from masteria.observability import logger
from masteria.webhooks.delivery import QUEUE, DispatchJob
from masteria.webhooks.dispatch import dispatch

_processor = BatchProcessor(event_type=EventType.SQS)


def _record(record: SQSRecord) -> None:
    c = container()
    outcome = dispatch(DispatchJob.model_validate_json(record.body), http=c.webhook_http, clock=c.clock)
    c.queue.send(QUEUE, outcome.model_dump_json())


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=_record, processor=_processor, context=context)
