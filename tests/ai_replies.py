"""Helpers for the AI responder's tests: the AI sandbox in-process as the platform's model, a knowledge base
seeded with the local embedder, personas through the API, the domain events delivered to ``ai_responder`` as
EventBridge would (as often as a test wants), and the ``ai-replies`` queue drained as time passes."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text

from functions import manifest
from functions.local.events import eventbridge_event
from functions.local.lambda_context import invoke
from functions.local.pump import sqs_event
from functions.local.sandbox.ai import AiSandbox
from functions.local.sandbox.ai import router as sandbox_router
from masteria.ai.openai_adapter import OpenAiChat
from masteria.ai.reply_jobs import QUEUE
from masteria.bootstrap import Container
from masteria.events import OutboxEvent
from masteria.knowledge.models import KnowledgeBase, KnowledgeChunk, KnowledgeDocument
from masteria.ports import PublishedEvent, ReceivedMessage
from tests.api import Account

MODEL = "gpt-4o-mini"
SANDBOX_URL = "http://testserver/sandbox/openai/v1"
AI_EVENTS = ("message.received", "message.created", "conversation.assigned", "contact.opted_out")


class FakeClock:
    def __init__(self) -> None:
        self.at = datetime.now(UTC).replace(microsecond=0)

    def now(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


def install_ai_sandbox(container: Container) -> AiSandbox:
    """The AI sandbox (OpenAI's API, checked against its spec) as the platform's chat model, in this process."""
    sandbox = AiSandbox()
    app = FastAPI()
    app.include_router(sandbox_router(sandbox))
    http = TestClient(app)
    container.llm = OpenAiChat(  # type: ignore[misc]
        base_url=SANDBOX_URL, api_key="sk-test-key", model=MODEL, max_retries=0, http_client=http
    )
    return sandbox


def knowledge_base(container: Container, account: Account, chunks: Iterable[tuple[str, str]]) -> str:
    """A ready knowledge base of ``(heading, text)`` chunks embedded by the platform's embedder; its id."""
    embedder = container.embedder
    items = list(chunks)
    vectors = embedder.embed([f"{heading}\n{body}" for heading, body in items]).vectors
    company = uuid.UUID(account.company_id)
    with container.database.tenant(company) as session:
        base = KnowledgeBase(
            company_id=company, name=f"FAQ {uuid.uuid4().hex[:6]}", embedding_model=embedder.model,
            dimensions=embedder.dimensions,
        )  # fmt: skip
        session.add(base)
        session.flush()
        document = KnowledgeDocument(
            company_id=company, knowledge_base_id=base.id, title="FAQ", source="upload", format="markdown",
            status="ready", chunk_count=len(items),
        )  # fmt: skip
        session.add(document)
        session.flush()
        for position, ((heading, body), vector) in enumerate(zip(items, vectors, strict=True)):
            session.add(
                KnowledgeChunk(
                    company_id=company, knowledge_base_id=base.id, document_id=document.id, position=position,
                    heading=heading, text=body, token_count=len(body.split()), embedding=vector,
                    dimensions=len(vector), embedding_model=embedder.model,
                )
            )  # fmt: skip
        return str(base.id)


def make_persona(client: TestClient, account: Account, connection: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """An active persona answering on ``connection`` (through the personas API)."""
    body = {
        "name": f"Ana {uuid.uuid4().hex[:6]}",
        "role": "atendente da Loja Exemplo",
        "tone": "cordial e objetiva",
        "language": "pt-BR",
        "connection_ids": [connection["id"]],
        "tools": ["handoff"],
        "debounce_seconds": 8,
        "is_active": True,
        **fields,
    }
    created = client.post("/v1/personas", headers=account.headers, json=body)
    assert created.status_code == 201, created.text
    persona: dict[str, Any] = created.json()
    if not persona.get("is_active"):
        activated = client.post(f"/v1/personas/{persona['id']}/activate", headers=account.headers)
        assert activated.status_code == 200, activated.text
        persona = activated.json()
    return persona


@dataclass
class Events:
    """The outbox's domain events, delivered to ``ai_responder`` as EventBridge delivers them."""

    container: Container
    delivered: set[uuid.UUID] = field(default_factory=set)

    def of(self, account: Account, event_type: str) -> list[dict[str, Any]]:
        """``event_type``'s events (their ``data``) in order."""
        with self.container.database.tenant(uuid.UUID(account.company_id)) as session:
            rows = session.scalars(select(OutboxEvent).where(OutboxEvent.type == event_type).order_by(OutboxEvent.id))
            return [row.data for row in rows]

    def _published(self, account: Account) -> list[PublishedEvent]:
        with self.container.database.tenant(uuid.UUID(account.company_id)) as session:
            rows = session.scalars(
                select(OutboxEvent).where(OutboxEvent.type.in_(AI_EVENTS)).order_by(OutboxEvent.id)
            ).all()
            return [
                PublishedEvent(
                    event_id=row.event_id, company_id=row.company_id, type=row.type, data=row.data,
                    occurred_at=row.occurred_at, sequence=row.company_sequence,
                )
                for row in rows
            ]  # fmt: skip

    def deliver(self, account: Account, *, times: int = 1, types: tuple[str, ...] = AI_EVENTS) -> list[str]:
        """Each event not delivered yet (of ``types``), ``times`` times over (EventBridge delivers at least
        once): the consumer's outcomes."""
        spec = manifest.by_name("ai_responder")
        outcomes = []
        for event in self._published(account):
            if event.event_id in self.delivered or event.type not in types:
                continue
            self.delivered.add(event.event_id)
            for _ in range(times):
                outcomes.append(invoke(spec, eventbridge_event(event.type, event.detail()))["outcome"])
        return outcomes


def queued(owner_engine: Engine) -> list[str]:
    """The bodies waiting on ``ai-replies`` (visible or not yet), oldest first."""
    with owner_engine.connect() as db:
        return list(
            db.execute(text("SELECT body FROM queue_messages WHERE queue = :q ORDER BY id"), {"q": QUEUE}).scalars()
        )


def run_job(body: str) -> None:
    """One ``ai-replies`` job through ``ai_replier``, as SQS would deliver it (the same body again: a redelivery)."""
    spec = manifest.by_name("ai_replier")
    event = sqs_event(QUEUE, [ReceivedMessage(message_id=str(uuid.uuid4()), receipt="r", body=body, receive_count=1)])
    assert invoke(spec, event) == {"batchItemFailures": []}


def drain(container: Container, owner_engine: Engine, clock: FakeClock, *, step: float = 15, rounds: int = 40) -> int:
    """Let time pass ``step`` seconds a round and run what ``ai-replies`` holds then (its delays over), until it is
    empty: the jobs run."""
    done = 0
    for _ in range(rounds):
        clock.advance(step)
        with owner_engine.begin() as db:
            db.execute(text("UPDATE queue_messages SET visible_at = now() WHERE queue = :q"), {"q": QUEUE})
        messages = container.queue.receive(QUEUE, max_messages=10)
        if not messages:
            return done
        for message in messages:
            run_job(message.body)
        container.queue.delete(QUEUE, [m.receipt for m in messages])
        done += len(messages)
    raise AssertionError("ai-replies never emptied")
