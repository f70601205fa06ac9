"""SQS consumer: a knowledge-base document's ingestion, a knowledge base's re-embedding, or the removal of files no
document needs any more (one message each)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from masteria.bootstrap import container
from masteria.knowledge.files import DeleteFilesJob, run_deletion
from masteria.knowledge.ingestion import IngestJob, parse_job, run_document, run_reembed
from masteria.observability import logger

_processor = BatchProcessor(event_type=EventType.SQS)


def _record(record: SQSRecord) -> None:
    job = parse_job(record.body)
    c = container()
    if isinstance(job, IngestJob):
        run_document(
            db=c.database, store=c.object_store, clock=c.clock, embedders=c.embedder_for, http=c.page_http, job=job
        )
    elif isinstance(job, DeleteFilesJob):
        run_deletion(store=c.object_store, job=job)
    else:
        run_reembed(db=c.database, clock=c.clock, embedders=c.embedder_for, job=job)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=_record, processor=_processor, context=context)
