"""The one outbound path (masteria.outbound.send) through an inbox reply: refusals before anything is claimed
(consent, the provider's check of the content, the pair rate), exactly one request per reply row (a lost
answer is unknown, never resent, settled by its status), and a reply's slot ahead of a running campaign's on
the number's shared pacer without the number going over its rate."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from masteria.bootstrap import Container
from masteria.channels.models import ChannelConnection
from masteria.channels.providers.port import Limits, OutboundMessage, Outcome, SendOutcome
from masteria.conversations.models import Message
from masteria.errors import Invalid
from masteria.outbound import pacer, send
from masteria.outbound.models import SendLane
from masteria.templates.models import WhatsAppTemplate
from tests.api import Account, customer_writes, make_connection, meta_posts, sign_up
from tests.meta import FakeMeta

WA_ID = "5511987650001"


def _conversation(client: TestClient, owner: Account) -> dict[str, Any]:
    (conversation,) = client.get("/v1/conversations", headers=owner.headers).json()["items"]
    found: dict[str, Any] = conversation
    return found


def _outbound_rows(container: Container, owner: Account) -> list[Message]:
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        return list(session.scalars(select(Message).where(Message.direction == "out")))


def _template(container: Container, owner: Account, connection: dict[str, Any]) -> str:
    company = uuid.UUID(owner.company_id)
    with container.database.tenant(company) as session:
        template = WhatsAppTemplate(
            company_id=company, connection_id=uuid.UUID(connection["id"]), meta_id=str(uuid.uuid4().int)[:15],
            name="order_update", language="pt_BR", category="UTILITY", status="APPROVED",
            components=[{"type": "BODY", "text": "Seu pedido saiu."}],
        )  # fmt: skip
        session.add(template)
        session.flush()
        return str(template.id)


def test_a_contact_opted_out_of_the_channel_is_refused_before_anything_is_written_or_sent(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    customer_writes(container, owner, connection, "oi")
    conversation = _conversation(client, owner)
    contact_id = conversation["contact"]["id"]
    opted = client.put(
        f"/v1/contacts/{contact_id}/consent/whatsapp",
        headers=owner.headers,
        json={"status": "opted_out", "reason": "asked by phone"},
    )
    assert opted.status_code == 200, opted.text
    refused = client.post(
        f"/v1/conversations/{conversation['id']}/messages", headers=owner.headers, json={"text": "Oi!"}
    )
    assert refused.status_code == 422, refused.text
    assert [e["code"] for e in refused.json()["errors"]] == ["contact_opted_out"]
    assert meta.sent == [] and _outbound_rows(container, owner) == []
    # opted out of WhatsApp only: their SMS consent is another channel's (one rule per channel)
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        from masteria.contacts import consent

        assert consent.is_opted_out(session, uuid.UUID(contact_id), "whatsapp")
        assert not consent.is_opted_out(session, uuid.UUID(contact_id), "sms")


def test_content_the_provider_refuses_is_a_422_before_anything_is_claimed(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    customer_writes(container, owner, connection, "oi")
    company = uuid.UUID(owner.company_id)
    with container.database.tenant(company) as session:
        row = session.get_one(ChannelConnection, uuid.UUID(connection["id"]))
        path = send.route(session, container.company_keys, container.providers, row)
        too_long = OutboundMessage(to=WA_ID, kind="text", text="x" * 5000)
        with pytest.raises(Invalid) as refused:
            send.admit(
                session, path, send.Recipient(phone=WA_ID), too_long, origin=send.Origin.AI, now=datetime.now(UTC)
            )
        assert [e.code for e in refused.value.errors] == ["text_too_long"]
        assert session.scalar(select(func.count()).select_from(SendLane)) == 0  # no slot taken
    assert meta.sent == [] and _outbound_rows(container, owner) == []


def test_a_lost_answer_leaves_the_reply_unknown_never_resent_and_its_status_settles_it(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    customer_writes(container, owner, connection, "oi")
    conversation = _conversation(client, owner)
    url = f"/v1/conversations/{conversation['id']}/messages"
    meta.script.append("timeout")  # Meta accepts it, the answer never comes back
    sent = client.post(url, headers=owner.headers, json={"template_id": _template(container, owner, connection)})
    assert sent.status_code == 201, sent.text
    assert sent.json()["status"] == "unknown"
    assert len(meta.sent) == 1  # one request, and none again for this row
    reference = meta.sent[0]["biz_opaque_callback_data"]
    assert reference == f"outbound:{sent.json()['id']}"
    meta_posts(container, owner, connection["id"], {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": connection["phone_number_id"]},
        "statuses": [{
            "id": "wamid.HBgLNTUxMTk4NzY1MDAwMRUCABEYEjQ2", "status": "delivered", "timestamp": str(int(time.time())),
            "recipient_id": WA_ID, "biz_opaque_callback_data": reference,
        }],
    })  # fmt: skip
    (row,) = _outbound_rows(container, owner)
    assert (row.wamid, row.status) == ("wamid.HBgLNTUxMTk4NzY1MDAwMRUCABEYEjQ2", "delivered")
    assert len(meta.sent) == 1


def test_a_refused_reply_leaves_no_row_and_answers_the_providers_error(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    customer_writes(container, owner, connection, "oi")
    conversation = _conversation(client, owner)
    meta.script.append(131026)  # the number cannot receive it: final, nothing went out
    refused = client.post(
        f"/v1/conversations/{conversation['id']}/messages", headers=owner.headers, json={"text": "Oi!"}
    )
    assert refused.status_code == 502, refused.text
    assert _outbound_rows(container, owner) == []
    sent = client.post(f"/v1/conversations/{conversation['id']}/messages", headers=owner.headers, json={"text": "Oi?"})
    assert sent.status_code == 201 and sent.json()["status"] == "accepted"


def test_a_providers_refusal_names_its_code_in_neutral_words(container: Container) -> None:
    for name, channel in (("meta_cloud", "whatsapp"), ("sms_aws", "sms")):
        limits = Limits(messages_per_second=1, kinds=frozenset({"text"}), window=None)
        provider = container.providers.get(name)
        route = send.Route(uuid.uuid4(), uuid.uuid4(), provider, provider.config_model.model_construct(), limits, 1.0)
        error = send.refusal(route, SendOutcome(Outcome.RECIPIENT_FINAL, code=131026, reason="no"))
        assert (error.error_code, error.params) == ("provider_error", {"code": 131026, "channel": channel})
        assert send.refusal(route, SendOutcome(Outcome.RECIPIENT_FINAL)).error_code != "provider_error"


def test_the_pair_rate_holds_a_burst_to_one_person(client: TestClient, container: Container, meta: FakeMeta) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    customer_writes(container, owner, connection, "oi")
    conversation = _conversation(client, owner)
    company, now = uuid.UUID(owner.company_id), datetime.now(UTC)
    with container.database.tenant(company) as session:  # 45 replies in the last seconds: Meta's burst used up
        session.execute(
            text(
                "INSERT INTO messages (company_id, connection_id, conversation_id, contact_id, direction, wamid,"
                " type, text, status, sent_at) SELECT :company, :connection, :conversation, :contact, 'out',"
                " 'wamid.burst' || n, 'text', 'x', 'delivered',"
                " CAST(:now AS timestamptz) - n * interval '10 milliseconds'"
                " FROM generate_series(1, 45) AS n"
            ),
            {
                "company": company, "connection": uuid.UUID(connection["id"]), "now": now,
                "conversation": uuid.UUID(conversation["id"]), "contact": uuid.UUID(conversation["contact"]["id"]),
            },
        )  # fmt: skip
    refused = client.post(
        f"/v1/conversations/{conversation['id']}/messages", headers=owner.headers, json={"text": "mais uma"}
    )
    assert refused.status_code == 429, refused.text
    assert int(refused.headers["Retry-After"]) >= 1 and meta.sent == []


def test_pair_wait_lets_a_burst_through_then_one_per_interval() -> None:
    now, interval = datetime(2026, 12, 1, 12, tzinfo=UTC), timedelta(seconds=6)
    assert send.pair_wait([], now=now, interval=interval, burst=45) == timedelta(0)
    assert send.pair_wait([now] * 44, now=now, interval=interval, burst=45) == timedelta(0)  # the 45th goes
    assert send.pair_wait([now] * 45, now=now, interval=interval, burst=45) == interval  # then one per 6 s
    later = now + interval
    assert send.pair_wait([now] * 45, now=later, interval=interval, burst=45) == timedelta(0)
    old = [now - timedelta(hours=1)] * 3
    assert send.pair_wait(old, now=now, interval=interval, burst=45) == timedelta(0)


def test_a_reply_takes_a_slot_ahead_of_a_running_campaigns_and_the_rate_holds(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    """On the database's lane, with a fake clock: a campaign holds the line as far as the horizon lets it; a
    reply asked a moment later gets the next free slot at once, and the campaign's next slots come after it."""
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    company, lane = uuid.UUID(owner.company_id), uuid.UUID(connection["id"])
    t0, rate = datetime.now(UTC) + timedelta(minutes=5), 80.0  # ahead of the database's clock: only ours counts
    slots: list[datetime] = []
    with container.database.tenant(company) as session:
        for _ in range(5):  # a campaign claims five quarter-second batches at once: the horizon stops it
            bulk = pacer.reserve(session, company_id=company, connection_id=lane, count=20, rate=rate, now=t0)
            slots.extend(bulk.at(i) for i in range(bulk.count))
        assert bulk.count == 0 and bulk.retry_in > timedelta(0)
        asked = t0 + timedelta(milliseconds=10)
        reply = pacer.reserve(
            session, company_id=company, connection_id=lane, count=1, rate=rate, priority=True, now=asked
        )
        assert reply.count == 1 and reply.first - asked <= pacer.BULK_HORIZON
        later = t0 + bulk.retry_in
        after = pacer.reserve(session, company_id=company, connection_id=lane, count=20, rate=rate, now=later)
        assert after.first >= reply.first + timedelta(seconds=reply.interval)
        slots += [reply.first, *(after.at(i) for i in range(after.count))]
    ordered = sorted(slots)
    busiest = max(sum(1 for t in ordered if s <= t < s + timedelta(seconds=1)) for s in ordered)
    assert busiest <= rate and len(set(ordered)) == len(ordered)


