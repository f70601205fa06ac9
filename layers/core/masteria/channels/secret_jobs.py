"""The job that brings the inbound secrets store (what the Meta webhook function reads: DynamoDB + KMS on AWS, a
sealed file locally) in line with a connection: an outbox job of every change to a connection's secrets or to
its existence, run by ``connection_secrets`` (``connections.publish_inbound_secret``).

The job names the connection and the store's key for it (the key is in the webhook URL Meta calls; it opens
nothing without the app secret), never a secret: the worker reads the sealed secrets from the database."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from masteria.channels.models import ChannelConnection
from masteria.jobs import record_job
from masteria.schemas import StrictModel

QUEUE = "connection-secrets"


class SecretJob(StrictModel):
    """Publish the connection's inbound secret as it is now, or remove its key when the connection is gone."""

    company_id: uuid.UUID
    connection_id: uuid.UUID
    webhook_key: str


def record_secret_job(session: Session, row: ChannelConnection) -> None:
    """Bring the store in line with ``row`` once this transaction commits."""
    body = SecretJob(company_id=row.company_id, connection_id=row.id, webhook_key=row.webhook_key)
    record_job(session, company_id=row.company_id, queue=QUEUE, body=body.model_dump_json())
