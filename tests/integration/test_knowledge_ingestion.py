"""A knowledge base's background work on the real database and queue: re-embedding with a new model (an
OpenAI model on the AI sandbox), a model that refuses or is down, the sweeper taking up stopped work, and a model
change in the middle of an ingestion."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from functions.local.pump import sqs_event
from functions.local.sandbox.ai import AiInjection, AiSandbox
from functions.local.sandbox.ai import router as sandbox_router
from masteria.ai.openai_adapter import OpenAiEmbedder
from masteria.bootstrap import Container
from masteria.knowledge import ingestion, service
from masteria.knowledge.ingestion import QUEUE, IngestJob, ReembedJob, parse_job
from masteria.knowledge.schemas import KnowledgeBaseUpdate
from masteria.ports import Embedder, ReceivedMessage
from masteria.tenancy.models import Role
from masteria.tenancy.service import Principal
from tests.api import Account, run_queue, sign_up
from tests.fixtures.knowledge import faq_pt_br
from tests.functions.events import FakeContext

KB = "/v1/knowledge-bases"
OPENAI_MODEL = "text-embedding-3-small"


@pytest.fixture
def sandbox(container: Container) -> Iterator[AiSandbox]:
    """OpenAI's embeddings on the AI sandbox, as ``embedder_for`` gives them for text-embedding-3-small."""
    state = AiSandbox()
    app = FastAPI()
    app.include_router(sandbox_router(state))
    with TestClient(app) as http:
        embedder = OpenAiEmbedder(
            base_url="http://testserver/sandbox/openai/v1", api_key="sk-test", model=OPENAI_MODEL, max_retries=0,
            http_client=http,
        )  # fmt: skip
        container.__dict__.setdefault("_embedders", {})[OPENAI_MODEL] = embedder
        yield state


def _faq(client: TestClient, container: Container, account: Account, **fields: Any) -> tuple[str, str]:
    kb = client.post(KB, headers=account.headers, json={"name": f"FAQ {uuid.uuid4().hex[:6]}", **fields}).json()
    document = client.post(
        f"{KB}/{kb['id']}/documents", headers=account.headers, files={"file": ("faq.md", faq_pt_br.markdown().encode())}
    ).json()
    return kb["id"], document["id"]


def _models(container: Container, account: Account, kb_id: str) -> dict[tuple[str, int], int]:
    with container.database.tenant(uuid.UUID(account.company_id)) as session:
        rows = session.execute(
            text(
                "SELECT embedding_model, dimensions, count(*) FROM knowledge_chunks"
                " WHERE knowledge_base_id = CAST(:b AS uuid) GROUP BY 1, 2"
            ),
            {"b": kb_id},
        ).all()
    return {(r[0], r[1]): r[2] for r in rows}


def _base_events(container: Container, account: Account) -> list[dict[str, Any]]:
    with container.database.tenant(uuid.UUID(account.company_id)) as session:
        return list(
            session.execute(
                text("SELECT data FROM outbox_events WHERE type = 'knowledge.base.progress' ORDER BY id")
            ).scalars()
        )


