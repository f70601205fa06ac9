"""SQS consumer of ``appointment-schedule`` (outbox jobs of creating, rescheduling, cancelling or completing
appointments): creates, moves or deletes the attendee's one-time reminder schedule from the appointment as it is
now. A repeated or late job changes nothing."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from masteria.appointments import reminders
from masteria.bootstrap import container
from masteria.observability import logger

_processor = BatchProcessor(event_type=EventType.SQS)


def _record(record: SQSRecord) -> None:
    c = container()
    job = reminders.ScheduleJob.model_validate_json(record.body)
    wanted = reminders.sync(db=c.database, scheduler=c.scheduler, clock=c.clock, job=job)
    logger.info(
        "appointment reminder schedule",
        extra={"appointment_id": str(job.appointment_id), "scheduled": wanted.at is not None, "now": wanted.now},
    )


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=_record, processor=_processor, context=context)
