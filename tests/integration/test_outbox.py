"""The outbox relay: events published right after their transaction commits, never before and never for
a rolled-back one; the sweeper publishes what the relay missed; EventBridge entries under moto."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import boto3
import pytest
from fastapi.testclient import TestClient
from moto import mock_aws

from masteria import outbox
from masteria.adapters.aws.eventbridge_bus import EventBridgeBus
from masteria.adapters.local.queue_bus import EVENTS_QUEUE
from masteria.bootstrap import Container
from masteria.event_payloads import ContactCreatedPayload, ContactUpdatedPayload
from masteria.events import record_event
from masteria.ports import PublishedEvent
from tests.api import sign_up


def _queued(container: Container) -> list[dict[str, object]]:
    messages = container.queue.receive(EVENTS_QUEUE, max_messages=10)
    container.queue.delete(EVENTS_QUEUE, [m.receipt for m in messages])
    return [json.loads(m.body) for m in messages]


def test_events_are_published_after_commit_and_only_then(client: TestClient, container: Container) -> None:
    company, contact = uuid.UUID(sign_up(client).company_id), uuid.uuid4()
    _queued(container)
    with container.database.tenant(company) as session:
        record_event(session, company_id=company, payload=ContactCreatedPayload(contact_id=contact))
        session.flush()
        assert _queued(container) == []  # not before the commit
    (published,) = _queued(container)
    assert published["detail-type"] == "contact.created"
    detail = published["detail"]
    assert (
        isinstance(detail, dict)
        and detail["data"] == {"contact_id": str(contact)}
        and detail["company_id"] == str(company)
    )
    with pytest.raises(RuntimeError), container.database.tenant(company) as session:
        record_event(session, company_id=company, payload=ContactCreatedPayload(contact_id=uuid.uuid4()))
        raise RuntimeError("the use case failed")
    assert _queued(container) == []
    assert outbox.sweep(container.database, container.event_bus) == 0  # nothing left behind


def test_the_sweeper_publishes_what_the_relay_missed_for_every_company(
    client: TestClient, container: Container
) -> None:
    companies = [uuid.UUID(sign_up(client).company_id) for _ in range(2)]
    _queued(container)
    container.database.after_events = None  # the process died right after committing
    for company in companies:
        with container.database.tenant(company) as session:
            record_event(
                session, company_id=company, payload=ContactUpdatedPayload(contact_id=uuid.uuid4(), changed=["name"])
            )
    assert _queued(container) == []
    assert outbox.sweep(container.database, container.event_bus) == 2
    published = _queued(container)
    assert sorted(str(p["detail"]["company_id"]) for p in published) == sorted(map(str, companies))  # type: ignore[index]
    assert outbox.sweep(container.database, container.event_bus) == 0  # published once


def test_eventbridge_bus_delivers_every_event_to_rules_in_batches_of_ten() -> None:
    with mock_aws():
        client = boto3.client("events", region_name="us-east-1")
        sqs = boto3.client("sqs", region_name="us-east-1")
        client.create_event_bus(Name="masteria-events")
        queue_url = sqs.create_queue(QueueName="consumer")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        pattern = {"source": ["masteria"], "detail-type": ["contact.created"]}
        client.put_rule(Name="contacts", EventBusName="masteria-events", EventPattern=json.dumps(pattern))
        client.put_targets(Rule="contacts", EventBusName="masteria-events", Targets=[{"Id": "q", "Arn": queue_arn}])
        calls: list[int] = []
        original = client.put_events

        def counting(**kwargs: object) -> object:
            calls.append(len(kwargs["Entries"]))  # type: ignore[arg-type]
            return original(**kwargs)

        client.put_events = counting
        events = [
            PublishedEvent(
                event_id=uuid.uuid4(), company_id=uuid.uuid4(), type="contact.created", data={"n": n},
                occurred_at=datetime(2026, 11, 25, tzinfo=UTC),
            )
            for n in range(23)
        ]  # fmt: skip
        EventBridgeBus(client, "masteria-events").publish(events)
        received: list[dict[str, object]] = []
        while batch := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
            received += [json.loads(m["Body"]) for m in batch]
            sqs.delete_message_batch(
                QueueUrl=queue_url, Entries=[{"Id": m["MessageId"], "ReceiptHandle": m["ReceiptHandle"]} for m in batch]
            )
    assert calls == [10, 10, 3]
    assert sorted(r["detail"]["data"]["n"] for r in received) == list(range(23))  # type: ignore[index]
    assert {r["detail-type"] for r in received} == {"contact.created"}
