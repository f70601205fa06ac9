"""EventBridge consumer: the company's SMS opt-out lists at AWS kept in step with consent: a contact who opted out
of SMS goes on them, one who opted in to SMS again comes off them."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from masteria.bootstrap import container
from masteria.channels.providers.sms_aws.opt_outs import push_opt_in, push_opt_out
from masteria.event_payloads import ContactOptedInPayload, ContactOptedOutPayload
from masteria.events import EventType
from masteria.observability import logger
from masteria.ports import PublishedEvent


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    published = PublishedEvent.from_detail(event["detail"])
    opted_in = published.type == EventType.CONTACT_OPTED_IN.value
    model = ContactOptedInPayload if opted_in else ContactOptedOutPayload
    payload = model.model_validate(published.data)
    if payload.channel != "sms":
        return {"lists": 0}
    c = container()
    push = push_opt_in if opted_in else push_opt_out
    taken = push(
        c.database, c.company_keys, c.sms_gateway, company_id=published.company_id, contact_id=payload.contact_id
    )
    return {"lists": taken}
