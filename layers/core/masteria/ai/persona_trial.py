"""The persona test ("test this persona" in the dashboard): a question answered as the persona would answer a
customer (retrieval from its knowledge bases, its system prompt, one call to its model) with the passages it was
given, the tools it called and what it cost (recorded as usage of purpose ``test``). Nothing is sent to anyone.

A model failure is the API's 502 (504 for a timeout) with its category, and a notification, written in a
transaction of its own (the request's rolls back with the error).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.ai import endpoints, failures
from masteria.ai.errors import Category, ModelError
from masteria.ai.models import PersonaVersion
from masteria.ai.personas import version_for
from masteria.ai.prompts import build_messages
from masteria.ai.schemas import PersonaTest, PersonaTestResult, Source, ToolCallRead, UsageRead
from masteria.ai.shapes import ChatRequest, ToolDefinition
from masteria.ai.usage_records import company_zone, record_usage
from masteria.crypto import SecretUnreadable
from masteria.errors import UpstreamFailed
from masteria.observability import logger
from masteria.tenancy.service import Principal

if TYPE_CHECKING:
    from masteria.bootstrap import Container

PASSAGES = 5
HANDOFF = ToolDefinition(
    name="handoff",
    description="Hand the conversation over to a person of the company (the customer asked for one, the question "
    "is outside what you may answer, or you cannot help).",
    parameters={
        "type": "object",
        "properties": {"reason": {"type": "string", "description": "why, briefly"}},
        "required": ["reason"],
    },
)


def retrieve_passages(session: Session, *, container: Container, version: PersonaVersion, question: str) -> list[Any]:
    """The ``PASSAGES`` best passages of the version's knowledge bases for ``question`` (none without bases), each
    base searched with its own embedding model, the best of them all by fused score. A base whose model this
    deployment cannot embed with is left out."""
    if not version.knowledge_base_ids:
        return []
    from masteria.knowledge import retrieval
    from masteria.knowledge.models import KnowledgeBase

    rows = session.execute(
        select(KnowledgeBase.embedding_model, KnowledgeBase.id).where(
            KnowledgeBase.id.in_(list(version.knowledge_base_ids))
        )
    ).all()
    by_model: dict[str, list[uuid.UUID]] = {}
    for model, base_id in rows:
        by_model.setdefault(model, []).append(base_id)
    found: list[Any] = []
    for model, ids in by_model.items():
        try:
            embedder = container.embedder_for(model)
        except ValueError:
            logger.warning("a knowledge base's embedding model is not available", extra={"model": model})
            continue
        found += retrieval.retrieve(session, embedder=embedder, knowledge_base_ids=ids, question=question, k=PASSAGES)
    return sorted(found, key=lambda passage: -passage.score)[:PASSAGES]


def _get(item: Any, *names: str) -> Any:
    for name in names:
        value = item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)
        if value is not None:
            return value
    return None


def source_of(passage: Any) -> Source:
    return Source(
        chunk_id=_get(passage, "chunk_id", "id") or "",
        document_id=_get(passage, "document_id"),
        document_title=_get(passage, "document_title", "title"),
        heading=_get(passage, "heading"),
        text=str(_get(passage, "text", "content") or ""),
        score=_get(passage, "score", "similarity"),
    )


def _tools(version: PersonaVersion) -> tuple[ToolDefinition, ...]:
    # the progression tools need a conversation's lead and pipeline: a test has none
    return (HANDOFF,) if "handoff" in version.tools else ()


def _failed(
    container: Container, company_id: uuid.UUID, persona_id: uuid.UUID, error: ModelError, *, host: str, timeout: float
) -> None:
    """The notification of a failed test, committed on its own (the request's transaction rolls back)."""
    try:
        with container.database.tenant(company_id) as session:
            failures.notify_model_error(
                session, company_id=company_id, error=error, host=host, now=container.clock.now(),
                persona_id=persona_id, timeout_seconds=timeout,
            )  # fmt: skip
    except Exception as problem:  # the answer is the model's failure; a failed notification only gets logged
        logger.warning("could not notify a model failure", extra={"error": type(problem).__name__})


def try_persona(
    *, session: Session, container: Container, actor: Principal, persona_id: uuid.UUID, data: PersonaTest
) -> PersonaTestResult:
    """The persona's answer to ``data.question`` (any user of the company may test)."""
    persona, version = version_for(session, persona_id=persona_id, version=data.version)
    try:
        passages = retrieve_passages(session, container=container, version=version, question=data.question)
    except ModelError as error:  # the embeddings of the question: the platform's endpoint
        host = httpx.URL(endpoints.platform_base_url(container)).host
        timeout = container.settings.ai_timeout_seconds
        _failed(container, actor.company_id, persona.id, error, host=host, timeout=timeout)
        raise failures.problem(error, host=host, timeout_seconds=timeout) from None
    now = container.clock.now()
    zone = company_zone(session, actor.company_id).key
    messages = build_messages(version, passages, [("in", data.question)], now=now, timezone=zone)
    try:
        endpoint = endpoints.resolve_endpoint(
            session, container=container, company_id=actor.company_id, persona_version=version
        )
    except SecretUnreadable as error:
        raise UpstreamFailed(
            "the stored API key cannot be read (it was sealed under another key): set the key again in the AI settings",
            code="ai_key_unreadable",
            params={"category": Category.AUTH.value},
        ) from error
    chat = endpoints.chat_for_endpoint(container, endpoint, interactive=True)
    request = ChatRequest(
        messages=tuple(messages),
        tools=_tools(version),
        temperature=float(version.temperature) if version.temperature is not None else None,
    )
    failure: ModelError | None = None
    try:
        result = chat.chat(request)
    except ModelError as error:
        failure = error
    finally:
        chat.close()
    if failure is not None:
        timeout = endpoints.timeout_of(container, endpoint, interactive=True)
        _failed(container, actor.company_id, persona.id, failure, host=endpoint.host, timeout=timeout)
        raise failures.problem(failure, host=endpoint.host, timeout_seconds=timeout)
    usage = record_usage(
        session, company_id=actor.company_id, purpose="test", model=result.model, usage=result.usage,
        persona_id=persona.id, persona_version=version.version,
    )  # fmt: skip
    return PersonaTestResult(
        answer=result.content,
        sources=[source_of(p) for p in passages],
        tool_calls=[ToolCallRead(name=c.name, arguments=c.arguments) for c in result.tool_calls],
        model=result.model,
        persona_version=version.version,
        usage=UsageRead(
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            cost_usd=usage.cost_usd,
            priced=usage.priced,
        ),
    )
