"""AI lead progression on a real PostgreSQL: the AI's stage proposals move the lead (at or above the pipeline's
threshold, by the AI, with the quote in the reason) or wait as a suggestion that a user accepts or rejects; won and
lost stages are never reached alone unless the pipeline allows it; a move back needs the higher threshold; evidence
that is not the customer's words moves nothing; a meeting stage with the agreed time makes the appointment; the AI
updates the lead's fields; every decision is an append-only record the lead's timeline shows; other companies'
leads and suggestions are 404."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from functions import manifest
from functions.local.events import EventRouter
from functions.local.sandbox.ai import AiSandbox
from functions.local.sandbox.ai import router as sandbox_router
from masteria.adapters.memory.realtime import RecordingRealtime
from masteria.ai.models import AiDecision, PersonaVersion
from masteria.ai.openai_adapter import OpenAiChat
from masteria.ai.progression import ProgressionResult, apply_progression_calls, quotes, tool_definitions
from masteria.ai.progression_models import StageProposal
from masteria.ai.shapes import ChatRequest, SystemMessage, ToolCall, UserMessage
from masteria.bootstrap import Container
from masteria.conversations.models import Conversation, Message
from masteria.events import OutboxEvent
from tests.api import Account, customer_writes, invite, make_connection, sign_up
from tests.integration.test_realtime import _listen
from tests.meta import FakeMeta
from tests.pipelines_api import make_lead, move, pipeline_of, stage_named
from tests.progression_api import make_persona

MODEL = "gpt-4o-mini-2024-07-18"
NEW, QUALIFIED, MEETING, PROPOSAL, NEGOTIATION, WON = (
    "Novo", "Qualificado", "Reunião agendada", "Proposta enviada", "Negociação", "Ganho",
)  # fmt: skip
SAID = "Gostei muito do plano anual, amanhã às 15h fica ótimo para a reunião."


class FakeClock:
    def __init__(self) -> None:
        self.at = datetime.now(UTC).replace(microsecond=0)

    def now(self) -> datetime:
        return self.at


@pytest.fixture
def clock(container: Container) -> FakeClock:
    fake = FakeClock()
    container.clock = fake
    return fake


@dataclass
class World:
    owner: Account
    connection: dict[str, Any]
    conversation_id: uuid.UUID
    pipeline: dict[str, Any]
    lead: dict[str, Any]
    persona: PersonaVersion
    burst: list[uuid.UUID]

    def stage(self, name: str) -> str:
        return stage_named(self.pipeline, name)


def _writes(container: Container, world_owner: Account, connection: dict[str, Any], *texts: str) -> list[uuid.UUID]:
    """The customer's messages (through the inbound processor): their ids, in order."""
    for said in texts:
        customer_writes(container, world_owner, connection, said)
    with container.database.tenant(uuid.UUID(world_owner.company_id)) as session:
        rows = session.execute(select(Message.id, Message.text).where(Message.direction == "in")).all()
    by_text = {row.text: row.id for row in rows}
    return [by_text[said] for said in texts]


@pytest.fixture
def world(client: TestClient, container: Container, meta: FakeMeta, clock: FakeClock) -> World:
    owner = sign_up(client)
    connection = make_connection(client, owner, meta)
    burst = _writes(container, owner, connection, "Oi, tudo bem?", SAID)
    with container.database.tenant(uuid.UUID(owner.company_id)) as session:
        conversation = session.scalars(select(Conversation)).one()
    pipeline = pipeline_of(client, owner)
    lead = make_lead(
        client, owner, pipeline, contact_id=str(conversation.contact_id), conversation_id=str(conversation.id),
        title="Plano anual",
    )  # fmt: skip
    return World(owner, connection, conversation.id, pipeline, lead, make_persona(container, owner, name="Ana"), burst)


def _apply(
    container: Container, world: World, *calls: tuple[str, dict[str, Any]], burst: Sequence[uuid.UUID] | None = None,
    persona: PersonaVersion | None = None,
) -> list[ProgressionResult]:  # fmt: skip
    with container.database.tenant(uuid.UUID(world.owner.company_id)) as session:
        conversation = session.get_one(Conversation, world.conversation_id)
        return apply_progression_calls(
            session, container=container, conversation=conversation, persona_version=persona or world.persona,
            model=MODEL, tool_calls=[ToolCall(id=f"call_{i}", name=n, arguments=a) for i, (n, a) in enumerate(calls)],
            message_ids=list(world.burst if burst is None else burst), decision_inputs={"chunk_ids": [7, 9]},
        )  # fmt: skip


def _propose(stage_id: str, confidence: float, evidence: str = SAID, **more: Any) -> tuple[str, dict[str, Any]]:
    return "propose_stage", {"stage_id": stage_id, "confidence": confidence, "evidence": evidence, **more}


def _lead(client: TestClient, world: World, account: Account | None = None) -> dict[str, Any]:
    found = client.get(f"/v1/leads/{world.lead['id']}", headers=(account or world.owner).headers)
    assert found.status_code == 200, found.text
    lead: dict[str, Any] = found.json()
    return lead


