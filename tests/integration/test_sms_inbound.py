"""SMS through the inbound processor: a customer's SMS (AWS's two-way message in an SNS notification) becomes a
message of an SMS conversation, and a stop keyword in SMS (STOP, SAIR, PARAR) opts the contact out of SMS only."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from masteria.bootstrap import Container
from masteria.channels.inbound_job import InboundJob
from masteria.contacts.models import Contact, ContactConsent
from masteria.conversations import inbound
from masteria.conversations.models import InboundDeadLetter, Message
from masteria.events import OutboxEvent
from tests.api import Account, sign_up
from tests.functions.events import FakeContext
from tests.sns_signing import TOPIC, Signer

ORIGINATION = "+5511987650077"


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


def _writes(
    container: Container, owner: Account, connection: dict[str, str], sender: str, text: str, *, to: str = ORIGINATION
) -> inbound.Result:
    body = {
        "originationNumber": f"+{sender}", "destinationNumber": to, "messageKeyword": "KEYWORD_1",
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
    return result


def _consents(container: Container, owner: Account, phone: str) -> dict[str, str]:
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        contact = session.scalars(select(Contact).where(Contact.phone == f"+{phone}")).one()
        rows = session.scalars(select(ContactConsent).where(ContactConsent.contact_id == contact.id))
        return {row.channel: row.status for row in rows}


@pytest.mark.parametrize("word", ["STOP", "sair", "Parar"])
def test_a_stop_keyword_by_sms_opts_out_of_sms_only(
    container: Container, sms: tuple[Account, dict[str, str]], word: str
) -> None:
    owner, connection = sms
    phone = f"55319{uuid.uuid4().int % 10**8:08d}"
    _writes(container, owner, connection, phone, "Oi, quero saber do pedido")
    assert _consents(container, owner, phone).get("sms") != "opted_out"
    _writes(container, owner, connection, phone, word)
    consents = _consents(container, owner, phone)
    assert consents["sms"] == "opted_out"
    assert consents.get("whatsapp") != "opted_out"


def test_an_sms_is_a_message_of_an_sms_conversation(
    client: TestClient, container: Container, sms: tuple[Account, dict[str, str]]
) -> None:
    owner, connection = sms
    phone = f"55319{uuid.uuid4().int % 10**8:08d}"
    _writes(container, owner, connection, phone, "Vocês entregam amanhã?")
    listed = client.get("/v1/conversations", headers=owner.headers).json()
    items = listed["items"] if isinstance(listed, dict) else listed
    [conversation] = [c for c in items if c.get("connection_id") == connection["id"]]
    assert conversation["channel"] == "sms"
    messages = client.get(f"/v1/conversations/{conversation['id']}/messages", headers=owner.headers).json()
    texts = [m.get("text") for m in (messages["items"] if isinstance(messages, dict) else messages)]
    assert "Vocês entregam amanhã?" in texts


def test_an_sms_opt_out_goes_on_the_companys_aws_opt_out_lists(
    client: TestClient, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.stub import Stubber

    from functions.workers import sms_opt_outs
    from masteria.adapters.aws.sms_voice import SmsVoiceGateway

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    owner = sign_up(client)
    connections = []
    for n, opt_out_list in enumerate(("masteria-br", None)):  # the second names no list: nothing to do there
        created = client.post(
            "/v1/connections",
            headers=owner.headers,
            json={"provider": "sms_aws", "name": f"SMS {n}", "origination": f"+551198765008{n}",
                  "inbound_topic_arn": TOPIC, **({"opt_out_list": opt_out_list} if opt_out_list else {})},
        )  # fmt: skip
        assert created.status_code == 201, created.text
        connections.append(created.json())
    connection = connections[0]
    phone = f"55319{uuid.uuid4().int % 10**8:08d}"
    _writes(container, owner, connection, phone, "Oi", to="+5511987650080")
    gateway = SmsVoiceGateway.from_region("us-east-1")
    stubber = Stubber(gateway._client)
    stubber.add_response(
        "put_opted_out_number",
        {"OptOutListName": "masteria-br", "OptedOutNumber": f"+{phone}"},
        expected_params={"OptOutListName": "masteria-br", "OptedOutNumber": f"+{phone}"},
    )
    container.sms_gateway = gateway  # type: ignore[misc]
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        contact_id = session.scalars(select(Contact.id).where(Contact.phone == f"+{phone}")).one()
    detail = {
        "event_id": str(uuid.uuid4()), "company_id": owner.company_id, "type": "contact.opted_out",
        "occurred_at": datetime.now(UTC).isoformat(), "data": {"contact_id": str(contact_id), "channel": "sms"},
    }  # fmt: skip
    with stubber:
        assert sms_opt_outs.handler({"detail": detail}, FakeContext()) == {"lists": 1}
        whatsapp = {**detail, "data": {"contact_id": str(contact_id), "channel": "whatsapp"}}
        assert sms_opt_outs.handler({"detail": whatsapp}, FakeContext()) == {"lists": 0}
    stubber.assert_no_pending_responses()
    # opting in to SMS again (the consent endpoint) takes the number off the list: its event, then the worker
    opted_in = client.put(
        f"/v1/contacts/{contact_id}/consent/sms", headers=owner.headers, json={"status": "opted_in", "source": "form"}
    )
    assert opted_in.status_code == 200, opted_in.text
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        event = session.scalars(select(OutboxEvent).where(OutboxEvent.type == "contact.opted_in")).one()
        assert event.data == {"contact_id": str(contact_id), "channel": "sms"}
    stubber.add_response(
        "delete_opted_out_number",
        {"OptOutListName": "masteria-br", "OptedOutNumber": f"+{phone}"},
        expected_params={"OptOutListName": "masteria-br", "OptedOutNumber": f"+{phone}"},
    )
    with stubber:
        back = {**detail, "type": "contact.opted_in", "data": event.data}
        assert sms_opt_outs.handler({"detail": back}, FakeContext()) == {"lists": 1}
    stubber.assert_no_pending_responses()


def test_an_sms_reply_refused_for_its_content_is_a_422_and_nothing_goes_out(
    client: TestClient, container: Container, sms: tuple[Account, dict[str, str]]
) -> None:
    from botocore.stub import Stubber

    from masteria.adapters.aws.sms_voice import SmsVoiceGateway

    owner, connection = sms
    phone = f"55319{uuid.uuid4().int % 10**8:08d}"
    _writes(container, owner, connection, phone, "Oi")
    listed = client.get("/v1/conversations", headers=owner.headers).json()
    [conversation] = [c for c in listed["items"] if c["connection_id"] == connection["id"]]
    gateway = SmsVoiceGateway.from_region("us-east-1")
    stubber = Stubber(gateway._client)  # no answer stubbed: a request to AWS would fail the test
    container.sms_gateway = gateway  # type: ignore[misc]
    container.__dict__.pop("providers", None)
    url = f"/v1/conversations/{conversation['id']}/messages"
    with stubber:
        too_long = client.post(url, headers=owner.headers, json={"text": "a" * 1601})
        media = client.post(
            url, headers=owner.headers, json={"media": {"type": "image", "link": "https://cdn.example.com/a.jpg"}}
        )
    assert too_long.status_code == 422, too_long.text
    assert [e["code"] for e in too_long.json()["errors"]] == ["text_too_long"]
    assert media.status_code == 422, media.text
    assert [e["code"] for e in media.json()["errors"]] == ["channel_kind_unsupported"]
    messages = client.get(f"/v1/conversations/{conversation['id']}/messages", headers=owner.headers).json()
    assert [m["direction"] for m in messages["items"]] == ["in"]  # nothing was queued or recorded


def test_events_for_another_companys_number_are_dropped_and_counted(
    container: Container, sms: tuple[Account, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    """One SNS topic may carry several companies' numbers: what is for a number none of this company's
    connections has is dropped (no message, no dead letter, nothing of it kept), counted, logged without it."""
    owner, connection = sms
    other = "+5511987659999"
    result = _writes(container, owner, connection, "5531991239876", "para a outra empresa", to=other)
    delivery = {
        "eventType": "TEXT_DELIVERED", "eventVersion": "1.0", "eventTimestamp": 1764600000000,
        "messageId": str(uuid.uuid4()), "originationPhoneNumber": other, "destinationPhoneNumber": "+5531991239876",
        "isFinal": True, "messageStatus": "DELIVERED", "totalMessageParts": 1,
    }  # fmt: skip
    job = InboundJob(
        company_id=uuid.UUID(owner.company_id),
        connection_id=uuid.UUID(connection["id"]),
        received_at=datetime.now(UTC),
        body_b64=base64.b64encode(Signer().notification(delivery)).decode(),
    )
    status = inbound.process(db=container.database, keys=container.company_keys, providers=container.providers, job=job)
    assert (result.dropped, result.messages, status.dropped, status.statuses) == (1, 0, 1, 0)
    assert not status.dead_lettered
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        assert session.scalars(select(Message)).all() == []
        assert session.scalars(select(InboundDeadLetter)).all() == []
        assert session.scalars(select(Contact)).all() == []
    out = capsys.readouterr().out
    metrics = [json.loads(line) for line in out.splitlines() if '"_aws"' in line]
    assert sum(m[inbound.FOREIGN_NUMBER_METRIC][0] for m in metrics if inbound.FOREIGN_NUMBER_METRIC in m) == 2
    assert "5511987659999" not in out and "5531991239876" not in out
