"""``knowledge_ingester`` with the SQS batch Lambda gets from the ``knowledge-ingest`` queue: an ingestion job is
run to the end, a repeated delivery changes nothing, and a body that is no job is that record's failure alone."""

from __future__ import annotations

import json
import uuid

from fastapi.testclient import TestClient

from functions.local.pump import sqs_event
from masteria.bootstrap import Container
from masteria.knowledge.ingestion import QUEUE
from masteria.ports import ReceivedMessage
from tests.api import sign_up
from tests.functions.events import FakeContext


def _record(body: str, message_id: str) -> ReceivedMessage:
    return ReceivedMessage(message_id=message_id, receipt=f"receipt-{message_id}", body=body, receive_count=1)


def test_a_batch_with_an_ingestion_a_repeat_and_a_bad_body(client: TestClient, container: Container) -> None:
    from functions.workers.knowledge_ingester import handler

    owner = sign_up(client)
    kb = client.post("/v1/knowledge-bases", headers=owner.headers, json={"name": "FAQ"}).json()
    document = client.post(
        f"/v1/knowledge-bases/{kb['id']}/documents",
        headers=owner.headers,
        files={"file": ("faq.md", b"# Entregas\n\nEntregamos em todo o Brasil.")},
    ).json()
    (queued,) = container.queue.receive(QUEUE)
    body = json.loads(queued.body)
    assert body == {"kind": "ingest", "company_id": owner.company_id, "document_id": document["id"], "version": 1}
    # GIVEN the job, the same job delivered again, and a body that is no job
    event = sqs_event(
        QUEUE,
        [_record(queued.body, "m-1"), _record(queued.body, "m-2"), _record('{"kind": "nope"}', "m-3")],
    )
    assert event["Records"][0]["eventSourceARN"].endswith(f":{QUEUE}")
    # WHEN the function runs THEN only the bad body failed
    assert handler(event, FakeContext()) == {"batchItemFailures": [{"itemIdentifier": "m-3"}]}
    done = client.get(f"/v1/knowledge-bases/{kb['id']}/documents/{document['id']}", headers=owner.headers).json()
    assert (done["status"], done["chunk_count"]) == ("ready", 1)
    # AND a job for a document deleted since does nothing
    gone = json.dumps(
        {"kind": "ingest", "company_id": owner.company_id, "document_id": str(uuid.uuid4()), "version": 1}
    )
    assert handler(sqs_event(QUEUE, [_record(gone, "m-4")]), FakeContext()) == {"batchItemFailures": []}
