"""`masteria dev` gives the demo company an SMS sender on the SMS sandbox, connected like a real one: its
connection (created once, found again at every start), the number registered at the sandbox with the connection's
webhook URL (SNS's subscription confirmation is answered by our webhook), and its inbound secret in place."""

from __future__ import annotations

from sqlalchemy import select

from functions.local.sandbox.sms import SmsNumber, SmsNumberSetup, SmsSandbox
from masteria.bootstrap import Container
from masteria.channels import connections
from masteria.channels.models import ChannelConnection
from masteria.channels.schemas import SmsConnectionCreate
from masteria.tenancy.demo import DEMO_EMAIL
from masteria.tenancy.models import Role, User
from masteria.tenancy.service import Principal

ORIGINATION = "+5511987650000"
TOPIC = "arn:aws:sns:us-east-1:123456789012:masteria-sms-sandbox"
NAME = "SMS demo"  # not "…Sandbox": the WhatsApp demo connection is found by that name


def connect_sms_demo(container: Container, sandbox: SmsSandbox, base_url: str) -> str:
    db = container.database
    with db.login_lookup(DEMO_EMAIL) as session:
        owner = session.scalars(select(User).where(User.email == DEMO_EMAIL)).one()
        actor = Principal(user_id=owner.id, company_id=owner.company_id, role=Role(owner.role))
    with db.tenant(actor.company_id) as session:
        existing = session.scalars(select(ChannelConnection).where(ChannelConnection.name == NAME)).first()
        connection_id = existing.id if existing is not None else None
    if connection_id is None:
        with db.tenant(actor.company_id) as session:
            data = SmsConnectionCreate(
                provider="sms_aws", name=NAME, origination=ORIGINATION, inbound_topic_arn=TOPIC,
                messages_per_second=10, opt_out_list="Default",
            )  # fmt: skip
            connection_id = connections.create_connection(
                session=session, actor=actor, keys=container.company_keys, providers=container.providers,
                graph=container.graph, data=data, now=container.clock.now(), base_url=base_url,
            ).id  # fmt: skip
    with db.tenant(actor.company_id) as session:
        key, published = connections.inbound_secret(session, container.company_keys, connection_id)
    container.inbound_secrets.put(key, published)
    setup = SmsNumberSetup(webhook_url=f"{base_url.rstrip('/')}/webhooks/sms/{key}", topic_arn=TOPIC)
    sandbox.numbers[ORIGINATION] = SmsNumber(setup)
    return ORIGINATION
