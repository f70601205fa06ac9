"""The inbox over SMS: an SMS conversation is read like a WhatsApp one (SMS has no read receipt to send)."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from masteria.bootstrap import Container
from masteria.channels.inbound_job import InboundJob
from masteria.conversations import inbound
from tests.api import Account, sign_up
from tests.sns_signing import TOPIC, Signer

ORIGINATION = "+5511987650078"


@pytest.fixture
def sms(client: TestClient) -> tuple[Account, dict[str, str]]:
    owner = sign_up(client)
    created = client.post(
        "/v1/connections",
        headers=owner.headers,
        json={"provider": "sms_aws", "name": "SMS", "origination": ORIGINATION, "inbound_topic_arn": TOPIC},
    )
    assert created.status_code == 201, created.text
    return owner, created.json()


def _writes(container: Container, owner: Account, connection: dict[str, str], sender: str, text: str) -> None:
    body = {
        "originationNumber": f"+{sender}", "destinationNumber": ORIGINATION, "messageKeyword": "KEYWORD_1",
        "messageBody": text, "inboundMessageId": str(uuid.uuid4()), "previousPublishedMessageId": "",
    }  # fmt: skip
    job = InboundJob(
        company_id=uuid.UUID(owner.company_id),
        connection_id=uuid.UUID(connection["id"]),
        received_at=datetime.now(UTC),
        body_b64=base64.b64encode(Signer().notification(body)).decode(),
    )
    result = inbound.process(db=container.database, keys=container.company_keys, providers=container.providers, job=job)
    assert not result.dead_lettered, result.errors


def test_opening_an_sms_conversation_clears_its_unread_count(
    client: TestClient, container: Container, sms: tuple[Account, dict[str, str]]
) -> None:
    owner, connection = sms
    phone = f"55319{uuid.uuid4().int % 10**8:08d}"
    _writes(container, owner, connection, phone, "Oi")
    _writes(container, owner, connection, phone, "Tem horário amanhã?")
    listed = client.get("/v1/conversations", headers=owner.headers).json()
    [conversation] = [c for c in listed["items"] if c["connection_id"] == connection["id"]]
    assert conversation["unread_count"] == 2
    read = client.post(f"/v1/conversations/{conversation['id']}/read", headers=owner.headers)
    assert read.status_code == 200, read.text
    assert read.json()["unread_count"] == 0
    again = client.get(f"/v1/conversations/{conversation['id']}", headers=owner.headers).json()
    assert again["unread_count"] == 0
    assert client.get("/v1/conversations/unread", headers=owner.headers).json()["conversations"] == 0