def _events(container: Container, account: Account, event_type: str) -> list[dict[str, Any]]:
    with container.database.tenant(uuid.UUID(account.company_id)) as session:
        return list(
            session.scalars(select(OutboxEvent.data).where(OutboxEvent.type == event_type).order_by(OutboxEvent.id))
        )


def _decisions(container: Container, account: Account) -> list[AiDecision]:
    with container.database.tenant(uuid.UUID(account.company_id)) as session:
        return list(session.scalars(select(AiDecision).order_by(AiDecision.id)))


def _proposals(container: Container, account: Account) -> list[StageProposal]:
    with container.database.tenant(uuid.UUID(account.company_id)) as session:
        return list(session.scalars(select(StageProposal).order_by(StageProposal.created_at, StageProposal.id)))


def _card(client: TestClient, world: World, account: Account | None = None) -> dict[str, Any]:
    board = client.get(f"/v1/pipelines/{world.pipeline['id']}/board", headers=(account or world.owner).headers)
    assert board.status_code == 200, board.text
    card: dict[str, Any] = next(
        lead for column in board.json()["columns"] for lead in column["leads"] if lead["id"] == world.lead["id"]
    )
    return card


def _route_events(container: Container) -> None:
    router = EventRouter(container.queue, manifest.FUNCTIONS, stop=threading.Event())
    while router.run_once():
        pass


def _set_pipeline(client: TestClient, world: World, **fields: Any) -> dict[str, Any]:
    patched = client.patch(f"/v1/pipelines/{world.pipeline['id']}", headers=world.owner.headers, json=fields)
    assert patched.status_code == 200, patched.text
    body: dict[str, Any] = patched.json()
    return body


def test_a_proposal_at_the_threshold_moves_the_lead_by_the_ai_with_its_quote(
    client: TestClient, container: Container, world: World
) -> None:
    # GIVEN the default thresholds (0.8 forward)
    assert (world.pipeline["ai_auto_apply_threshold"], world.pipeline["ai_may_close"]) == (0.8, False)
    # WHEN the AI proposes the next stage at exactly 0.8, quoting part of what the customer said (case, accents
    # and punctuation aside)
    quote = "gostei muito do plano ANUAL amanha as 15h"
    (result,) = _apply(container, world, _propose(world.stage(QUALIFIED), 0.8, quote))
    # THEN the lead moved, by the AI
    assert result.outcome == "applied" and result.decision_id is not None and result.proposal_id is not None
    lead = _lead(client, world)
    assert lead["stage_id"] == world.stage(QUALIFIED) and lead["suggestion"] is None
    change = client.get(f"/v1/leads/{lead['id']}/history", headers=world.owner.headers).json()[-1]
    assert (change["actor_kind"], change["actor_id"]) == ("ai", str(world.persona.persona_id))
    assert change["reason"] == f'AI Ana v1 ({MODEL}), confidence 0.80: "{quote}"'
    # one stage_move decision with its inputs' ids, and the proposal marked applied
    (decision,) = _decisions(container, world.owner)
    assert (decision.kind, decision.persona_id, decision.persona_version, decision.model) == (
        "stage_move", world.persona.persona_id, 1, MODEL,
    )  # fmt: skip
    assert decision.inputs == {
        "chunk_ids": [7, 9], "message_ids": [str(m) for m in world.burst], "tool_call_id": "call_0",
        "lead_id": lead["id"], "proposal_id": str(result.proposal_id),
    }  # fmt: skip
    assert decision.detail["outcome"] == "applied" and decision.detail["evidence"] == quote
    (proposal,) = _proposals(container, world.owner)
    assert (proposal.status, proposal.decision_id, proposal.from_stage_id) == (
        "applied", decision.id, uuid.UUID(world.stage(NEW)),
    )  # fmt: skip
    # the events: ai.stage_proposed (applied) and the AI's lead.stage_changed
    (proposed,) = _events(container, world.owner, "ai.stage_proposed")
    assert (proposed["status"], proposed["to_stage_id"], proposed["confidence"], proposed["evidence"]) == (
        "applied", world.stage(QUALIFIED), 0.8, quote,
    )  # fmt: skip
    assert proposed["persona_version"] == 1 and proposed["model"] == MODEL and proposed["decision_id"] == decision.id
    assert _events(container, world.owner, "lead.stage_changed")[-1]["actor_kind"] == "ai"
    # the lead's timeline shows the decision with the persona, version, model, confidence and quote
    entries = client.get(f"/v1/leads/{lead['id']}/timeline", headers=world.owner.headers).json()["entries"]
    (entry,) = [e for e in entries if e["kind"] == "ai_decision"]
    shown = entry["ai_decision"]
    assert (shown["kind"], shown["persona_name"], shown["persona_version"], shown["model"]) == (
        "stage_move", "Ana", 1, MODEL,
    )  # fmt: skip
    assert (shown["confidence"], shown["evidence"], shown["outcome"], shown["to_stage_id"]) == (
        0.8, quote, "applied", world.stage(QUALIFIED),
    )  # fmt: skip


