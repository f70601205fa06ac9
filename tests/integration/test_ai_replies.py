"""Automatic replies on a real PostgreSQL, with Meta's Graph API in memory (checked against Meta's spec) and the AI
sandbox (checked against OpenAI's): a burst answered exactly once whatever the redeliveries, humanized parts with
the typing indicator, a person's reply or the customer's opt-out stopping what is not sent yet, the 24-hour window,
model failures, the budget, a worker that died mid-answer, and the rules holding against injected instructions."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text

from functions.local.sandbox.ai import AiInjection, AiSandbox, AiSandboxSettings
from masteria.ai.models import AiDecision, AiSettings, AiUsage
from masteria.ai.parts import send_part
from masteria.ai.reply_jobs import BurstJob, PartJob, parse
from masteria.ai.responder_models import AiBurst, AiReplyPart
from masteria.ai.shapes import ChatRequest, ChatResult
from masteria.bootstrap import Container
from masteria.conversations.models import Message
from tests.ai_replies import (
    Events,
    FakeClock,
    drain,
    install_ai_sandbox,
    knowledge_base,
    make_persona,
    queued,
    run_job,
)
from tests.api import Account, customer_writes, make_connection, sign_up
from tests.e2e.waits import eventually
from tests.meta import FakeMeta

WA_ID = "5511987650001"
WAITING = "SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted"  # sessions waiting on a lock
PRICE = "O plano básico custa 49 reais por mês e inclui até três usuários."
DELIVERY = "A entrega do equipamento leva dois dias úteis nas capitais e até cinco dias úteis no interior."
FAQ = [
    ("Planos e preços", f"{PRICE} O plano pro sai por 99 reais, sem limite de usuários."),
    ("Entrega", DELIVERY),
    ("Cancelamento", "Você pode cancelar quando quiser, sem multa, pelo aplicativo ou pelo site."),
]
# two long sentences that both answer the same question: an answer in two parts
LONG_A = (
    "A garantia estendida do aparelho cobre defeitos de fabricação por vinte e quatro meses a partir da data da "
    "compra, incluindo a troca de peças, a mão de obra da assistência técnica autorizada e o transporte de ida."
)
LONG_B = (
    "A garantia estendida do aparelho também cobre a volta do transporte e um aparelho reserva durante o conserto, "
    "desde que o defeito de fabricação seja confirmado pela assistência técnica autorizada em até dez dias úteis."
)


@dataclass
class Stage:
    client: TestClient
    container: Container
    meta: FakeMeta
    owner_engine: Engine
    clock: FakeClock
    sandbox: AiSandbox
    events: Events
    owner: Account
    connection: dict[str, Any]
    kb_id: str
    persona: dict[str, Any]

    @property
    def company(self) -> uuid.UUID:
        return uuid.UUID(self.owner.company_id)

    def writes(self, said: str, *, at: int | None = None) -> None:
        customer_writes(self.container, self.owner, self.connection, said, wa_id=WA_ID, at=at)

    def conversation(self) -> dict[str, Any]:
        (found,) = self.client.get("/v1/conversations", headers=self.owner.headers).json()["items"]
        return found  # type: ignore[no-any-return]

    def texts(self) -> list[str]:
        """The text messages that went to the customer, in order."""
        return [b["text"]["body"] for b in self.meta.sent if b.get("type") == "text" and b.get("to") == WA_ID]

    def typing(self) -> list[dict[str, Any]]:
        return [b for b in self.meta.sent if b.get("status") == "read" and "typing_indicator" in b]

    def decisions(self, kind: str | None = None) -> list[AiDecision]:
        with self.container.database.tenant(self.company) as session:
            statement = select(AiDecision).order_by(AiDecision.id)
            if kind:
                statement = statement.where(AiDecision.kind == kind)
            return list(session.scalars(statement))

    def parts(self) -> list[AiReplyPart]:
        with self.container.database.tenant(self.company) as session:
            return list(session.scalars(select(AiReplyPart).order_by(AiReplyPart.created_at, AiReplyPart.position)))

    def bursts(self) -> list[AiBurst]:
        with self.container.database.tenant(self.company) as session:
            return list(session.scalars(select(AiBurst).order_by(AiBurst.created_at)))

    def drain(self) -> int:
        self.events.deliver(self.owner)
        done = drain(self.container, self.owner_engine, self.clock)
        self.events.deliver(self.owner)  # what the sends recorded (message.created…)
        return done


@pytest.fixture
def stage(client: TestClient, container: Container, meta: FakeMeta, owner_engine: Engine) -> Iterator[Stage]:
    clock = FakeClock()
    container.clock = clock  # type: ignore[misc]
    sandbox = install_ai_sandbox(container)
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    kb_id = knowledge_base(container, owner, [*FAQ, ("Garantia", f"{LONG_A} {LONG_B}")])
    persona = make_persona(client, owner, connection, knowledge_base_ids=[kb_id])
    yield Stage(
        client=client, container=container, meta=meta, owner_engine=owner_engine, clock=clock, sandbox=sandbox,
        events=Events(container), owner=owner, connection=connection, kb_id=kb_id, persona=persona,
    )  # fmt: skip


def _burst_jobs(stage: Stage) -> list[str]:
    return [body for body in queued(stage.owner_engine) if isinstance(parse(body), BurstJob)]


def test_a_burst_of_three_messages_gets_exactly_one_answer_whatever_the_redeliveries(stage: Stage) -> None:
    # GIVEN three messages in a burst, each message.received delivered twice
    for said in ("Oi!", "tudo bem?", "Quanto custa o plano básico por mês?"):
        stage.writes(said)
        assert stage.events.deliver(stage.owner, times=2, types=("message.received",)) == ["joined", "ignored"]
        stage.clock.advance(2)
    (burst,) = stage.bursts()
    assert burst.state == "pending" and burst.message_count == 3
    jobs = _burst_jobs(stage)
    assert len(jobs) == 3  # one timer per message; only the last one's due_at is the burst's
    assert parse(jobs[-1]).due_at == burst.due_at == burst.last_message_at + timedelta(seconds=8)  # type: ignore[union-attr]

    # WHEN the timers come (the last one twice), before and after the debounce
    run_job(jobs[-1])  # early: not due yet, it waits again
    assert stage.bursts()[0].state == "pending"
    stage.clock.advance(10)
    for body in [*jobs, jobs[-1]]:
        run_job(body)
    stage.drain()

    # THEN one answer, from the knowledge, in one part, typed first, and one of everything it records
    (burst,) = stage.bursts()
    assert burst.state == "answered" and burst.outcome == "reply"
    assert stage.texts() == [PRICE]
    assert len(stage.typing()) == 1 and stage.typing()[0]["message_id"].startswith("wamid.in")
    chats = [r for r in stage.sandbox.requests if r["endpoint"] == "chat/completions"]
    assert len(chats) == 1 and not stage.sandbox.rejected
    (reply,) = stage.decisions("reply")
    assert reply.persona_version == 1 and reply.model == "gpt-4o-mini"
    assert len(reply.inputs["message_ids"]) == 3 and reply.inputs["chunk_ids"]
    (replied,) = stage.events.of(stage.owner, "ai.replied")
    (part,) = stage.parts()
    assert replied["message_ids"] == [str(part.message_id)] and replied["decision_id"] == reply.id
    assert replied["persona_id"] == stage.persona["id"] and replied["persona_version"] == 1
    with stage.container.database.tenant(stage.company) as session:
        (usage,) = session.scalars(select(AiUsage)).all()
        assert usage.purpose == "reply" and usage.conversation_id == burst.conversation_id
        sent = session.get_one(Message, part.message_id)
        assert sent.direction == "out" and sent.text == PRICE and sent.content["ai"]["persona_version"] == 1
    # the AI's own messages stop nothing: it still answers here
    assert stage.conversation()["ai"]["status"] == "active"


def test_a_long_answer_goes_in_parts_and_a_persons_reply_mid_delay_stops_the_rest(stage: Stage) -> None:
    stage.writes("O que a garantia estendida do aparelho cobre no conserto pela assistência técnica autorizada?")
    assert stage.events.deliver(stage.owner) == ["joined"]
    stage.clock.advance(9)
    (job,) = _burst_jobs(stage)
    run_job(job)
    first, second = stage.parts()
    assert (first.text, second.text) == (LONG_A, LONG_B)
    assert first.send_at < second.send_at and first.state == second.state == "planned"
    # the first part goes at its time
    stage.clock.at = first.send_at
    run_job(PartJob(company_id=stage.company, part_id=first.id).model_dump_json())
    assert stage.texts() == [LONG_A]
    assert len(stage.typing()) == 2  # before the first part, and before the second
    # WHEN a person replies from the inbox before the second part's time
    conversation = stage.conversation()
    said = stage.client.post(
        f"/v1/conversations/{conversation['id']}/messages",
        headers=stage.owner.headers,
        json={"text": "Oi, aqui é o João!"},
    )
    assert said.status_code == 201, said.text
    stage.drain()  # the second part's job comes (even before the reply's event reaches the AI)
    # THEN the second part never goes, and the AI is paused there
    assert stage.texts() == [LONG_A, "Oi, aqui é o João!"]
    assert [p.state for p in stage.parts()] == ["sent", "cancelled"] and stage.parts()[1].reason == "human_reply"
    ai = stage.conversation()["ai"]
    assert ai["status"] == "paused" and ai["reason"] == "human_reply"
    (replied,) = stage.events.of(stage.owner, "ai.replied")
    assert replied["message_ids"] == [str(first.message_id)]
    # and the customer's next message gets no answer from the AI
    stage.writes("Obrigado!")
    assert stage.events.deliver(stage.owner) == ["ignored"]


def _template(stage: Stage, name: str, body: str) -> dict[str, Any]:
    """An approved WhatsApp template of the number, with no variables, mirrored from Meta."""
    stage.meta.templates.setdefault(stage.connection["waba_id"], []).append(
        {
            "id": str(900_000_000_000_001), "name": name, "language": "pt_BR", "status": "APPROVED",
            "category": "UTILITY", "components": [{"type": "BODY", "text": body}],
        }
    )  # fmt: skip
    synced = stage.client.post(f"/v1/connections/{stage.connection['id']}/templates/sync", headers=stage.owner.headers)
    assert synced.status_code == 200, synced.text
    listed = stage.client.get(f"/v1/connections/{stage.connection['id']}/templates", headers=stage.owner.headers)
    found: dict[str, Any] = next(t for t in listed.json()["items"] if t["name"] == name)
    return found


def test_outside_the_24_hour_window_nothing_is_sent_or_the_personas_template(stage: Stage) -> None:
    stale = int((stage.clock.now() - timedelta(hours=25)).timestamp())
    stage.writes("Quanto custa o plano básico?", at=stale)
    stage.drain()
    assert stage.texts() == [] and not stage.sandbox.requests
    (skipped,) = stage.decisions("skipped")
    assert skipped.detail["reason"] == "window_closed"
    # with a template for outside the window, that template goes
    template = _template(stage, "retomar", "Olá! Podemos retomar a conversa? Responda esta mensagem.")
    patched = stage.client.patch(
        f"/v1/personas/{stage.persona['id']}", headers=stage.owner.headers,
        json={"version": stage.persona["current_version"], "outside_window_template_id": template["id"]},
    )  # fmt: skip
    assert patched.status_code == 200, patched.text
    stage.writes("Alguém aí?", at=stale + 60)
    stage.drain()
    (sent,) = [b for b in stage.meta.sent if b.get("type") == "template"]
    assert sent["template"]["name"] == "retomar" and sent["to"] == WA_ID
    assert stage.parts()[-1].text == "Olá! Podemos retomar a conversa? Responda esta mensagem."  # as the inbox shows it
    assert not stage.sandbox.requests  # no model call for it
    assert stage.decisions("reply")[-1].detail["outside_window"] is True


def test_the_customers_opt_out_stops_the_answer_being_prepared(stage: Stage) -> None:
    stage.writes("Quanto custa o plano pro?")
    stage.events.deliver(stage.owner)
    stage.writes("PARAR")  # a stop keyword: the contact opts out of WhatsApp
    stage.drain()
    assert stage.texts() == []
    assert all(b.state == "cancelled" for b in stage.bursts())
    ai = stage.conversation()["ai"]
    assert ai["status"] == "paused" and ai["reason"] == "opted_out"


def test_a_model_that_refuses_the_key_means_no_answer_a_skipped_decision_and_one_notification(stage: Stage) -> None:
    stage.sandbox.settings = AiSandboxSettings(inject=[AiInjection(http_status=401), AiInjection(http_status=401)])
    stage.writes("Quanto custa o plano básico?")
    stage.drain()
    stage.writes("Alô?")
    stage.drain()
    assert stage.texts() == []
    skipped = stage.decisions("skipped")
    assert [d.detail["reason"] for d in skipped] == ["model_error", "model_error"]
    assert skipped[0].detail["category"] == "auth" and skipped[0].persona_version == 1
    notes = stage.client.get("/v1/notifications", headers=stage.owner.headers).json()["items"]
    (note,) = [n for n in notes if n["kind"] == "ai.model_error"]  # once, for the two failures within the hour
    assert note["data"]["category"] == "auth" and "sk-test-key" not in str(note)
    assert [b.state for b in stage.bursts()] == ["skipped", "skipped"]  # not retried


def test_an_unavailable_model_is_tried_again_later_then_answers(stage: Stage) -> None:
    stage.sandbox.settings = AiSandboxSettings(inject=[AiInjection(http_status=503)])
    stage.writes("Quanto custa o plano básico?")
    stage.drain()
    assert stage.texts() == [PRICE]
    (burst,) = stage.bursts()
    assert burst.attempts == 2 and burst.state == "answered"
    assert [d.kind for d in stage.decisions()] == ["reply"]


def test_a_spent_budget_means_no_answer(stage: Stage) -> None:
    with stage.container.database.tenant(stage.company) as session:
        session.add(AiSettings(company_id=stage.company, monthly_budget_usd=0))
    stage.writes("Quanto custa o plano básico?")
    stage.drain()
    assert stage.texts() == [] and not stage.sandbox.requests
    (skipped,) = stage.decisions("skipped")
    assert skipped.detail["reason"] == "budget_spent"


def test_a_worker_that_died_mid_answer_or_mid_send_never_makes_the_customer_get_it_twice(stage: Stage) -> None:
    stage.writes("Quanto custa o plano básico?")
    stage.events.deliver(stage.owner)
    stage.clock.advance(9)
    (job,) = _burst_jobs(stage)
    # a worker claimed the burst and died before the model answered
    with stage.container.database.tenant(stage.company) as session:
        session.execute(
            text("UPDATE ai_bursts SET state = 'answering', claim = gen_random_uuid(), claimed_at = :at, attempts = 1"),
            {"at": stage.clock.now()},
        )
    run_job(job)  # its claim is recent: maybe still at work, left alone
    assert stage.bursts()[0].state == "answering" and stage.parts() == []
    stage.clock.advance(6 * 60)  # the claim is stale now: taken again
    run_job(job)
    (part,) = stage.parts()
    # a worker marked the part sending and died before its request's answer
    with stage.container.database.tenant(stage.company) as session:
        session.execute(text("UPDATE ai_reply_parts SET state = 'sending'"))
    stage.clock.at = part.send_at
    run_job(PartJob(company_id=stage.company, part_id=part.id).model_dump_json())
    stage.drain()
    assert stage.texts() == []  # never sent (again): the provider's status would settle a real one
    assert stage.bursts()[0].attempts == 2


def test_a_stage_proposal_goes_to_lead_progression_and_the_model_is_asked_for_its_words_after(stage: Stage) -> None:
    from tests.pipelines_api import make_lead, pipeline_of

    patched = stage.client.patch(
        f"/v1/personas/{stage.persona['id']}", headers=stage.owner.headers,
        json={"version": stage.persona["current_version"], "tools": ["handoff", "propose_stage"]},
    )  # fmt: skip
    assert patched.status_code == 200, patched.text
    stage.writes("Oi")
    conversation = stage.conversation()
    lead = make_lead(stage.client, stage.owner, pipeline_of(stage.client, stage.owner),
                     contact_id=conversation["contact"]["id"])  # fmt: skip
    stage.drain()
    stage.writes("Pode ser amanhã às 15h?")
    stage.drain()
    first, follow_up = [r["body"] for r in stage.sandbox.requests if r["endpoint"] == "chat/completions"][-2:]
    assert [t["function"]["name"] for t in first["tools"]] == ["handoff", "propose_stage"]
    assert follow_up["tool_choice"] == "none" and follow_up["messages"][-1]["role"] == "tool"
    assert not stage.sandbox.rejected  # the tool results as OpenAI's document has them
    kinds = [d.kind for d in stage.decisions()]
    assert "stage_move" in kinds or "stage_proposal" in kinds
    (proposed,) = [d for d in stage.decisions() if d.kind in ("stage_move", "stage_proposal")]
    assert proposed.lead_id == uuid.UUID(lead["id"]) and proposed.persona_version == 2
    assert proposed.inputs["burst_id"] == str(stage.bursts()[-1].id)
    # the sandbox's words after it find nothing in the knowledge: no message for it
    assert stage.bursts()[-1].outcome == "tools_only"


def test_a_message_during_a_failed_model_call_joins_the_retry_and_everything_is_answered_once(stage: Stage) -> None:
    # GIVEN the model is unavailable the first time, while the customer writes again during that call
    asked: list[int] = []

    def injected() -> AiInjection | None:
        asked.append(1)
        if len(asked) > 1:
            return None
        stage.writes("Quanto custa o plano básico por mês?")
        assert stage.events.deliver(stage.owner, types=("message.received",)) == ["joined"]  # a new burst
        return AiInjection(http_status=503)

    stage.sandbox.injected = injected  # type: ignore[method-assign]
    stage.writes("Oi, tudo bem?")
    # WHEN the first burst's call fails and is tried again later
    stage.drain()
    # THEN the burst begun meanwhile took its message: one answer, for both messages
    first, second = stage.bursts()
    assert (first.state, first.outcome) == ("cancelled", f"merged:{second.id}")
    assert (second.state, second.message_count) == ("answered", 2)
    assert stage.texts() == [PRICE]
    (reply,) = stage.decisions("reply")
    assert len(reply.inputs["message_ids"]) == 2
    assert len(asked) == 2


def test_the_prompts_clock_is_in_the_companys_timezone(stage: Stage) -> None:
    changed = stage.client.patch("/v1/company", headers=stage.owner.headers, json={"timezone": "Asia/Tokyo"})
    assert changed.status_code == 200, changed.text
    stage.writes("Quanto custa o plano básico?")
    stage.drain()
    (chat,) = [r["body"] for r in stage.sandbox.requests if r["endpoint"] == "chat/completions"]
    system = chat["messages"][0]["content"]
    assert "(Asia/Tokyo)." in system  # the zone a customer's "tomorrow at 3 pm" is read in, as the tools say


class _NulChat:
    """The platform's model, its answers ending in a NUL character (a model may send one)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.model = inner.model

    def chat(self, request: ChatRequest) -> ChatResult:
        result: ChatResult = self._inner.chat(request)
        return result.model_copy(update={"content": f"{result.content}\x00"}) if result.content else result


