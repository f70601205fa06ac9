"""The inbound processor on the real database: every webhook example lands with the right type and fields
(the invalid file is dead-lettered), the same body three times at once is one message, statuses in every
order end right, the 24-hour window, stop keywords, template updates."""

from __future__ import annotations

import base64
import itertools
import json
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from functions.local.pump import sqs_event
from masteria.bootstrap import Container
from masteria.channels.inbound_job import InboundJob
from masteria.contacts.models import Contact, ContactConsent
from masteria.conversations import inbound
from masteria.conversations.models import STATUS_RANK, Conversation, InboundDeadLetter, Message, PendingMessageUpdate
from masteria.ports import ReceivedMessage
from masteria.templates.models import WhatsAppTemplate
from tests.api import Account, make_connection, sign_up
from tests.functions.events import FakeContext
from tests.meta import FakeMeta
from tests.meta_webhooks import WEBHOOK_BODIES, phone_number_ids


def _job(account: Account, connection: dict[str, Any], raw: bytes) -> InboundJob:
    return InboundJob(
        company_id=uuid.UUID(account.company_id),
        connection_id=uuid.UUID(connection["id"]),
        received_at=datetime.now(UTC),
        body_b64=base64.b64encode(raw).decode(),
    )


def _outbound(container: Container, account: Account, connection: dict[str, Any], wamids: list[str]) -> None:
    """Messages we sent (their statuses come back in the examples)."""
    company = uuid.UUID(account.company_id)
    with container.database.tenant(company) as session:
        contact = Contact(company_id=company, phone=f"+5511{uuid.uuid4().int % 10**9:09d}")
        session.add(contact)
        session.flush()
        conversation = Conversation(
            company_id=company, connection_id=uuid.UUID(connection["id"]), contact_id=contact.id
        )
        session.add(conversation)
        session.flush()
        for wamid in wamids:
            session.add(
                Message(
                    company_id=company, connection_id=conversation.connection_id, conversation_id=conversation.id,
                    contact_id=contact.id, direction="out", wamid=wamid, type="text", text="hi", status="accepted",
                    sent_at=datetime.now(UTC),
                )
            )  # fmt: skip


@pytest.mark.parametrize("path", WEBHOOK_BODIES, ids=lambda p: p.name)
def test_every_example_lands_with_its_type_and_fields(
    path: Path, client: TestClient, container: Container, meta: FakeMeta
) -> None:
    raw = path.read_bytes()
    owner = sign_up(client)
    numbers = sorted(phone_number_ids(raw)) or ["106540352242922"]
    connections = [make_connection(client, owner, meta, phone_number_id=n) for n in numbers]
    meta_ids = []
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if body is not None:
        changes = [c for e in body.get("entry", []) for c in e.get("changes", [])]
        statuses = [s for c in changes for s in c["value"].get("statuses", [])]
        _outbound(container, owner, connections[0], [s["id"] for s in statuses])
        meta_ids = [str(c["value"]["message_template_id"]) for c in changes if "message_template_id" in c["value"]]
        company = uuid.UUID(owner.company_id)
        with container.database.tenant(company) as session:  # templates those updates are about
            for meta_id in meta_ids:
                session.add(
                    WhatsAppTemplate(
                        company_id=company, connection_id=uuid.UUID(connections[0]["id"]), meta_id=meta_id,
                        name="t", language="en_US", category="MARKETING", status="PENDING", components=[],
                    )
                )  # fmt: skip
    result = inbound.process(
        db=container.database,
        keys=container.company_keys,
        providers=container.providers,
        job=_job(owner, connections[0], raw),
    )
    company = uuid.UUID(owner.company_id)
    with container.database.tenant(company) as session:
        if body is None:
            (dead,) = session.scalars(select(InboundDeadLetter)).all()
            assert result.dead_lettered and dead.body == raw and "JSON" in dead.error
            return
        assert not result.dead_lettered, result.errors
        for change in changes:
            value = change["value"]
            for message in value.get("messages", []):
                kind = message["type"]
                if kind == "reaction":  # about a message of ours we do not have: kept for when it comes
                    assert session.scalars(select(Message).where(Message.wamid == message["id"])).first() is None
                    kept = session.scalars(select(PendingMessageUpdate)).one()
                    assert (kept.kind, kept.wamid) == ("reaction", message["reaction"]["message_id"])
                    continue
                stored = session.scalars(select(Message).where(Message.wamid == message["id"])).one()
                assert (stored.direction, stored.type, stored.status) == ("in", kind, "received")
                if kind == "system":  # the number changed: the contact moved to it; Meta's words open no window
                    contact = session.get_one(Contact, stored.contact_id)
                    assert contact.phone == "+" + message["system"]["wa_id"]
                    assert stored.text == message["system"]["body"]
                    assert session.get_one(Conversation, stored.conversation_id).unread_count == 0
                    continue
                assert stored.sent_at == datetime.fromtimestamp(int(message["timestamp"]), UTC)
                if kind == "text":
                    assert stored.text == message["text"]["body"]
                if kind in message and isinstance(message[kind], dict):
                    assert stored.content[kind] == message[kind]
                contact = session.get_one(Contact, stored.contact_id)
                assert contact.phone == "+" + message["from"]
                conversation = session.get_one(Conversation, stored.conversation_id)
                assert conversation.window_expires_at == stored.sent_at + timedelta(hours=24)
            for status in value.get("statuses", []):
                stored = session.scalars(select(Message).where(Message.wamid == status["id"])).one()
                assert stored.status == status["status"]
                if status.get("errors"):
                    assert stored.errors[0]["code"] == status["errors"][0]["code"]
        for meta_id in meta_ids:
            template = session.scalars(select(WhatsAppTemplate).where(WhatsAppTemplate.meta_id == meta_id)).one()
            assert template.status != "PENDING"