def test_below_the_threshold_it_waits_as_a_suggestion_that_a_user_accepts(
    client: TestClient, container: Container, world: World
) -> None:
    poster = RecordingRealtime()
    container.realtime = poster
    agent = invite(client, world.owner)
    socket = _listen(agent, f"pipeline:{world.pipeline['id']}")
    # WHEN the AI proposes at 0.79
    (result,) = _apply(container, world, _propose(world.stage(PROPOSAL), 0.79))
    # THEN nothing moved: a pending suggestion on the card, on the pipeline's list, an event and a frame
    assert result.outcome == "pending"
    card = _card(client, world, agent)
    assert card["stage_id"] == world.stage(NEW)
    assert card["suggestion"] == {
        "id": str(result.proposal_id), "to_stage_id": world.stage(PROPOSAL), "confidence": 0.79, "evidence": SAID,
        "agreed_time": None,
    }  # fmt: skip
    listed = client.get(f"/v1/pipelines/{world.pipeline['id']}/suggestions", headers=agent.headers).json()
    assert [s["id"] for s in listed["items"]] == [str(result.proposal_id)] and listed["next_cursor"] is None
    (decision,) = _decisions(container, world.owner)
    assert (decision.kind, decision.detail["outcome"], decision.detail["held"]) == (
        "stage_proposal", "pending", "below_threshold",
    )  # fmt: skip
    (event,) = _events(container, world.owner, "ai.stage_proposed")
    assert (event["status"], event["proposal_id"], event["stage_id"]) == (
        "pending", str(result.proposal_id), world.stage(NEW),
    )  # fmt: skip
    _route_events(container)
    (frame,) = [f for f in poster.frames(socket) if f["type"] == "ai.stage_proposed"]
    assert frame["data"]["proposal_id"] == str(result.proposal_id) and frame["data"]["evidence"] == SAID
    # WHEN an agent accepts it
    accepted = client.post(
        f"/v1/leads/{world.lead['id']}/suggestions/{result.proposal_id}/accept", headers=agent.headers, json={}
    )
    assert accepted.status_code == 200, accepted.text
    # THEN the lead moved as the agent, the reason naming the AI's suggestion and quote
    body = accepted.json()
    assert body["lead"]["stage_id"] == world.stage(PROPOSAL) and body["lead"]["suggestion"] is None
    assert (body["suggestion"]["status"], body["suggestion"]["decided_by"]) == ("accepted", agent.user_id)
    change = client.get(f"/v1/leads/{world.lead['id']}/history", headers=agent.headers).json()[-1]
    assert (change["actor_kind"], change["actor_id"]) == ("user", agent.user_id)
    assert change["reason"] == f'AI suggestion accepted. AI Ana v1 ({MODEL}), confidence 0.79: "{SAID}"'
    assert _card(client, world)["suggestion"] is None
    # and it cannot be accepted (or rejected) again
    again = client.post(
        f"/v1/leads/{world.lead['id']}/suggestions/{result.proposal_id}/accept", headers=agent.headers, json={}
    )
    assert again.status_code == 409 and again.json()["code"] == "suggestion_not_pending"
    assert again.json()["current_state"] == "accepted"
    rejected = client.post(
        f"/v1/leads/{world.lead['id']}/suggestions/{result.proposal_id}/reject", headers=agent.headers, json={}
    )
    assert rejected.status_code == 409


def test_a_user_rejects_a_suggestion_with_a_reason_and_the_lead_stays(
    client: TestClient, container: Container, world: World
) -> None:
    (result,) = _apply(container, world, _propose(world.stage(PROPOSAL), 0.5))
    rejected = client.post(
        f"/v1/leads/{world.lead['id']}/suggestions/{result.proposal_id}/reject", headers=world.owner.headers,
        json={"reason": "ainda não falamos de preço"},
    )  # fmt: skip
    assert rejected.status_code == 200, rejected.text
    body = rejected.json()
    assert (body["suggestion"]["status"], body["suggestion"]["decision_reason"]) == (
        "rejected", "ainda não falamos de preço",
    )  # fmt: skip
    assert body["lead"]["stage_id"] == world.stage(NEW) and body["lead"]["suggestion"] is None
    assert _card(client, world)["suggestion"] is None
    assert _events(container, world.owner, "lead.updated")[-1]["changed"] == ["suggestion"]
    history = client.get(f"/v1/leads/{world.lead['id']}/suggestions", headers=world.owner.headers).json()
    assert [(s["id"], s["status"]) for s in history] == [(str(result.proposal_id), "rejected")]
    # a body with unknown fields is refused
    (other,) = _apply(container, world, _propose(world.stage(PROPOSAL), 0.5))
    refused = client.post(
        f"/v1/leads/{world.lead['id']}/suggestions/{other.proposal_id}/reject", headers=world.owner.headers,
        json={"because": "x"},
    )  # fmt: skip
    assert refused.status_code == 422


