"""The AI responder's two functions with the events Lambda gets: ``ai_responder`` an EventBridge event as the
rule delivers it, ``ai_replier`` an SQS batch from the ``ai-replies`` queue (a body it cannot read is that record's
failure, the others go on)."""

from __future__ import annotations

import json
import uuid

from fastapi.testclient import TestClient

from functions.local.pump import sqs_event
from masteria.ai.reply_jobs import QUEUE, PartJob
from masteria.bootstrap import Container
from masteria.ports import ReceivedMessage
from tests.ai_replies import install_ai_sandbox, make_persona
from tests.api import customer_writes, make_connection, sign_up
from tests.functions.events import FakeContext
from tests.meta import FakeMeta


def _eventbridge(detail_type: str, company_id: str, data: dict[str, object]) -> dict[str, object]:
    """What the EventBridge rule on the bus delivers (``detail`` as the outbox relay publishes it)."""
    event_id = str(uuid.uuid4())
    return {
        "version": "0",
        "id": event_id,
        "detail-type": detail_type,
        "source": "masteria",
        "account": "123456789012",
        "time": "2026-12-02T12:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {
            "event_id": event_id,
            "company_id": company_id,
            "type": detail_type,
            "occurred_at": "2026-12-02T12:00:00+00:00",
            "data": data,
            "sequence": 7,
        },
    }


def test_a_customers_message_on_a_number_with_an_active_persona_joins_a_burst(
    client: TestClient, container: Container, meta: FakeMeta
) -> None:
    from functions.workers.ai_responder import handler

    install_ai_sandbox(container)
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    customer_writes(container, owner, connection, "Oi, tudo bem?")
    (conversation,) = client.get("/v1/conversations", headers=owner.headers).json()["items"]
    (message,) = client.get(f"/v1/conversations/{conversation['id']}/messages", headers=owner.headers).json()["items"]
    data = {
        "message_id": message["id"], "conversation_id": conversation["id"], "contact_id": conversation["contact"]["id"],
        "channel": "whatsapp", "type": "text", "text": "Oi, tudo bem?",
    }  # fmt: skip
    event = _eventbridge("message.received", owner.company_id, data)
    assert handler(event, FakeContext()) == {"outcome": "ignored"}  # no persona answers on the number yet
    make_persona(client, owner, connection)
    assert handler(event, FakeContext()) == {"outcome": "joined"}
    assert handler(event, FakeContext()) == {"outcome": "ignored"}  # the same event again: joined already
    # an unassignment or a reaction changes nothing
    unassigned = {"conversation_id": conversation["id"], "assignee_id": None, "previous_assignee_id": None}
    assert handler(_eventbridge("conversation.assigned", owner.company_id, unassigned), FakeContext()) == {
        "outcome": "ignored"
    }


def test_a_batch_with_a_body_it_cannot_read_fails_that_record_only(container: Container) -> None:
    from functions.workers.ai_replier import handler

    gone = PartJob(company_id=uuid.uuid4(), part_id=uuid.uuid4()).model_dump_json()  # a part that is not there
    messages = [
        ReceivedMessage(message_id="m-1", receipt="r-1", body=json.dumps({"kind": "nonsense"}), receive_count=1),
        ReceivedMessage(message_id="m-2", receipt="r-2", body=gone, receive_count=1),
    ]
    result = handler(sqs_event(QUEUE, messages), FakeContext())
    # the part that is gone is done with (nothing to send, no retry); the unreadable body goes back, then to the DLQ
    assert result == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
