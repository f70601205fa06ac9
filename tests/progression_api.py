"""Helpers for the AI's lead progression: a persona, and a pending stage suggestion made as the responder makes one."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from fastapi.testclient import TestClient
from sqlalchemy import select

from masteria import bootstrap
from masteria.ai.models import Persona, PersonaVersion
from masteria.ai.progression import apply_progression_calls
from masteria.ai.shapes import ToolCall
from masteria.bootstrap import Container
from masteria.conversations.models import Conversation, Message
from tests.api import Account, customer_writes, make_connection
from tests.meta import FakeMeta
from tests.pipelines_api import make_lead, pipeline_of


def make_persona(
    container: Container, account: Account, *, tools: Sequence[str] = ("propose_stage", "update_lead"),
    name: str | None = None,
) -> PersonaVersion:  # fmt: skip
    """An active persona (version 1) of ``account``'s company, written as rows (the personas' API is not needed)."""
    company_id = uuid.UUID(account.company_id)
    name = name or f"Ana {uuid.uuid4().hex[:6]}"
    with container.database.tenant(company_id) as session:
        persona = Persona(company_id=company_id, name=name, is_active=True)
        session.add(persona)
        session.flush()
        version = PersonaVersion(
            company_id=company_id, persona_id=persona.id, version=1, name=name, language="pt-BR", tools=list(tools)
        )
        session.add(version)
        session.flush()
        session.refresh(version)
    return version


def make_suggestion(client: TestClient, account: Account, meta: FakeMeta) -> tuple[str, str]:
    """(lead id, suggestion id): a customer names a time on a new number, their lead gets a pending suggestion of
    the second stage."""
    container = bootstrap.container()
    connection = make_connection(client, account, meta, phone_number_id=f"8{uuid.uuid4().int % 10**12:012d}")
    wa_id = f"55119{uuid.uuid4().int % 10**8:08d}"
    customer_writes(container, account, connection, "Pode ser amanhã às 10h", wa_id=wa_id)
    company_id = uuid.UUID(account.company_id)
    with container.database.tenant(company_id) as session:
        conversation = session.scalars(
            select(Conversation).where(Conversation.connection_id == uuid.UUID(connection["id"]))
        ).one()
        contact_id, conversation_id = conversation.contact_id, conversation.id
    pipeline = pipeline_of(client, account)
    lead = make_lead(client, account, pipeline, contact_id=str(contact_id), conversation_id=str(conversation_id))
    version = make_persona(container, account)
    with container.database.tenant(company_id) as session:
        conversation = session.get_one(Conversation, conversation_id)
        burst = list(session.scalars(select(Message.id).where(Message.conversation_id == conversation_id)))
        (result,) = apply_progression_calls(
            session, container=container, conversation=conversation, persona_version=version, model="gpt-4o-mini",
            tool_calls=[
                ToolCall(id="call_1", name="propose_stage", arguments={
                    "stage_id": pipeline["stages"][1]["id"], "confidence": 0.5, "evidence": "amanhã às 10h",
                })
            ],
            message_ids=burst,
        )  # fmt: skip
    assert result.outcome == "pending" and result.proposal_id is not None
    return lead["id"], str(result.proposal_id)
