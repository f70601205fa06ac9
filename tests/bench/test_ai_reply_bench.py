"""The AI reply path's own time (issue 18): from the customer's message to our request to the model, and from the
model's answer to our send, without the model's time and without the waits we make on purpose (the debounce, the
humanized delay): p95 ≤ 300 ms.

In process, on the embedded PostgreSQL: 200 bursts, each a new customer writing one question on a number whose
persona answers from a knowledge base (retrieval with the local embedder, pgvector and full text). Each burst goes
through the very handlers the queues and rules call: ``ai_responder`` with the ``message.received`` event,
``ai_replier`` with the burst's timer job, then with its part's job. The model is the AI sandbox (its answer time is
left out, measured at the ``LLM`` port), Meta is the in-memory Graph API (the send is the moment it gets the
request). A burst's overhead = its message handled until the burst is committed + its job until the model request
+ from the model's answer until the answer is committed + the part's job until the send reaches Meta. What follows a
commit (the job relayed to the queue, the typing indicator) happens within the debounce or the humanized delay,
which are timed from before it: it adds nothing to the customer's wait (it is timed too, and reported)."""

from __future__ import annotations

import statistics
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from functions import manifest
from functions.local.events import eventbridge_event
from functions.local.lambda_context import invoke
from functions.local.pump import sqs_event
from masteria.ai.reply_jobs import QUEUE, BurstJob, PartJob
from masteria.ai.responder_models import AiBurst, AiReplyPart
from masteria.ai.shapes import ChatRequest, ChatResult
from masteria.bootstrap import Container
from masteria.events import OutboxEvent
from masteria.ports import LLM, PublishedEvent, ReceivedMessage
from tests.ai_replies import FakeClock, install_ai_sandbox, knowledge_base, make_persona
from tests.api import customer_writes, make_connection, sign_up
from tests.bench.results import machine_busy_seconds, report
from tests.integration.test_ai_replies import FAQ, PRICE
from tests.meta import FakeMeta

BURSTS = 200
WARM_UP = 10


def _stamp() -> tuple[float, float]:
    """Now, by the wall and by this process's CPU."""
    return time.monotonic(), time.process_time()


Stamp = tuple[float, float]


@dataclass
class TimedChat:
    """The model at the edge, timed: when each request left and its answer came back."""

    inner: LLM
    calls: list[tuple[Stamp, Stamp]] = field(default_factory=list)

    @property
    def model(self) -> str:
        return str(getattr(self.inner, "model", "gpt-4o-mini"))

    def chat(self, request: ChatRequest) -> ChatResult:
        started = _stamp()
        result = self.inner.chat(request)
        self.calls.append((started, _stamp()))
        return result


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[94]


def _job(body: str) -> None:
    event = sqs_event(QUEUE, [ReceivedMessage(message_id=str(uuid.uuid4()), receipt="r", body=body, receive_count=1)])
    assert invoke(manifest.by_name("ai_replier"), event) == {"batchItemFailures": []}


@pytest.mark.bench
@pytest.mark.timeout(900)
def test_ai_reply_path_overhead(client: TestClient, container: Container, meta: FakeMeta, owner_engine: Engine) -> None:
    clock = FakeClock()
    container.clock = clock  # type: ignore[misc]
    install_ai_sandbox(container)
    timed = TimedChat(container.llm)
    container.llm = timed  # type: ignore[misc]
    owner = sign_up(client)
    company = uuid.UUID(owner.company_id)
    connection = make_connection(client, owner, meta)
    kb_id = knowledge_base(container, owner, FAQ)
    make_persona(client, owner, connection, knowledge_base_ids=[kb_id], debounce_seconds=8)
    responder = manifest.by_name("ai_responder")
    relay = container.database.after_jobs
    committed: list[Stamp] = []

    def after_jobs(company_id: uuid.UUID, ids: list[int]) -> None:
        committed.append(_stamp())  # a transaction that wrote jobs has just committed
        assert relay is not None
        relay(company_id, ids)

    container.database.after_jobs = after_jobs
    provider = container.providers.get("meta_cloud")
    provider_send = provider.send
    sends: list[Stamp] = []

    def send(*args: Any, **kwargs: Any) -> Any:
        sends.append(_stamp())  # our send: the provider's request is made now
        return provider_send(*args, **kwargs)

    provider.send = send  # type: ignore[method-assign]

    overheads, before_model, after_model, after_commits, cpu = [], [], [], [], []
    busy, began = machine_busy_seconds(), time.perf_counter()
    for n in range(WARM_UP + BURSTS):
        customer_writes(container, owner, connection, "Quanto custa o plano básico por mês?", wa_id=f"55119{n:08d}")
        with container.database.tenant(company) as session:
            row = session.scalars(
                select(OutboxEvent).where(OutboxEvent.type == "message.received").order_by(OutboxEvent.id.desc())
            ).first()
            assert row is not None
            event = PublishedEvent(row.event_id, row.company_id, row.type, row.data, row.occurred_at)
        started = _stamp()
        assert invoke(responder, eventbridge_event(event.type, event.detail())) == {"outcome": "joined"}
        joined_at, ended = committed[-1], _stamp()
        with container.database.tenant(company) as session:
            burst = session.scalars(select(AiBurst).order_by(AiBurst.created_at.desc())).first()
            assert burst is not None
            job = BurstJob(company_id=company, burst_id=burst.id, due_at=burst.due_at).model_dump_json()
        clock.advance(9)  # the debounce, waited on purpose: not ours to count
        started_job = _stamp()
        _job(job)
        answered, job_ended = committed[-1], _stamp()
        asked, answer = timed.calls[-1]
        with container.database.tenant(company) as session:
            part = session.scalars(select(AiReplyPart).where(AiReplyPart.burst_id == burst.id)).one()
        clock.at = part.send_at  # the humanized delay, on purpose too
        started_part = _stamp()
        _job(PartJob(company_id=company, part_id=part.id).model_dump_json())
        sent = sends[-1]
        assert meta.sent[-1]["text"]["body"] == PRICE
        if n < WARM_UP:
            continue
        windows = [(started, joined_at), (started_job, asked), (answer, answered), (started_part, sent)]
        before = sum(end[0] - begin[0] for begin, end in windows[:2])
        after = sum(end[0] - begin[0] for begin, end in windows[2:])
        before_model.append(before * 1000)
        after_model.append(after * 1000)
        overheads.append((before + after) * 1000)
        cpu.append(sum(end[1] - begin[1] for begin, end in windows) * 1000)
        after_commits.append(((ended[0] - joined_at[0]) + (job_ended[0] - answered[0])) * 1000)

    assert len([b for b in meta.sent if b.get("type") == "text"]) == WARM_UP + BURSTS  # one answer each
    report("ai_reply_path_overhead_p50_ms", statistics.median(overheads), "ms", "")
    report("ai_reply_path_overhead_p95_ms", _p95(overheads), "ms", "<= 300")
    report("ai_reply_path_machine_busy_cores", (machine_busy_seconds() - busy) / (time.perf_counter() - began), "cores")
    report("ai_reply_path_to_model_p95_ms", _p95(before_model), "ms", "")
    report("ai_reply_path_answer_to_send_p95_ms", _p95(after_model), "ms", "")
    report("ai_reply_path_within_waits_p95_ms", _p95(after_commits), "ms", "")
    report("ai_reply_path_cpu_p95_ms", _p95(cpu), "ms", "")  # this process's CPU in those windows: load aside