def test_a_new_model_re_embeds_every_chunk_in_the_background(
    client: TestClient, container: Container, sandbox: AiSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = sign_up(client)
    kb_id, _ = _faq(client, container, owner)
    run_queue(container, "knowledge_ingester")
    n = len(faq_pt_br.ENTRIES)
    assert _models(container, owner, kb_id) == {("wordllama-l2-supercat-256", 256): n}
    # WHEN the knowledge base moves to OpenAI's model
    changed = client.patch(f"{KB}/{kb_id}", headers=owner.headers, json={"embedding_model": OPENAI_MODEL})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["state"], changed.json()["dimensions"], changed.json()["reembed_total"]) == (
        "reembedding", 1536, n
    )  # fmt: skip
    # a run hands what it has not done to a new job of its own once its time is up
    monkeypatch.setattr(ingestion, "REEMBED_BATCH", 30)
    (message,) = container.queue.receive(QUEUE)
    job = parse_job(message.body)
    assert isinstance(job, ReembedJob)
    ingestion.run_reembed(db=container.database, clock=container.clock, embedders=container.embedder_for, job=job,
                          budget_seconds=0)  # fmt: skip
    container.queue.delete(QUEUE, [message.receipt])
    midway = client.get(f"{KB}/{kb_id}", headers=owner.headers).json()
    assert (midway["state"], midway["reembed_processed"]) == ("reembedding", 30)
    assert _models(container, owner, kb_id) == {("wordllama-l2-supercat-256", 256): n - 30, (OPENAI_MODEL, 1536): 30}
    run_queue(container, "knowledge_ingester")
    # THEN every chunk has the new model's vector, and searches use it
    assert _models(container, owner, kb_id) == {(OPENAI_MODEL, 1536): n}
    done = client.get(f"{KB}/{kb_id}", headers=owner.headers).json()
    assert (done["state"], done["reembed_processed"], done["embedding_model"]) == ("ready", n, OPENAI_MODEL)
    events = _base_events(container, owner)
    assert events[0]["state"] == "reembedding" and events[-1] == {
        "knowledge_base_id": kb_id, "state": "ready", "embedding_model": OPENAI_MODEL, "processed": n, "total": n,
    }  # fmt: skip
    found = client.post(f"{KB}/{kb_id}/search", headers=owner.headers, json={"question": "prazo de entrega"}).json()
    assert found["embedding_model"] == OPENAI_MODEL and found["passages"][0]["similarity"] is not None
    assert not sandbox.rejected  # what was sent is what OpenAI's document allows
    # AND a document uploaded now is embedded with the new model
    client.post(f"{KB}/{kb_id}/documents", headers=owner.headers, files={"file": ("b.md", b"# B\n\nOutro texto.")})
    run_queue(container, "knowledge_ingester")
    assert _models(container, owner, kb_id) == {(OPENAI_MODEL, 1536): n + 1}
    # AND naming the same model again does nothing
    again = client.patch(f"{KB}/{kb_id}", headers=owner.headers, json={"embedding_model": OPENAI_MODEL})
    assert again.json()["state"] == "ready" and container.queue.receive(QUEUE) == []


def test_a_model_that_refuses_fails_the_document_and_one_that_is_down_is_retried(
    client: TestClient, container: Container, sandbox: AiSandbox
) -> None:
    from functions.workers.knowledge_ingester import handler

    owner = sign_up(client)
    kb_id, refused_id = _faq(client, container, owner, embedding_model=OPENAI_MODEL)
    # a refused key: the document fails at once, saying so
    sandbox.settings.inject = [AiInjection(http_status=401)]
    run_queue(container, "knowledge_ingester")
    refused = client.get(f"{KB}/{kb_id}/documents/{refused_id}", headers=owner.headers).json()
    assert (refused["status"], refused["error"]["code"]) == ("failed", "embedding_failed")
    assert "auth" in refused["error"]["message"] and "sk-" not in refused["error"]["message"]
    # a model that is down: the run fails (the queue delivers it again), letting go of the document
    down = client.post(
        f"{KB}/{kb_id}/documents", headers=owner.headers, files={"file": ("down.md", b"# Fora\n\nTexto.")}
    ).json()
    sandbox.settings.inject = [AiInjection(http_status=503)]
    messages = container.queue.receive(QUEUE)
    with pytest.raises(BatchProcessingError):  # its one record failed: the whole batch goes back to the queue
        handler(sqs_event(QUEUE, messages), FakeContext())
    held = client.get(f"{KB}/{kb_id}/documents/{down['id']}", headers=owner.headers).json()
    assert held["status"] == "processing" and held["error"] is None
    # the sweeper takes it up again, and the next run ingests it
    assert ingestion.sweep(db=container.database, clock=container.clock)["requeued"] == 1
    container.queue.delete(QUEUE, [m.receipt for m in messages])
    (again,) = container.queue.receive(QUEUE)
    # a body that is no job is that record's failure only: the others of its batch go on
    bad = ReceivedMessage(message_id="bad-1", receipt="r", body='{"kind": "ingest"}', receive_count=1)
    result = handler(sqs_event(QUEUE, [bad, again]), FakeContext())
    assert result == {"batchItemFailures": [{"itemIdentifier": "bad-1"}]}
    assert client.get(f"{KB}/{kb_id}/documents/{down['id']}", headers=owner.headers).json()["status"] == "ready"


