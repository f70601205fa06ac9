"""Our SMS opt-outs on AWS's opt-out lists: a contact who stops SMS with us (a keyword AWS does not know, such as
SAIR or PARAR; the dashboard; an import) goes on the opt-out list of each of the company's SMS connections that names
one, so the service refuses them too. AWS's own keywords (STOP…) reach us as inbound messages and opt the contact out
here as well; putting a number on a list twice changes nothing. A contact who opts in to SMS again comes off them."""

from __future__ import annotations

import uuid
from collections.abc import Callable

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


def _lists(db: Database, keys: CompanyKeys, company_id: uuid.UUID, contact_id: uuid.UUID) -> tuple[str, set[str]]:
    """The contact's number and the opt-out lists the company's SMS connections name (no number: not a contact)."""
    with db.tenant(company_id) as session:
        contact = session.get(Contact, contact_id)
        if contact is None:
            return "", set()
        rows = session.scalars(select(ChannelConnection).where(ChannelConnection.provider == NAME)).all()
        lists = set()
        for row in rows:
            config = connections.config(session, keys, row)
            if isinstance(config, SmsConfig) and config.opt_out_list:
                lists.add(config.opt_out_list)
        return contact.phone, lists


def _each(lists: set[str], change: Callable[[str], None], what: str) -> int:
    taken = 0
    for name in sorted(lists):
        try:
            change(name)
            taken += 1
        except SmsRefused as refused:
            if refused.refusal in (Refusal.THROTTLED, Refusal.TRANSIENT, Refusal.UNKNOWN):
                raise
            logger.warning(f"an SMS opt-out list refused an {what}", extra={"code": refused.code})
    return taken


def push_opt_out(
    db: Database, keys: CompanyKeys, gateway: SmsGateway, *, company_id: uuid.UUID, contact_id: uuid.UUID
) -> int:
    """Put the contact's number on the company's SMS opt-out lists; how many lists took it. A throttled or failing
    service raises (the event is delivered again); a list the service does not know is logged and skipped."""
    phone, lists = _lists(db, keys, company_id, contact_id)
    return _each(lists, lambda name: gateway.opt_out(name, phone), "opt-out")


def push_opt_in(
    db: Database, keys: CompanyKeys, gateway: SmsGateway, *, company_id: uuid.UUID, contact_id: uuid.UUID
) -> int:
    """Take the contact's number off the company's SMS opt-out lists (they opted in to SMS again: the consent
    endpoint, an opt-in keyword); how many lists it came off. Failures as ``push_opt_out``'s."""
    phone, lists = _lists(db, keys, company_id, contact_id)
    return _each(lists, lambda name: gateway.opt_in(name, phone), "opt-in")