def test_won_and_lost_are_never_reached_alone_unless_the_pipeline_allows_it(
    client: TestClient, container: Container, world: World
) -> None:
    # WHEN the AI is sure the customer bought, on a pipeline that does not let it close leads
    (held,) = _apply(container, world, _propose(world.stage(WON), 1.0))
    # THEN it is a suggestion only
    assert held.outcome == "pending"
    assert _lead(client, world)["status"] == "open"
    assert _decisions(container, world.owner)[-1].detail["held"] == "closing_not_allowed"
    # WHEN the pipeline lets the AI close leads and it proposes again
    assert _set_pipeline(client, world, ai_may_close=True)["ai_may_close"] is True
    (applied,) = _apply(container, world, _propose(world.stage(WON), 0.9))
    # THEN the lead is won, its close reason the AI's quote; the older suggestion was superseded
    assert applied.outcome == "applied"
    lead = _lead(client, world)
    assert (lead["status"], lead["stage_id"]) == ("won", world.stage(WON))
    assert lead["close_reason"] is not None and SAID in lead["close_reason"]
    assert [(p.id, p.status) for p in _proposals(container, world.owner)] == [
        (held.proposal_id, "superseded"), (applied.proposal_id, "applied"),
    ]  # fmt: skip
    assert len(_events(container, world.owner, "lead.won")) == 1
    # and with the lead closed, further calls are refused as decisions, not errors
    (after,) = _apply(container, world, _propose(world.stage(NEW), 1.0))
    assert after.outcome == "invalid" and _decisions(container, world.owner)[-1].detail["code"] == "no_open_lead"


def test_a_move_back_needs_the_higher_threshold(client: TestClient, container: Container, world: World) -> None:
    moved = move(client, world.owner, world.lead, world.stage(PROPOSAL))
    assert moved.status_code == 200, moved.text
    # WHEN the AI proposes an earlier stage at 0.9 (above 0.8, below the backward 0.95)
    (held,) = _apply(container, world, _propose(world.stage(QUALIFIED), 0.9))
    assert held.outcome == "pending"
    assert _decisions(container, world.owner)[-1].detail["held"] == "backward_below_threshold"
    assert _lead(client, world)["stage_id"] == world.stage(PROPOSAL)
    # WHEN at 0.95 THEN it moves back, and the waiting suggestion is superseded
    (applied,) = _apply(container, world, _propose(world.stage(QUALIFIED), 0.95))
    assert applied.outcome == "applied" and _lead(client, world)["stage_id"] == world.stage(QUALIFIED)
    assert [p.status for p in _proposals(container, world.owner)] == ["superseded", "applied"]
    # WHEN the pipeline asks more THEN the same confidence only suggests
    _set_pipeline(client, world, ai_auto_apply_threshold=0.97, ai_backward_threshold=0.99)
    (forward,) = _apply(container, world, _propose(world.stage(PROPOSAL), 0.96))
    assert forward.outcome == "pending"


def test_evidence_that_is_not_the_customers_words_moves_nothing(
    client: TestClient, container: Container, world: World
) -> None:
    older = _writes(container, world.owner, world.connection, "Quero fechar o contrato hoje mesmo")
    calls = [
        _propose(world.stage(QUALIFIED), 0.99, "Quero fechar o contrato hoje"),  # said, but not in this burst
        _propose(world.stage(QUALIFIED), 0.99, "o cliente parece interessado"),  # the model's own words
        _propose(world.stage(QUALIFIED), 0.99, "stei mui"),  # words cut (quotes are whole words)
        _propose(world.stage(QUALIFIED), 0.99, "..."),  # nothing
        _propose(world.stage(QUALIFIED), 1.5),  # out of range
        _propose("not-a-stage", 0.9),
        _propose(str(uuid.uuid4()), 0.9),  # no stage of the pipeline
        _propose(world.stage(NEW), 0.9),  # the lead's own stage
        _propose(world.stage(MEETING), 0.9, agreed_time=(datetime.now(UTC) - timedelta(hours=1)).isoformat()),
        ("propose_stage", {"stage_id": world.stage(QUALIFIED), "evidence": SAID}),  # no confidence
        ("propose_stage", {"stage_id": world.stage(QUALIFIED), "confidence": 0.9, "evidence": "Gostei\x00"}),
    ]
    results = _apply(container, world, *calls)
    assert [r.outcome for r in results] == ["invalid"] * len(calls)
    codes = [d.detail["code"] for d in _decisions(container, world.owner)]
    assert codes == [
        "evidence_not_quoted", "evidence_not_quoted", "evidence_not_quoted", "evidence_not_quoted",
        "invalid_arguments", "invalid_arguments", "unknown_stage", "same_stage", "agreed_time_past",
        "invalid_arguments", "invalid_arguments",
    ]  # fmt: skip
    assert all(
        d.kind == "stage_proposal" and d.detail["outcome"] == "invalid" for d in _decisions(container, world.owner)
    )
    first = _decisions(container, world.owner)[0]
    assert first.detail["errors"][0]["field"] == "evidence" and first.detail["arguments"]["confidence"] == 0.99
    # nothing moved, nothing suggested, nothing announced
    assert _lead(client, world)["version"] == world.lead["version"]
    assert _proposals(container, world.owner) == [] and _events(container, world.owner, "ai.stage_proposed") == []
    # a quote is of whole words, in their order; an ellipsis leaves words out
    assert quotes("Gostei muito", [SAID]) and not quotes("muito gostei", [SAID])
    assert quotes("Gostei muito do plano anual … fica ótimo", [SAID])
    # the older message quoted with its own id is the customer's words
    (ok,) = _apply(container, world, _propose(world.stage(QUALIFIED), 0.5, "Quero fechar o contrato"), burst=older)
    assert ok.outcome == "pending"


