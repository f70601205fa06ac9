"""SQS consumer of ``connection-secrets`` (outbox jobs of connection changes): puts a connection's inbound
secret in the store the Meta webhook function reads, or removes it once the connection is gone. Reads the
current state each time, so a repeated or late job changes nothing."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from masteria.bootstrap import container
from masteria.channels import connections
from masteria.channels.secret_jobs import SecretJob
from masteria.observability import logger

_processor = BatchProcessor(event_type=EventType.SQS)


def _record(record: SQSRecord) -> None:
    c = container()
    job = SecretJob.model_validate_json(record.body)
    published = connections.publish_inbound_secret(db=c.database, keys=c.company_keys, store=c.inbound_secrets, job=job)
    logger.info("inbound secret", extra={"connection_id": str(job.connection_id), "published": published})


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=_record, processor=_processor, context=context)
