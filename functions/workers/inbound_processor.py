"""SQS consumer of ``inbound``: providers' webhook bodies into contacts, conversations, messages and statuses."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.manifest import FUNCTIONS
from masteria.bootstrap import container
from masteria.channels.inbound_job import InboundJob, loaded
from masteria.conversations import inbound
from masteria.observability import failure_fields, logger

_processor = BatchProcessor(event_type=EventType.SQS)


MAX_RECEIVES = next(f.trigger.max_receives for f in FUNCTIONS if f.name == "inbound_processor")  # type: ignore[union-attr]


def _record(record: SQSRecord) -> None:
    c = container()
    media = inbound.Media(providers=c.providers, store=c.object_store, keys=c.company_keys)
    job = loaded(InboundJob.model_validate_json(record.body), c.object_store)
    try:
        inbound.process(db=c.database, keys=c.company_keys, providers=c.providers, job=job, media=media)
    except Exception as error:
        # a fault of ours or of the database: retried by the queue; on its last receive, kept as a dead
        # letter (with what failed) rather than lost to the queue's own dead-letter queue unseen
        attempts = int(record.attributes.approximate_receive_count)
        if attempts < MAX_RECEIVES:
            raise
        logger.error("inbound webhook failed for good", extra={"attempts": attempts, **failure_fields(error)})
        inbound.keep_failed(db=c.database, job=job, error=error, attempts=attempts)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=_record, processor=_processor, context=context)