def test_the_same_body_three_times_at_once_is_one_message(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    raw = (Path(WEBHOOK_BODIES[0]).parent / "text_message.json").read_bytes()
    owner = sign_up(client)
    connection = make_connection(client, owner, meta, phone_number_id="106540352242922")
    job = _job(owner, connection, raw)
    barrier = threading.Barrier(3)
    results: list[inbound.Result] = []

    def deliver() -> None:
        barrier.wait()
        results.append(
            inbound.process(db=container.database, keys=container.company_keys, providers=container.providers, job=job)
        )

    threads = [threading.Thread(target=deliver) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted((r.messages, r.duplicates) for r in results) == [(0, 1), (0, 1), (1, 0)]
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        assert session.scalar(select(func.count()).select_from(Message)) == 1
        assert session.scalar(select(func.count()).select_from(Conversation)) == 1
        assert session.scalars(select(Conversation)).one().unread_count == 1


def _status_body(wamid: str, status: str, at: int) -> bytes:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
        "statuses": [{"id": wamid, "status": status, "timestamp": str(at), "recipient_id": "16505551234"}],
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(body).encode()


def test_statuses_in_every_order_end_at_the_furthest(client: TestClient, container: Container, meta: FakeMeta) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta, phone_number_id="106540352242922")
    # every order of the four (exhaustive, so no sample can miss one), and every order of each pair
    statuses = ["sent", "delivered", "read", "failed"]
    orders = [*itertools.permutations(statuses), *itertools.permutations(statuses, 2)]
    wamids = [f"wamid.order{n}" for n in range(len(orders))]
    _outbound(container, owner, connection, wamids)
    for wamid, order in zip(wamids, orders, strict=True):
        for at, status in enumerate(order):
            job = _job(owner, connection, _status_body(wamid, status, 1_750_000_000 + at))
            inbound.process(db=container.database, keys=container.company_keys, providers=container.providers, job=job)
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        for wamid, order in zip(wamids, orders, strict=True):
            stored = session.scalars(select(Message).where(Message.wamid == wamid)).one()
            assert stored.status == max(order, key=STATUS_RANK.__getitem__), order


def test_a_stop_keyword_opts_the_contact_out(client: TestClient, container: Container, meta: FakeMeta) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta, phone_number_id="106540352242922")
    body = json.loads((Path(WEBHOOK_BODIES[0]).parent / "text_message.json").read_bytes())
    body["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"] = "  Sáir! "
    inbound.process(
        db=container.database,
        keys=container.company_keys,
        providers=container.providers,
        job=_job(owner, connection, json.dumps(body).encode()),
    )
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        (consent,) = session.scalars(select(ContactConsent)).all()
        assert (consent.channel, consent.status) == ("whatsapp", "opted_out")


