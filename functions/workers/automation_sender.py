"""SQS consumer of ``automation-sends``: an automation rule's message (a text or a template) sent once through the
one outbound path, as an inbox reply with no user behind it (masteria.automations.sends)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from masteria.automations import sends
from masteria.bootstrap import container
from masteria.observability import logger

_processor = BatchProcessor(event_type=EventType.SQS)


def _record(record: SQSRecord) -> None:
    outcome = sends.deliver(container(), record.body)
    logger.info("automation send", extra={"outcome": outcome})


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=_record, processor=_processor, context=context)
