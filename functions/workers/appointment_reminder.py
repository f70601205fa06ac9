"""SQS consumer of ``appointment-reminder`` (put there by the reminder's one-time schedule, or at once when it
was due): notifies the attendee if the appointment is still the version the reminder was made for, once."""

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
    job = reminders.ReminderJob.model_validate_json(record.body)
    sent = reminders.remind(db=container().database, job=job)
    logger.info("appointment reminder", extra={"appointment_id": str(job.appointment_id), "sent": sent})


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=_record, processor=_processor, context=context)