def test_a_body_for_another_of_the_companys_numbers_lands_on_that_number(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    first = make_connection(client, owner, meta)
    second = make_connection(client, owner, meta, phone_number_id="106540352242922")  # the example's number
    raw = (Path(WEBHOOK_BODIES[0]).parent / "text_message.json").read_bytes()
    for connection in (first, second):  # posted to either number's URL (Meta posts a WABA's numbers to one)
        result = inbound.process(
            db=container.database,
            keys=container.company_keys,
            providers=container.providers,
            job=_job(owner, connection, raw),
        )
        assert not result.dead_lettered, result.errors
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        (conversation,) = session.scalars(select(Conversation)).all()
        assert str(conversation.connection_id) == second["id"]
        assert session.scalar(select(func.count()).select_from(Message)) == 1  # the second time, a duplicate


def test_a_body_for_a_number_we_do_not_have_is_dropped(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    raw = (Path(WEBHOOK_BODIES[0]).parent / "text_message.json").read_bytes()
    result = inbound.process(
        db=container.database,
        keys=container.company_keys,
        providers=container.providers,
        job=_job(owner, connection, raw),
    )
    assert not result.dead_lettered and result.dropped == 1  # another company's number: nothing of it kept here
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        assert session.scalar(select(func.count()).select_from(Message)) == 0
        assert session.scalars(select(InboundDeadLetter)).all() == []


def _text_body(**message: Any) -> bytes:
    body = json.loads((Path(WEBHOOK_BODIES[0]).parent / "text_message.json").read_bytes())
    body["entry"][0]["changes"][0]["value"]["messages"][0].update(message)
    return json.dumps(body).encode()


@pytest.mark.parametrize(
    ("message", "where"),
    [
        ({"from": "1650555123456789"}, "from"),  # longer than any phone number
        ({"from": "1650CALLME"}, "from"),
        ({"timestamp": "yesterday"}, "timestamp"),
        ({"id": None}, "id"),
    ],
)
def test_a_message_not_as_meta_sends_it_is_refused_as_bad_input(
    client: TestClient, container: Container, meta: FakeMeta, message: dict[str, Any], where: str
) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta, phone_number_id="106540352242922")
    result = inbound.process(
        db=container.database,
        keys=container.company_keys,
        providers=container.providers,
        job=_job(owner, connection, _text_body(**message)),
    )
    assert result.dead_lettered
    assert "not as Meta sends it" in result.errors[0] and where in result.errors[0]
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        assert session.scalar(select(func.count()).select_from(Message)) == 0
        assert session.scalar(select(func.count()).select_from(Contact)) == 0


def test_a_body_that_fails_on_our_side_is_retried_then_kept(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    """A body that passes the checks but breaks in the database (a quoted message id longer than its column:
    a fault of ours) is not filed as bad input: the queue retries it, and its last receive keeps it."""
    from functions.workers.inbound_processor import MAX_RECEIVES, handler

    owner = sign_up(client)
    connection = make_connection(client, owner, meta, phone_number_id="106540352242922")
    job = _job(owner, connection, _text_body(context={"id": "wamid." + "x" * 300}))

    def receive(count: int) -> dict[str, Any]:
        message = ReceivedMessage(message_id="m-1", receipt="r-1", body=job.model_dump_json(), receive_count=count)
        return handler(sqs_event("inbound", [message]), FakeContext())

    company = uuid.UUID(owner.company_id)
    for attempt in range(1, MAX_RECEIVES):
        with pytest.raises(BatchProcessingError):  # the whole batch failed: back to the queue
            receive(attempt)
        with container.database.tenant(company) as session:
            assert session.scalar(select(func.count()).select_from(InboundDeadLetter)) == 0
    assert receive(MAX_RECEIVES) == {"batchItemFailures": []}
    with container.database.tenant(company) as session:
        (dead,) = session.scalars(select(InboundDeadLetter)).all()
        assert dead.error.startswith(f"failed {MAX_RECEIVES} times: ") and dead.error.endswith("Error")
        assert dead.body == job.body
        assert session.scalar(select(func.count()).select_from(Message)) == 0
