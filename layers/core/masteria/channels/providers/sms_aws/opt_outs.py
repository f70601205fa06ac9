"""Our SMS opt-outs on AWS's opt-out lists: a contact who stops SMS with us (a keyword AWS does not know, such as
SAIR or PARAR; the dashboard; an import) goes on the opt-out list of each of the company's SMS connections that names
one, so the service refuses them too. AWS's own keywords (STOP…) reach us as inbound messages and opt the contact out
here as well; putting a number on a list twice changes nothing."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from masteria.channels import connections
from masteria.channels.models import ChannelConnection
from masteria.channels.providers.sms_aws.config import SmsConfig
from masteria.channels.providers.sms_aws.gateway import Refusal, SmsGateway, SmsRefused
from masteria.channels.providers.sms_aws.provider import NAME
from masteria.contacts.models import Contact
from masteria.crypto import CompanyKeys
from masteria.db import Database
from masteria.observability import logger


def push_opt_out(
    db: Database, keys: CompanyKeys, gateway: SmsGateway, *, company_id: uuid.UUID, contact_id: uuid.UUID
) -> int:
    """Put the contact's number on the company's SMS opt-out lists; how many lists took it. A throttled or failing
    service raises (the event is delivered again); a list the service does not know is logged and skipped."""
    with db.tenant(company_id) as session:
        contact = session.get(Contact, contact_id)
        if contact is None:
            return 0
        phone = contact.phone
        rows = session.scalars(select(ChannelConnection).where(ChannelConnection.provider == NAME)).all()
        lists = set()
        for row in rows:
            config = connections.config(session, keys, row)
            if isinstance(config, SmsConfig) and config.opt_out_list:
                lists.add(config.opt_out_list)
    taken = 0
    for name in sorted(lists):
        try:
            gateway.opt_out(name, phone)
            taken += 1
        except SmsRefused as refused:
            if refused.refusal in (Refusal.THROTTLED, Refusal.TRANSIENT, Refusal.UNKNOWN):
                raise
            logger.warning("an SMS opt-out list refused an opt-out", extra={"code": refused.code})
    return taken
