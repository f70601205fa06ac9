"""Our OpenAI adapters against the AI sandbox: what they send passes OpenAI's published document (the sandbox
refuses anything else with a 400), and what the sandbox answers comes back typed — the pair the local runtime
runs on."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from functions.local.sandbox.ai import AiSandbox, router
from masteria.ai.errors import ModelError
from masteria.ai.openai_adapter import OpenAiChat, OpenAiEmbedder
from masteria.ai.shapes import ChatRequest, FinishReason, SystemMessage, ToolDefinition, UserMessage

BASE = "http://testserver/sandbox/openai/v1"
HANDOFF = ToolDefinition(
    name="handoff",
    description="Hand the conversation to a person",
    parameters={"type": "object", "properties": {"reason": {"type": "string"}}, "required": ["reason"]},
)


@pytest.fixture
def sandbox() -> AiSandbox:
    return AiSandbox()


@pytest.fixture
def client(sandbox: AiSandbox) -> Iterator[TestClient]:
    app = FastAPI()
    app.include_router(router(sandbox))
    with TestClient(app) as http:
        yield http


def test_a_chat_with_context_is_answered_from_it_and_passes_the_spec(sandbox: AiSandbox, client: TestClient) -> None:
    chat = OpenAiChat(base_url=BASE, api_key="sk-local", model="gpt-4o-mini", max_retries=0, http_client=client)
    context = "<context>A entrega leva dois dias úteis. O plano básico custa 49 reais por mês.</context>"
    result = chat.chat(
        ChatRequest(
            messages=(
                SystemMessage(content=f"Responda só com o contexto.\n{context}"),
                UserMessage(content="Quanto custa o plano básico?"),
            ),
            tools=(HANDOFF,),
            temperature=0.2,
            max_output_tokens=200,
        )
    )
    assert result.finish_reason is FinishReason.STOP
    assert result.content is not None and "49 reais" in result.content
    assert result.usage.prompt_tokens > 0 and result.model == "gpt-4o-mini"
    assert not sandbox.rejected  # what the adapter sent is what OpenAI's document allows
    assert sandbox.requests[-1]["body"]["tools"][0]["function"]["name"] == "handoff"


def test_a_request_for_a_person_comes_back_as_a_parsed_tool_call(sandbox: AiSandbox, client: TestClient) -> None:
    chat = OpenAiChat(base_url=BASE, api_key="sk-local", model="gpt-4o-mini", max_retries=0, http_client=client)
    result = chat.chat(ChatRequest(messages=(UserMessage(content="Quero falar com um atendente"),), tools=(HANDOFF,)))
    assert result.finish_reason is FinishReason.TOOL_CALLS
    (call,) = result.tool_calls
    assert call.name == "handoff" and isinstance(call.arguments.get("reason"), str) and call.arguments["reason"]
    assert not sandbox.rejected


def test_embeddings_come_back_normalised_at_the_asked_length(sandbox: AiSandbox, client: TestClient) -> None:
    embedder = OpenAiEmbedder(
        base_url=BASE, api_key="sk-local", model="text-embedding-3-small", dimensions=64, max_retries=0,
        http_client=client,
    )  # fmt: skip
    result = embedder.embed(["Qual o prazo de entrega?", "Quanto custa o plano?"])
    assert result.dimensions == 64 and [len(v) for v in result.vectors] == [64, 64]
    assert all(math.isclose(math.fsum(x * x for x in v), 1.0, rel_tol=1e-5) for v in result.vectors)
    assert sandbox.requests[-1]["body"]["dimensions"] == 64 and not sandbox.rejected


def test_a_refused_key_is_a_typed_auth_error(client: TestClient) -> None:
    client.put("/sandbox/openai/settings", json={"inject": [{"http_status": 401}]})
    chat = OpenAiChat(base_url=BASE, api_key="sk-secret-123", model="gpt-4o-mini", max_retries=0, http_client=client)
    with pytest.raises(ModelError) as caught:
        chat.chat(ChatRequest(messages=(UserMessage(content="Olá"),)))
    assert caught.value.category == "auth"
    assert "sk-secret-123" not in str(caught.value)