def _set(container: Container, account: Account, document_id: str, sql: str) -> None:
    with container.database.tenant(uuid.UUID(account.company_id)) as session:
        session.execute(text(f"UPDATE knowledge_documents SET {sql} WHERE id = CAST(:d AS uuid)"), {"d": document_id})


def test_the_sweeper_queues_stopped_work_again_then_fails_it(client: TestClient, container: Container) -> None:
    owner = sign_up(client)
    kb = client.post(KB, headers=owner.headers, json={"name": "KB"}).json()
    document = client.post(
        f"{KB}/{kb['id']}/documents", headers=owner.headers, files={"file": ("a.md", b"# A\n\nTexto.")}
    ).json()
    container.queue.delete(QUEUE, [m.receipt for m in container.queue.receive(QUEUE)])  # the job was lost
    # a queued job that never started is queued again (no stall: it never ran)
    _set(container, owner, document["id"], "expires_at = now() - interval '1 minute'")
    assert ingestion.sweep(db=container.database, clock=container.clock)["requeued"] == 1
    (message,) = container.queue.receive(QUEUE)
    assert parse_job(message.body) == IngestJob(
        company_id=uuid.UUID(owner.company_id), document_id=uuid.UUID(document["id"]), version=1
    )
    container.queue.delete(QUEUE, [message.receipt])
    # a run that stopped (its heartbeat expired), MAX_STALLS times: the document fails, and the company is told
    for stall in range(1, ingestion.MAX_STALLS + 1):
        _set(container, owner, document["id"], "status = 'processing', expires_at = now() - interval '1 minute'")
        counts = ingestion.sweep(db=container.database, clock=container.clock)
        assert counts["failed" if stall == ingestion.MAX_STALLS else "requeued"] == 1
    failed = client.get(f"{KB}/{kb['id']}/documents/{document['id']}", headers=owner.headers).json()
    assert (failed["status"], failed["error"]["code"]) == ("failed", "ingestion_stalled")
    kinds = [n["kind"] for n in client.get("/v1/notifications", headers=owner.headers).json()["items"]]
    assert kinds == ["knowledge_document.failed"]
    # work that is moving is left alone
    assert ingestion.sweep(db=container.database, clock=container.clock) == {
        "requeued": 0, "failed": 0, "reembeds_requeued": 0, "reembeds_stopped": 0,
    }  # fmt: skip


def test_a_model_change_during_an_ingestion_embeds_it_again_with_the_new_model(
    client: TestClient, container: Container, sandbox: AiSandbox
) -> None:
    owner = sign_up(client)
    kb_id, document_id = _faq(client, container, owner)
    (message,) = container.queue.receive(QUEUE)
    job = parse_job(message.body)
    assert isinstance(job, IngestJob)
    actor = Principal(user_id=uuid.UUID(owner.user_id), company_id=uuid.UUID(owner.company_id), role=Role.OWNER)
    changed: list[str] = []

    def embedders(model: str) -> Embedder:
        """The container's, but a user moves the knowledge base to another model once the run has begun."""
        if not changed:
            changed.append(model)
            with container.database.tenant(actor.company_id) as session:
                service.update_knowledge_base(
                    session=session, actor=actor, embedders=container.embedder_for, knowledge_base_id=uuid.UUID(kb_id),
                    data=KnowledgeBaseUpdate(embedding_model=OPENAI_MODEL), now=container.clock.now(),
                )  # fmt: skip
        return container.embedder_for(model)

    ingestion.run_document(
        db=container.database, store=container.object_store, clock=container.clock, embedders=embedders,
        http=container.page_http, job=job,
    )  # fmt: skip
    # its chunks were written with the model the knowledge base has now, never the one it had when it began
    assert _models(container, owner, kb_id) == {(OPENAI_MODEL, 1536): len(faq_pt_br.ENTRIES)}
    assert client.get(f"{KB}/{kb_id}/documents/{document_id}", headers=owner.headers).json()["status"] == "ready"
