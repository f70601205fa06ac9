from __future__ import annotations

import time
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, select

from functions import manifest
from functions.local.events import eventbridge_event
from functions.local.lambda_context import invoke
from masteria.ai.reply_jobs import BurstJob, PartJob
from masteria.ai.responder_models import AiBurst, AiReplyPart
from masteria.bootstrap import Container
from masteria.events import OutboxEvent
from masteria.ports import PublishedEvent
from tests.ai_replies import FakeClock, install_ai_sandbox, knowledge_base, make_persona
from tests.api import customer_writes, make_connection, sign_up
from tests.bench._prof_ai import _job
from tests.integration.test_ai_replies import FAQ
from tests.meta import FakeMeta

LOG: list[tuple[float, str]] = []


@pytest.mark.bench
def test_statements(client: TestClient, container: Container, meta: FakeMeta, owner_engine: Engine) -> None:
    clock = FakeClock()
    container.clock = clock
    install_ai_sandbox(container)
    owner = sign_up(client)
    company = uuid.UUID(owner.company_id)
    connection = make_connection(client, owner, meta)
    kb_id = knowledge_base(container, owner, FAQ)
    make_persona(client, owner, connection, knowledge_base_ids=[kb_id], debounce_seconds=8)
    responder = manifest.by_name("ai_responder")
    engine = container.database.engine
    recording = [False]

    @event.listens_for(engine, "before_cursor_execute")
    def before(conn, cursor, statement, parameters, context, executemany):
        if recording[0]:
            LOG.append((time.monotonic(), " ".join(statement.split())[:150]))

    for n in range(3):
        customer_writes(container, owner, connection, "Quanto custa o plano básico por mês?", wa_id=f"55119{n:08d}")
        with container.database.tenant(company) as session:
            row = session.scalars(select(OutboxEvent).where(OutboxEvent.type == "message.received").order_by(OutboxEvent.id.desc())).first()
            ev = PublishedEvent(row.event_id, row.company_id, row.type, row.data, row.occurred_at)
        recording[0] = n == 2
        LOG.append((time.monotonic(), "=== JOIN"))
        invoke(responder, eventbridge_event(ev.type, ev.detail()))
        recording[0] = False
        with container.database.tenant(company) as session:
            burst = session.scalars(select(AiBurst).order_by(AiBurst.created_at.desc())).first()
            job = BurstJob(company_id=company, burst_id=burst.id, due_at=burst.due_at).model_dump_json()
        clock.advance(9)
        recording[0] = n == 2
        LOG.append((time.monotonic(), "=== BURST"))
        _job(job)
        recording[0] = False
        with container.database.tenant(company) as session:
            part = session.scalars(select(AiReplyPart).where(AiReplyPart.burst_id == burst.id)).one()
        clock.at = part.send_at
        recording[0] = n == 2
        LOG.append((time.monotonic(), "=== PART"))
        _job(PartJob(company_id=company, part_id=part.id).model_dump_json())
        recording[0] = False
    start = LOG[0][0]
    previous = start
    for at, statement in LOG:
        print(f"{(at - start) * 1000:8.1f} +{(at - previous) * 1000:6.1f}  {statement}")
        previous = at