def test_calls_of_tools_the_persona_may_not_use_are_refused_as_decisions(
    client: TestClient, container: Container, world: World
) -> None:
    only_handoff = make_persona(container, world.owner, tools=("handoff",))
    results = _apply(
        container, world, _propose(world.stage(QUALIFIED), 0.99), ("update_lead", {"value": 10}),
        ("handoff", {"reason": "not ours"}), persona=only_handoff,
    )  # fmt: skip
    assert [(r.name, r.outcome) for r in results] == [("propose_stage", "invalid"), ("update_lead", "invalid")]
    assert {d.detail["code"] for d in _decisions(container, world.owner)} == {"tool_not_allowed"}
    assert _lead(client, world)["version"] == world.lead["version"]


def test_a_meeting_stage_with_the_agreed_time_makes_the_appointment(
    client: TestClient, container: Container, world: World, clock: FakeClock
) -> None:
    agreed = (clock.now() + timedelta(days=1)).replace(hour=18, minute=0, second=0)  # 15h in São Paulo
    local = agreed.astimezone(UTC).replace(tzinfo=None) - timedelta(hours=3)  # as the model may send it, naive
    # WHEN the AI proposes the meeting stage with the agreed time, naive (read in the company's timezone)
    (result,) = _apply(container, world, _propose(world.stage(MEETING), 0.9, agreed_time=local.isoformat()))
    assert result.outcome == "applied"
    lead = _lead(client, world)
    assert lead["stage_id"] == world.stage(MEETING)
    # THEN the appointment is at that time, for the lead's owner (none: nobody), made by no user
    (appointment,) = client.get(f"/v1/leads/{lead['id']}/appointments", headers=world.owner.headers).json()
    assert datetime.fromisoformat(appointment["starts_at"]) == agreed
    assert datetime.fromisoformat(appointment["ends_at"]) == agreed + timedelta(minutes=30)
    assert (appointment["title"], appointment["timezone"]) == ("Reunião: Plano anual", "America/Sao_Paulo")
    assert (appointment["attendee_id"], appointment["created_by"]) == (None, None)
    # its meeting.scheduled event and the new_appointment notification follow, once
    (event,) = _events(container, world.owner, "meeting.scheduled")
    assert (event["appointment_id"], event["stage_id"]) == (appointment["id"], world.stage(MEETING))
    notices = client.get("/v1/notifications", headers=world.owner.headers).json()["items"]
    assert [n["data"]["appointment_id"] for n in notices if n["kind"] == "new_appointment"] == [appointment["id"]]
    (proposed,) = _events(container, world.owner, "ai.stage_proposed")
    assert datetime.fromisoformat(proposed["agreed_time"]) == agreed


def test_a_meeting_stage_without_a_time_waits_and_accepting_it_uses_the_agreed_time_when_there_is_one(
    client: TestClient, container: Container, world: World, clock: FakeClock
) -> None:
    owner_id = world.owner.user_id
    client.patch(f"/v1/leads/{world.lead['id']}", headers=world.owner.headers, json={"owner_id": owner_id})
    # WHEN sure of the meeting but with no time THEN it waits (nothing to make the appointment from)
    (held,) = _apply(container, world, _propose(world.stage(MEETING), 0.99))
    assert held.outcome == "pending"
    assert _decisions(container, world.owner)[-1].detail["held"] == "meeting_without_time"
    # and accepting it needs an appointment
    path = f"/v1/leads/{world.lead['id']}/suggestions/{held.proposal_id}/accept"
    refused = client.post(path, headers=world.owner.headers, json={})
    assert refused.status_code == 422 and refused.json()["errors"][0]["code"] == "appointment_required"
    assert _card(client, world)["suggestion"]["id"] == str(held.proposal_id)  # still pending
    # WHEN below the threshold but with a time, and a user accepts it
    agreed = clock.now() + timedelta(days=2)
    (timed,) = _apply(container, world, _propose(world.stage(MEETING), 0.6, agreed_time=agreed.isoformat()))
    assert timed.outcome == "pending" and _card(client, world)["suggestion"]["agreed_time"] is not None
    accepted = client.post(
        f"/v1/leads/{world.lead['id']}/suggestions/{timed.proposal_id}/accept", headers=world.owner.headers, json={}
    )
    assert accepted.status_code == 200, accepted.text
    (appointment,) = client.get(f"/v1/leads/{world.lead['id']}/appointments", headers=world.owner.headers).json()
    assert datetime.fromisoformat(appointment["starts_at"]) == agreed
    assert (appointment["attendee_id"], appointment["created_by"]) == (owner_id, owner_id)
    assert len(_events(container, world.owner, "meeting.scheduled")) == 1


