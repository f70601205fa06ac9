"""SQS consumer: runs contact CSV imports (one message per import; resumable chunk by chunk)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from masteria.bootstrap import container
from masteria.contacts.import_jobs import ImportJob
from masteria.contacts.imports import run_import
from masteria.observability import logger

_processor = BatchProcessor(event_type=EventType.SQS)


def _record(record: SQSRecord) -> None:
    job = ImportJob.model_validate_json(record.body)
    c = container()
    run_import(db=c.database, store=c.object_store, clock=c.clock, job=job)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=_record, processor=_processor, context=context)
