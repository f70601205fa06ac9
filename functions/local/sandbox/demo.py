"""`masteria dev` gives the demo company a WhatsApp number on the sandbox, connected like a real one."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from functions.local.sandbox.app import NumberSetup, Sandbox, SandboxNumber
from masteria.bootstrap import Container
from masteria.channels import connections
from masteria.channels.models import ChannelConnection
from masteria.channels.schemas import MetaConnectionCreate
from masteria.tenancy.demo import DEMO_EMAIL
from masteria.tenancy.models import Role, User
from masteria.tenancy.service import Principal

NUMBER_ID, WABA_ID = "100000000000001", "100000000000002"
NAME = "Sandbox"


def connect_demo(container: Container, sandbox: Sandbox, base_url: str) -> str:
    """Register the demo number in the sandbox and make sure the demo company has its connection (created
    once, found again at every start: the sandbox's memory is fresh, the database is not)."""
    db = container.database
    with db.login_lookup(DEMO_EMAIL) as session:
        owner = session.scalars(select(User).where(User.email == DEMO_EMAIL)).one()
        actor = Principal(user_id=owner.id, company_id=owner.company_id, role=Role(owner.role))
    with db.tenant(actor.company_id) as session:
        existing = session.scalars(select(ChannelConnection).where(ChannelConnection.name == NAME)).first()
        if existing is not None:
            secret = connections.credentials(session, container.company_keys, existing)
            token, app_secret, connection_id = secret.access_token, secret.app_secret, existing.id
    if existing is None:
        token, app_secret = f"sandbox-{secrets.token_urlsafe(24)}", secrets.token_urlsafe(24)
        sandbox.numbers[NUMBER_ID] = _number(token, app_secret, None)  # "Meta" must know it to verify it
        with db.tenant(actor.company_id) as session:
            connection_id = connections.create_connection(
                session=session,
                actor=actor,
                keys=container.company_keys,
                providers=container.providers,
                graph=container.graph,
                data=MetaConnectionCreate(
                    name=NAME, phone_number_id=NUMBER_ID, waba_id=WABA_ID, access_token=token, app_secret=app_secret
                ),
                now=container.clock.now(),
                base_url=base_url,
            ).id
    with db.tenant(actor.company_id) as session:
        key, published = connections.inbound_secret(session, container.company_keys, connection_id)
    container.inbound_secrets.put(key, published)
    sandbox.numbers[NUMBER_ID] = _number(token, app_secret, f"{base_url.rstrip('/')}/webhooks/meta/{key}")
    return NUMBER_ID


def _number(token: str, app_secret: str, webhook_url: str | None) -> SandboxNumber:
    return SandboxNumber(NumberSetup(waba_id=WABA_ID, token=token, app_secret=app_secret, webhook_url=webhook_url))