def test_update_lead_records_the_customers_facts_on_the_lead(
    client: TestClient, container: Container, world: World
) -> None:
    fields = {"value": 1500.5, "next_step": "enviar proposta", "custom_fields": {"plano": "anual", "assentos": 50}}
    # WHEN the AI updates the lead (an owner it names is ignored: it gives leads to no one)
    (result,) = _apply(
        container, world, ("update_lead", {**fields, "owner_id": world.owner.user_id, "evidence": "plano anual"})
    )
    assert result.outcome == "updated"
    lead = _lead(client, world)
    assert (lead["value"], lead["next_step"], lead["custom_fields"]) == (
        "1500.50", "enviar proposta", {"plano": "anual", "assentos": 50},
    )  # fmt: skip
    assert lead["owner_id"] is None and lead["version"] == world.lead["version"] + 1
    assert set(_events(container, world.owner, "lead.updated")[-1]["changed"]) == {
        "value", "next_step", "custom_fields",
    }  # fmt: skip
    (decision,) = _decisions(container, world.owner)
    assert (decision.kind, decision.detail["outcome"], decision.detail["evidence"]) == (
        "lead_update", "updated", "plano anual",
    )  # fmt: skip
    # the same again changes nothing; bad values and invented evidence change nothing either
    results = _apply(
        container, world, ("update_lead", fields), ("update_lead", {"value": -5}), ("update_lead", {}),
        ("update_lead", {"next_step": "ligar", "evidence": "quero desconto"}),
    )  # fmt: skip
    assert [r.outcome for r in results] == ["unchanged", "invalid", "invalid", "invalid"]
    assert _lead(client, world)["version"] == lead["version"]
    entries = client.get(f"/v1/leads/{lead['id']}/timeline", headers=world.owner.headers).json()["entries"]
    assert [e["ai_decision"]["outcome"] for e in entries if e["kind"] == "ai_decision"] == [
        "invalid", "invalid", "invalid", "unchanged", "updated",
    ]  # fmt: skip


def test_a_newer_proposal_supersedes_the_pending_one(client: TestClient, container: Container, world: World) -> None:
    (first,) = _apply(container, world, _propose(world.stage(PROPOSAL), 0.5))
    (second,) = _apply(container, world, _propose(world.stage(QUALIFIED), 0.6))
    assert [(p.id, p.status) for p in _proposals(container, world.owner)] == [
        (first.proposal_id, "superseded"), (second.proposal_id, "pending"),
    ]  # fmt: skip
    assert _card(client, world)["suggestion"]["id"] == str(second.proposal_id)
    stale = client.post(
        f"/v1/leads/{world.lead['id']}/suggestions/{first.proposal_id}/accept", headers=world.owner.headers, json={}
    )
    assert stale.status_code == 409 and stale.json()["current_state"] == "superseded"
    # a second pending row for one lead is impossible
    with pytest.raises(DBAPIError), container.database.tenant(uuid.UUID(world.owner.company_id)) as session:
        session.execute(
            text("UPDATE ai_stage_proposals SET status = 'pending' WHERE id = :id"), {"id": first.proposal_id}
        )


