"""SQS consumer of the ``webhooks`` queue: signs due deliveries for the dispatcher, and records what the
dispatcher saw (the delivery log, retries on the schedule, disabling a dead endpoint)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from masteria.bootstrap import container
from masteria.observability import logger
from masteria.webhooks import delivery

_processor = BatchProcessor(event_type=EventType.SQS)


def _record(record: SQSRecord) -> None:
    c = container()
    delivery.handle(db=c.database, queue=c.queue, keys=c.company_keys, clock=c.clock, body=record.body)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=_record, processor=_processor, context=context)