def test_a_nul_character_in_the_models_answer_is_dropped(stage: Stage) -> None:
    stage.container.llm = _NulChat(stage.container.llm)  # type: ignore[misc]
    stage.writes("Quanto custa o plano básico?")
    stage.drain()
    assert stage.texts() == [PRICE]
    (reply,) = stage.decisions("reply")
    assert reply.detail["text"] == PRICE


def test_a_part_job_delivered_twice_at_once_is_claimed_once(stage: Stage) -> None:
    stage.writes("Quanto custa o plano básico?")
    stage.events.deliver(stage.owner)
    stage.clock.advance(9)
    (job,) = _burst_jobs(stage)
    run_job(job)
    (part,) = stage.parts()
    stage.clock.at = part.send_at
    part_job = PartJob(company_id=stage.company, part_id=part.id)
    with ThreadPoolExecutor(2) as pool:
        with stage.container.database.tenant(stage.company) as holder:
            # the conversation held: both deliveries find the part planned and wait at its claim
            holder.execute(text("SELECT id FROM conversations WHERE id = :id FOR UPDATE"), {"id": part.conversation_id})
            sends = [pool.submit(send_part, stage.container, part_job) for _ in range(2)]
            eventually(lambda: holder.execute(text(WAITING)).scalar_one() >= 2)
        outcomes = sorted(s.result() for s in sends)
    # THEN one request went; the other delivery found the part claimed and left it alone
    assert outcomes.count("sent") == 1 and "unknown" not in outcomes
    assert stage.texts() == [PRICE]
    assert [p.state for p in stage.parts()] == ["sent"]
    (replied,) = stage.events.of(stage.owner, "ai.replied")
    assert replied["message_ids"] == [str(part.message_id)]


def test_a_saved_key_that_no_longer_opens_means_no_answer_and_one_notification(stage: Stage) -> None:
    with stage.container.database.tenant(stage.company) as session:  # as if sealed under another key
        session.add(AiSettings(company_id=stage.company, base_url="https://ia.loja.com.br/v1", api_key=b"\x01" * 64))
    stage.writes("Quanto custa o plano básico?")
    stage.drain()
    stage.writes("Alô?")
    stage.drain()
    assert stage.texts() == [] and not stage.sandbox.requests
    assert [d.detail["reason"] for d in stage.decisions("skipped")] == ["model_unconfigured", "model_unconfigured"]
    notes = stage.client.get("/v1/notifications", headers=stage.owner.headers).json()["items"]
    (note,) = [n for n in notes if n["kind"] == "ai.model_error"]  # once, for the two replies that could not go
    assert note["data"]["category"] == "auth" and note["data"]["host"] == "ia.loja.com.br"
    assert "can no longer be read" in note["body"]