def test_two_bursts_proposing_at_once_leave_one_pending_suggestion(container: Container, world: World) -> None:
    start = threading.Barrier(2)
    outcomes: list[str] = []
    failures: list[BaseException] = []

    def propose(confidence: float) -> None:
        try:
            start.wait(timeout=10)
            (result,) = _apply(container, world, _propose(world.stage(PROPOSAL), confidence))
            outcomes.append(result.outcome)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=propose, args=(c,)) for c in (0.5, 0.6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == [] and outcomes == ["pending", "pending"]
    assert sorted(p.status for p in _proposals(container, world.owner)) == ["pending", "superseded"]


def test_a_suggestion_made_before_the_lead_moved_is_stale(
    client: TestClient, container: Container, world: World
) -> None:
    (result,) = _apply(container, world, _propose(world.stage(PROPOSAL), 0.5))
    assert move(client, world.owner, world.lead, world.stage(QUALIFIED)).status_code == 200
    # THEN the board no longer shows it, nor the pipeline's list, and accepting it is a 409
    assert _card(client, world)["suggestion"] is None
    listed = client.get(f"/v1/pipelines/{world.pipeline['id']}/suggestions", headers=world.owner.headers).json()
    assert listed["items"] == []
    path = f"/v1/leads/{world.lead['id']}/suggestions/{result.proposal_id}"
    stale = client.post(f"{path}/accept", headers=world.owner.headers, json={})
    assert stale.status_code == 409 and stale.json()["code"] == "suggestion_stale"
    # rejecting it clears it
    assert client.post(f"{path}/reject", headers=world.owner.headers, json={}).status_code == 200
    # a stale one still pending when the AI proposes again becomes invalid (a current one: superseded)
    (second,) = _apply(container, world, _propose(world.stage(PROPOSAL), 0.5))
    assert move(client, world.owner, _lead(client, world), world.stage(NEGOTIATION)).status_code == 200
    (third,) = _apply(container, world, _propose(world.stage(PROPOSAL), 0.5))
    (fourth,) = _apply(container, world, _propose(world.stage(QUALIFIED), 0.5))
    statuses = {p.id: (p.status, p.decision_reason) for p in _proposals(container, world.owner)}
    assert statuses[second.proposal_id] == ("invalid", "the lead left the stage it was proposed from")
    assert statuses[third.proposal_id] == ("superseded", None)
    assert statuses[fourth.proposal_id] == ("pending", None)


def test_another_companys_leads_and_suggestions_are_not_found(
    client: TestClient, container: Container, world: World
) -> None:
    (result,) = _apply(container, world, _propose(world.stage(PROPOSAL), 0.5))
    other = sign_up(client)
    base = f"/v1/leads/{world.lead['id']}/suggestions"
    assert client.get(base, headers=other.headers).status_code == 404
    for action in ("accept", "reject"):
        assert client.post(f"{base}/{result.proposal_id}/{action}", headers=other.headers, json={}).status_code == 404
    suggestions = client.get(f"/v1/pipelines/{world.pipeline['id']}/suggestions", headers=other.headers)
    assert suggestions.status_code == 404
    # their own lead with this company's suggestion id: not found either
    their_lead = make_lead(client, other, pipeline_of(client, other))
    stolen = client.post(
        f"/v1/leads/{their_lead['id']}/suggestions/{result.proposal_id}/accept", headers=other.headers, json={}
    )
    assert stolen.status_code == 404
    # an unknown suggestion of one's own lead is not found; an agent who does not see the lead gets 404 too
    assert client.post(f"{base}/{uuid.uuid4()}/accept", headers=world.owner.headers, json={}).status_code == 404
    agent = invite(client, world.owner)
    admin_id = world.owner.user_id
    client.patch(f"/v1/leads/{world.lead['id']}", headers=world.owner.headers, json={"owner_id": admin_id})
    assert client.post(f"{base}/{result.proposal_id}/accept", headers=agent.headers, json={}).status_code == 404
    # the other company's session never sees the rows
    with container.database.tenant(uuid.UUID(other.company_id)) as session:
        assert session.scalars(select(StageProposal)).all() == []
        assert session.scalars(select(AiDecision)).all() == []


def test_ai_decisions_are_append_only(container: Container, world: World) -> None:
    _apply(container, world, _propose(world.stage(PROPOSAL), 0.5))
    company_id = uuid.UUID(world.owner.company_id)
    for statement in ("UPDATE ai_decisions SET kind = 'reply'", "DELETE FROM ai_decisions"):
        with pytest.raises(DBAPIError, match="permission denied"), container.database.tenant(company_id) as session:
            session.execute(text(statement))
    assert [d.kind for d in _decisions(container, world.owner)] == ["stage_proposal"]


def test_the_tools_offered_follow_the_persona_and_the_open_lead(
    client: TestClient, container: Container, world: World
) -> None:
    company_id = uuid.UUID(world.owner.company_id)
    with container.database.tenant(company_id) as session:
        conversation = session.get_one(Conversation, world.conversation_id)
        offered = tool_definitions(session, conversation=conversation, persona_version=world.persona)
        only_handoff = make_persona(container, world.owner, tools=("handoff",))
        assert tool_definitions(session, conversation=conversation, persona_version=only_handoff) == []
    assert [t.name for t in offered] == ["propose_stage", "update_lead"]
    stage = offered[0].parameters["properties"]["stage_id"]
    others = [s["id"] for s in world.pipeline["stages"] if s["name"] != NEW]
    assert stage["enum"] == others  # every active stage but the lead's own
    assert f"`{world.stage(MEETING)}` [meeting_scheduled" in stage["description"]
    # WHEN the lead is closed THEN the conversation has no open lead, and nothing is offered
    closed = client.post(
        f"/v1/leads/{world.lead['id']}/close", headers=world.owner.headers,
        json={"outcome": "lost", "reason": "sem orçamento", "version": world.lead["version"]},
    )  # fmt: skip
    assert closed.status_code == 200, closed.text
    with container.database.tenant(company_id) as session:
        conversation = session.get_one(Conversation, world.conversation_id)
        assert tool_definitions(session, conversation=conversation, persona_version=world.persona) == []


def test_on_the_ai_sandbox_a_customer_naming_a_time_gets_the_meeting_stage_suggested(
    client: TestClient, container: Container, world: World
) -> None:
    sandbox = AiSandbox()
    app = FastAPI()
    app.include_router(sandbox_router(sandbox))
    company_id = uuid.UUID(world.owner.company_id)
    with TestClient(app) as http, container.database.tenant(company_id) as session:
        conversation = session.get_one(Conversation, world.conversation_id)
        tools = tool_definitions(session, conversation=conversation, persona_version=world.persona)
        chat = OpenAiChat(
            base_url="http://testserver/sandbox/openai/v1", api_key="sk-local", model="gpt-4o-mini", max_retries=0,
            http_client=http,  # type: ignore[arg-type]
        )  # fmt: skip
        answer = chat.chat(
            ChatRequest(messages=(SystemMessage(content="Você é Ana."), UserMessage(content=SAID)), tools=tuple(tools))
        )
        assert not sandbox.rejected  # our tools' schemas pass OpenAI's document
        results = apply_progression_calls(
            session, container=container, conversation=conversation, persona_version=world.persona,
            model=answer.model, tool_calls=answer.tool_calls, message_ids=world.burst, decision_inputs={},
        )  # fmt: skip
    # THEN the sandbox's proposal (the meeting stage at 0.9, quoting the customer) waits: no time was agreed
    (result,) = results
    assert result.outcome == "pending"
    suggestion = _card(client, world)["suggestion"]
    assert (suggestion["to_stage_id"], suggestion["confidence"]) == (world.stage(MEETING), 0.9)
    assert quotes(suggestion["evidence"], [SAID])


def test_the_pipelines_thresholds_are_read_and_changed_with_checks(client: TestClient, world: World) -> None:
    url = f"/v1/pipelines/{world.pipeline['id']}"
    assert {k: world.pipeline[k] for k in ("ai_auto_apply_threshold", "ai_backward_threshold", "ai_may_close")} == {
        "ai_auto_apply_threshold": 0.8, "ai_backward_threshold": 0.95, "ai_may_close": False,
    }  # fmt: skip
    for body, field, code in (
        ({"ai_auto_apply_threshold": 1.5}, "ai_auto_apply_threshold", "less_than_equal"),
        ({"ai_backward_threshold": -0.1}, "ai_backward_threshold", "greater_than_equal"),
        ({"ai_auto_apply_threshold": 0.9, "ai_backward_threshold": 0.7}, None, "backward_below_auto_apply"),
        ({"ai_backward_threshold": 0.7}, "ai_backward_threshold", "backward_below_auto_apply"),  # under 0.8 saved
        ({"ai_auto_apply_threshold": 0.97}, "ai_auto_apply_threshold", "backward_below_auto_apply"),  # over 0.95
    ):
        refused = client.patch(url, headers=world.owner.headers, json=body)
        assert refused.status_code == 422, (body, refused.text)
        (error,) = refused.json()["errors"]
        assert error["code"] == code and (field is None or error["field"] == field), (body, error)
    changed = client.patch(
        url, headers=world.owner.headers,
        json={"ai_auto_apply_threshold": 0.7, "ai_backward_threshold": 0.7, "ai_may_close": True},
    )  # fmt: skip
    assert changed.status_code == 200, changed.text
    assert client.get(url, headers=world.owner.headers).json()["ai_backward_threshold"] == 0.7
    agent = invite(client, world.owner)
    assert client.patch(url, headers=agent.headers, json={"ai_may_close": False}).status_code == 403
    created = client.post(
        "/v1/pipelines", headers=world.owner.headers,
        json={"name": "Parcerias", "stages": [{"name": "Novo"}], "ai_auto_apply_threshold": 0.9},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    assert (created.json()["ai_auto_apply_threshold"], created.json()["ai_backward_threshold"]) == (0.9, 0.95)


def test_a_confidence_just_below_the_threshold_is_not_rounded_up_to_it(
    client: TestClient, container: Container, world: World
) -> None:
    (result,) = _apply(container, world, _propose(world.stage(QUALIFIED), 0.7996))
    assert result.outcome == "pending"
    assert _lead(client, world)["stage_id"] == world.stage(NEW)
    (proposal,) = _proposals(container, world.owner)
    assert str(proposal.confidence) == "0.799"


def test_an_agreed_time_beyond_any_real_meeting_is_refused_not_raised(
    client: TestClient, container: Container, world: World, clock: FakeClock
) -> None:
    calls = [
        _propose(world.stage(MEETING), 0.9, agreed_time="9999-12-31T23:59:00Z"),
        _propose(world.stage(MEETING), 0.9, agreed_time="9999-12-31T23:59:00"),  # naive: in São Paulo, year 10000
        _propose(world.stage(MEETING), 0.9, agreed_time=(clock.now() + timedelta(days=800)).isoformat()),
    ]
    results = _apply(container, world, *calls)
    assert [r.outcome for r in results] == ["invalid"] * 3
    assert {d.detail["code"] for d in _decisions(container, world.owner)} == {"agreed_time_too_far"}
    assert _lead(client, world)["stage_id"] == world.stage(NEW) and _proposals(container, world.owner) == []
    # a year ahead is still a meeting
    in_a_year = (clock.now() + timedelta(days=365)).isoformat()
    (later,) = _apply(container, world, _propose(world.stage(MEETING), 0.9, agreed_time=in_a_year))
    assert later.outcome == "applied"
