"""SQS consumer of ``campaign-send``: drives one running campaign for a slice of time (paced, exactly-once per
recipient), then hands it back to the queue while there is more to send."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from masteria.bootstrap import container
from masteria.campaigns.jobs import SendJob
from masteria.campaigns.sender import SenderSettings, drive
from masteria.observability import logger

_processor = BatchProcessor(event_type=EventType.SQS)
_MARGIN_SECONDS = 15  # left of the function's time once a slice ends: recording the last batch, releasing


def _record(record: SQSRecord, lambda_context: LambdaContext) -> None:
    """(Powertools passes ``lambda_context`` to a record handler that names it.)"""
    c = container()
    job = SendJob.model_validate_json(record.body)
    left = lambda_context.get_remaining_time_in_millis() / 1000 - _MARGIN_SECONDS
    seconds = max(1.0, min(SenderSettings.slice_seconds, left))
    outcome = drive(
        db=c.database,
        queue=c.queue,
        providers=c.providers,
        keys=c.company_keys,
        clock=c.clock,
        job=job,
        settings=SenderSettings(slice_seconds=seconds),
    )
    logger.info("campaign drive", extra={"campaign_id": str(job.campaign_id), "outcome": outcome})


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=_record, processor=_processor, context=context)
