"""EventBridge consumer: a contact who opted out of SMS goes on the company's SMS opt-out lists at AWS."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from masteria.bootstrap import container
from masteria.channels.providers.sms_aws.opt_outs import push_opt_out
from masteria.event_payloads import ContactOptedOutPayload
from masteria.observability import logger
from masteria.ports import PublishedEvent


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    published = PublishedEvent.from_detail(event["detail"])
    payload = ContactOptedOutPayload.model_validate(published.data)
    if payload.channel != "sms":
        return {"lists": 0}
    c = container()
    taken = push_opt_out(
        c.database, c.company_keys, c.sms_gateway, company_id=published.company_id, contact_id=payload.contact_id
    )
    return {"lists": taken}
