"""SQS consumer of ``inbound``: Meta's webhook bodies into contacts, conversations, messages and statuses."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from masteria.bootstrap import container
from masteria.channels.inbound_job import InboundJob
from masteria.conversations import inbound
from masteria.observability import logger

_processor = BatchProcessor(event_type=EventType.SQS)


def _record(record: SQSRecord) -> None:
    c = container()
    media = inbound.Media(graph=c.graph, store=c.object_store, keys=c.company_keys)
    inbound.process(db=c.database, keys=c.company_keys, job=InboundJob.model_validate_json(record.body), media=media)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=_record, processor=_processor, context=context)