def test_a_reply_claimed_by_a_worker_that_died_becomes_unknown_and_is_never_sent(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    customer_writes(container, owner, connection, "oi")
    conversation = _conversation(client, owner)
    company = uuid.UUID(owner.company_id)
    with container.database.tenant(company) as session:  # claimed two minutes ago, never recorded
        session.execute(
            text(
                "INSERT INTO messages (company_id, connection_id, conversation_id, contact_id, direction, wamid,"
                " type, text, status, sent_at) VALUES (:company, :connection, :conversation, :contact, 'out',"
                " 'outbound:lost', 'text', 'perdida', 'sending', now() - interval '2 minutes')"
            ),
            {
                "company": company, "connection": uuid.UUID(connection["id"]),
                "conversation": uuid.UUID(conversation["id"]), "contact": uuid.UUID(conversation["contact"]["id"]),
            },
        )  # fmt: skip
    sent = client.post(f"/v1/conversations/{conversation['id']}/messages", headers=owner.headers, json={"text": "Oi!"})
    assert sent.status_code == 201, sent.text
    statuses = {row.text: row.status for row in _outbound_rows(container, owner)}
    assert statuses == {"perdida": "unknown", "Oi!": "accepted"}
    assert [m["text"]["body"] for m in meta.sent] == ["Oi!"]  # the lost one is never sent again
