"""SQS consumer of ``campaign-schedule`` (outbox jobs of scheduling, moving and cancelling campaigns): creates,
moves or deletes the campaign's one-time schedule from the campaign as it is now. A repeated or late job
changes nothing."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from masteria.bootstrap import container
from masteria.campaigns import schedules
from masteria.observability import logger

_processor = BatchProcessor(event_type=EventType.SQS)


def _record(record: SQSRecord) -> None:
    c = container()
    job = schedules.ScheduleJob.model_validate_json(record.body)
    wanted = schedules.sync(db=c.database, scheduler=c.scheduler, clock=c.clock, job=job)
    logger.info(
        "campaign schedule",
        extra={"campaign_id": str(job.campaign_id), "scheduled": wanted.at is not None, "started": bool(wanted.start)},
    )


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=_record, processor=_processor, context=context)
