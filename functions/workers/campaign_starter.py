"""SQS consumer of ``campaign-start`` (fed by the one-time schedules): plans a scheduled campaign's recipient
ledger and hands it to the sender. A schedule that fires twice starts the campaign once."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from masteria.bootstrap import container
from masteria.campaigns import planner
from masteria.campaigns.jobs import StartJob
from masteria.observability import logger

_processor = BatchProcessor(event_type=EventType.SQS)


def _record(record: SQSRecord) -> None:
    c = container()
    job = StartJob.model_validate_json(record.body)
    started = planner.start(db=c.database, clock=c.clock, job=job)
    logger.info("campaign start", extra={"campaign_id": str(job.campaign_id), "started": started})


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=_record, processor=_processor, context=context)
