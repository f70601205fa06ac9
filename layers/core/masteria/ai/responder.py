"""The AI responder: a customer's burst answered once, by the conversation's persona, through the one outbound path.

A burst's job (``reply_jobs.BurstJob``), once its debounce has passed:

1. **Claimed** under the conversation's AI state lock: still pending and due at the job's ``due_at`` (a newer
   message moved it: the newer job acts), the AI still active there, a persona still answering on the number now;
   then one conditional UPDATE (pending → answering, with this worker's claim token), so two workers never both
   answer. A claim older than ``LEASE`` is a worker that died before answering (nothing was sent): it is taken
   again, ``MAX_ATTEMPTS`` times at most. The checks that need no model: a person replied since the burst began,
   the customer opted out, the monthly budget is spent (a ``skipped`` decision), the 24-hour window is closed (the
   persona's template, if it has one, else a ``skipped`` decision).
2. **Handed off** before any model call when the customer raises one of the persona's blocked topics, or asks for a
   person while the persona has no ``handoff`` tool (see ``handoff``).
3. **Asked**: the knowledge retrieved for the burst (``knowledge.retrieval``), the conversation's recent messages
   and the burst as the customer's words (``prompts.build_messages``: the knowledge and the customer's text are
   delimited data, never instructions), with the tools ``handoff`` and the progression tools
   (``progression.tool_definitions``). Every call's usage is recorded (purpose ``reply``). A model failure is a
   ``skipped`` decision with its category and a notification to the company (once an hour per category:
   ``failures.notify_model_error``); a rate limit, a timeout or an unavailable endpoint is tried again later,
   ``MAX_ATTEMPTS`` times in all, the others not (a burst begun meanwhile takes the messages and answers them).
4. **Decided**, under the lock again (the AI still there, no person replied meanwhile): a ``handoff`` call hands
   off; progression calls go to ``progression.apply_progression_calls`` (and, when the model said nothing else,
   one more call with their results asks it for the words to the customer); an answer saying the knowledge does
   not hold it hands off at once when retrieval was weak (``low_confidence``), or the second time in a row
   (``repeated_misunderstanding``); any other answer is trimmed to the persona's length at a sentence boundary,
   split into parts and planned with humanized delays (``parts``), with a ``reply`` decision. The typing
   indicator goes at once for the first part.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from masteria.ai import conversation_state as states
from masteria.ai import handoff, humanize, parts
from masteria.ai.errors import Category, ModelError
from masteria.ai.models import AiDecision, PersonaVersion
from masteria.ai.personas import active_persona
from masteria.ai.prompts import build_messages
from masteria.ai.reply_jobs import BurstJob, parse, record_burst
from masteria.ai.responder_models import AiBurst, AiBurstMessage, AiConversationState
from masteria.ai.shapes import ChatRequest, ChatResult, Message, ToolCall, ToolDefinition, ToolResultMessage
from masteria.ai.usage_records import budget_allows, company_zone, record_usage
from masteria.contacts import consent
from masteria.contacts.models import Contact
from masteria.contacts.reads import read_contact
from masteria.conversations.models import Conversation
from masteria.conversations.models import Message as ConversationMessage
from masteria.crypto import SecretUnreadable
from masteria.errors import DomainError
from masteria.event_payloads import HandoffTrigger
from masteria.observability import logger
from masteria.schemas import NUL
from masteria.templates import whatsapp
from masteria.templates.models import WhatsAppTemplate
from masteria.templates.rendering import contact_values

if TYPE_CHECKING:
    from masteria.bootstrap import Container
    from masteria.ports import LLM

MAX_ATTEMPTS = 3  # claims of one burst (a worker that died, a retryable model failure) before it is skipped
LEASE = timedelta(minutes=5)  # longer than ai_replier may run (240 s): a claim this old is a dead worker's
EARLY = timedelta(milliseconds=500)
RETRY_WAIT = timedelta(seconds=30)  # before trying a retryable model failure again (or the endpoint's retry-after)
HISTORY = 20  # the conversation's messages before the burst the model sees
PASSAGES = 5
MAX_OUTPUT_TOKENS = 1024
HANDOFF = "handoff"
HANDOFF_TOOL = ToolDefinition(
    name=HANDOFF,
    description=(
        "Hand the conversation to a person of the company's team: when the customer asks for a person, when you "
        "cannot help with what they need, or when they raise a topic you must not handle. Say nothing else."
    ),
    parameters={
        "type": "object",
        "properties": {"reason": {"type": "string", "description": "why a person should take over, briefly"}},
        "required": ["reason"],
        "additionalProperties": False,
    },
)


@dataclass(frozen=True)
class Retrieved:
    passages: list[Any]
    best: float | None  # the best passage's cosine similarity (None: no knowledge bases, or none compared)

    @property
    def chunk_ids(self) -> list[str]:
        return [str(p.chunk_id) for p in self.passages]


@dataclass
class _Burst:
    """What a claimed burst's answer needs, read under the lock (plain values: no session after it)."""

    burst_id: uuid.UUID
    claim: uuid.UUID
    company_id: uuid.UUID
    conversation: Conversation
    persona: PersonaVersion
    message_ids: list[uuid.UUID]
    texts: list[str]
    history: list[tuple[str, str]]
    window_open: bool
    attempts: int
    chat: LLM | None = None
    tools: list[ToolDefinition] = field(default_factory=list)
    retrieved: Retrieved | None = None
    failure: ModelError | None = None
    timezone: str | None = None  # the company's: the prompt's clock, in which the customer's "tomorrow" is read

    @property
    def said(self) -> str:
        return "\n".join(self.texts)

    def inputs(self, **more: Any) -> dict[str, Any]:
        return {"message_ids": [str(m) for m in self.message_ids], "burst_id": str(self.burst_id), **more}


# ---- 1. claimed ---------------------------------------------------------------------------------------------


def _decision(
    session: Session,
    *,
    company_id: uuid.UUID,
    kind: str,
    conversation_id: uuid.UUID,
    persona: PersonaVersion | None,
    model: str | None,
    inputs: dict[str, Any],
    detail: dict[str, Any],
) -> AiDecision:
    row = AiDecision(
        company_id=company_id,
        kind=kind,
        persona_id=persona.persona_id if persona is not None else None,
        persona_version=persona.version if persona is not None else None,
        model=model,
        conversation_id=conversation_id,
        inputs=inputs,
        detail=detail,
    )
    session.add(row)
    session.flush()
    return row


def _close(session: Session, burst: AiBurst, state: str, outcome: str, now: datetime) -> None:
    burst.state, burst.outcome, burst.claim = state, outcome[:64], None
    if state in ("skipped", "cancelled"):
        burst.finished_at = now


def _skip(
    session: Session,
    burst: AiBurst,
    *,
    persona: PersonaVersion | None,
    reason: str,
    now: datetime,
    model: str | None = None,
    inputs: dict[str, Any] | None = None,
    **detail: Any,
) -> str:
    """The burst gets no answer, and a ``skipped`` decision says why."""
    decision = _decision(
        session, company_id=burst.company_id, kind="skipped", conversation_id=burst.conversation_id,
        persona=persona, model=model, inputs=inputs or {"burst_id": str(burst.id)}, detail={"reason": reason, **detail},
    )  # fmt: skip
    burst.decision_id = decision.id
    _close(session, burst, "skipped", reason, now)
    return f"skipped:{reason}"


def _messages(session: Session, burst: AiBurst) -> tuple[list[ConversationMessage], list[tuple[str, str]]]:
    """The burst's messages (oldest first), and the conversation's last ``HISTORY`` messages with text before it
    as (direction, text), oldest first: one query."""
    in_burst = ConversationMessage.id.in_(select(AiBurstMessage.message_id).where(AiBurstMessage.burst_id == burst.id))
    rows = session.execute(
        select(ConversationMessage, in_burst)
        .where(
            ConversationMessage.conversation_id == burst.conversation_id,
            ConversationMessage.text.is_not(None),
            ConversationMessage.status.not_in(("sending", "failed")),
        )
        .order_by(ConversationMessage.sent_at.desc(), ConversationMessage.id.desc())
        .limit(HISTORY + burst.message_count)
    ).all()
    ordered = list(reversed(rows))
    messages = [m for m, member in ordered if member]
    if not messages:
        return [], []
    first = messages[0].sent_at
    before = [(m.direction, m.text or "") for m, member in ordered if not member and m.sent_at <= first]
    return messages, before[-HISTORY:]


def _claim(container: Container, job: BurstJob) -> _Burst | str:
    """The burst claimed with what its answer needs, or what became of it instead."""
    now = container.clock.now()
    with container.database.tenant(job.company_id) as session:
        found = session.execute(
            select(AiBurst.state, Conversation)
            .join(Conversation, Conversation.id == AiBurst.conversation_id)
            .where(AiBurst.id == job.burst_id)
        ).first()
        if found is None:
            return "gone"
        if found[0] in ("answered", "skipped", "cancelled"):
            return str(found[0])  # done with: no lock to take
        conversation = found[1]
        state = states.lock(session, conversation, now=now)
        burst = session.get_one(AiBurst, job.burst_id, with_for_update=True, populate_existing=True)
        stale = burst.state == "answering" and burst.claimed_at is not None and burst.claimed_at < now - LEASE
        if burst.state != "pending" and not stale:
            return burst.state
        if burst.due_at != job.due_at:
            return "moved"  # a newer message moved it: the job for its new time answers it
        if now < burst.due_at - EARLY:
            record_burst(session, company_id=burst.company_id, burst_id=burst.id, due_at=burst.due_at)
            return "early"
        if state.status != states.ACTIVE:
            _close(session, burst, "cancelled", state.paused_reason or state.status, now)
            return "cancelled"
        persona = active_persona(session, connection_id=conversation.connection_id, at=now)
        if persona is None:
            return _skip(session, burst, persona=None, reason="no_persona", now=now)
        if burst.attempts >= MAX_ATTEMPTS:
            return _skip(session, burst, persona=persona, reason="attempts", now=now, attempts=burst.attempts)
        claim = uuid.uuid4()
        claimed = session.execute(
            update(AiBurst)
            .where(AiBurst.id == burst.id, AiBurst.state == burst.state, AiBurst.attempts == burst.attempts)
            .values(state="answering", claim=claim, claimed_at=now, attempts=AiBurst.attempts + 1)
            .returning(AiBurst.attempts)
            .execution_options(synchronize_session=False)
        ).first()
        if claimed is None:
            return "taken"
        for name, value in (("state", "answering"), ("claim", claim), ("claimed_at", now), ("attempts", claimed[0])):
            set_committed_value(burst, name, value)
        messages, history = _messages(session, burst)
        if not messages:
            return _skip(session, burst, persona=persona, reason="no_messages", now=now)
        if parts.human_reply_since(session, conversation.id, burst.started_at):
            states.stop(session, conversation, reason=states.HUMAN_REPLY, now=now)
            _close(session, burst, "cancelled", states.HUMAN_REPLY, now)
            return "cancelled"
        if consent.is_opted_out(session, conversation.contact_id, conversation.channel):  # type: ignore[arg-type]
            states.stop(session, conversation, reason=states.OPTED_OUT, now=now)
            _close(session, burst, "cancelled", states.OPTED_OUT, now)
            return "cancelled"
        inputs = {"message_ids": [str(m.id) for m in messages], "burst_id": str(burst.id)}
        if not budget_allows(session, company_id=burst.company_id, now=now):
            return _skip(session, burst, persona=persona, reason="budget_spent", now=now, inputs=inputs)
        prepared = _Burst(
            burst_id=burst.id,
            claim=claim,
            company_id=burst.company_id,
            conversation=conversation,
            persona=persona,
            message_ids=[m.id for m in messages],
            texts=[m.text or "" for m in messages],
            history=history,
            window_open=window_open(conversation, now),
            attempts=claimed[0],
        )
        if prepared.window_open and _without_model(prepared) is None:
            try:  # here, not in a transaction of its own: one commit fewer before the model's request
                prepared.retrieved = _retrieve(session, container, persona, prepared.said)
            except ModelError as error:  # the question's embedding failed: the burst's failure
                prepared.failure = error
            from masteria.ai.endpoints import chat_model_for

            try:
                prepared.chat = chat_model_for(
                    session, container=container, company_id=burst.company_id, persona_version=persona
                )
            except Exception as problem:  # no platform key configured, a company key that cannot be unsealed…
                logger.exception("no chat model for the company", extra={"burst_id": str(burst.id)})
                if isinstance(problem, SecretUnreadable):  # every reply fails until someone sets the key again
                    _key_unreadable(session, container, persona, now)
                return _skip(session, burst, persona=persona, reason="model_unconfigured", now=now, inputs=inputs)
            prepared.tools = _tools(session, conversation, persona)
            prepared.timezone = company_zone(session, burst.company_id).key
        return prepared


def _key_unreadable(session: Session, container: Container, persona: PersonaVersion, now: datetime) -> None:
    """The company told (once an hour, as a model error of category ``auth``) that its saved key does not open."""
    from masteria.ai.endpoints import company_settings, platform_base_url
    from masteria.ai.failures import KEY_UNREADABLE, notify_model_error

    row = company_settings(session, persona.company_id)
    host = httpx.URL((row.base_url if row is not None else None) or platform_base_url(container)).host
    error = ModelError(Category.AUTH, model=persona.chat_model or "", code=KEY_UNREADABLE)
    notify_model_error(
        session, company_id=persona.company_id, error=error, host=host, now=now, persona_id=persona.persona_id
    )


def window_open(conversation: Conversation, now: datetime) -> bool:
    """Whether a free-form answer may go: the customer-service window the inbound processor keeps on the
    conversation (WhatsApp's 24 hours after the customer's last message) is open, or its provider has none (SMS:
    no ``window_expires_at``). The send is admitted again against the provider's own limits."""
    return conversation.window_expires_at is None or conversation.window_expires_at > now


def _tools(session: Session, conversation: Conversation, persona: PersonaVersion) -> list[ToolDefinition]:
    offered = [HANDOFF_TOOL] if HANDOFF in (persona.tools or []) else []
    try:
        from masteria.ai import progression
    except ImportError:  # lead progression not installed: replies and handoffs only
        return offered
    return offered + list(progression.tool_definitions(session, conversation=conversation, persona_version=persona))


# ---- 4. decided (under the lock again) ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Locked:
    session: Session
    conversation: Conversation  # as it is now, in this transaction
    burst: AiBurst
    state: AiConversationState
    now: datetime


class _Lost(Exception):
    """The claim is no longer this worker's, or the AI stopped meanwhile: nothing more to do."""

    def __init__(self, outcome: str) -> None:
        super().__init__(outcome)
        self.outcome = outcome


def _relock(session: Session, prepared: _Burst, now: datetime) -> _Locked:
    """The burst and AI state locked again for the answer: still this worker's claim, the AI still there."""
    conversation = session.scalars(
        select(Conversation)
        .where(Conversation.id == prepared.conversation.id)
        .with_for_update()  # the conversation, then its AI state: the order every use case takes them in
        .execution_options(populate_existing=True)
    ).one()
    state = states.lock(session, conversation, now=now)
    burst = session.get_one(AiBurst, prepared.burst_id, with_for_update=True, populate_existing=True)
    if burst.state != "answering" or burst.claim != prepared.claim:
        raise _Lost(burst.state)
    if state.status != states.ACTIVE:
        _close(session, burst, "cancelled", state.paused_reason or state.status, now)
        raise _Lost("cancelled")
    if parts.human_reply_since(session, conversation.id, burst.started_at):
        states.stop(session, conversation, reason=states.HUMAN_REPLY, now=now)
        _close(session, burst, "cancelled", states.HUMAN_REPLY, now)
        raise _Lost("cancelled")
    return _Locked(session=session, conversation=conversation, burst=burst, state=state, now=now)


def _hand_off(
    locked: _Locked,
    prepared: _Burst,
    *,
    trigger: HandoffTrigger,
    reason: str | None,
    model: str | None,
    rng: random.Random,
    **inputs: Any,
) -> str:
    done = handoff.hand_off(
        locked.session,
        conversation=locked.conversation,
        state=locked.state,
        persona=prepared.persona,
        trigger=trigger,
        reason=reason,
        model=model,
        inputs=prepared.inputs(**inputs),
        now=locked.now,
    )
    burst = locked.burst
    burst.decision_id = done.decision_id
    _close(locked.session, burst, "answered", f"handoff:{trigger}", locked.now)
    parts.plan(
        locked.session, burst=burst, persona=prepared.persona, texts=[handoff.notice(prepared.persona)],
        purpose="handoff", read=prepared.said, now=locked.now, decision_id=done.decision_id, rng=rng,
    )  # fmt: skip
    return f"handoff:{trigger}"


def _reply(
    locked: _Locked,
    prepared: _Burst,
    text: str,
    *,
    result: ChatResult,
    rng: random.Random,
    **detail: Any,
) -> str:
    persona = prepared.persona
    trimmed = humanize.trim(text, persona.max_reply_chars)
    pieces = humanize.split(trimmed)
    decision = _decision(
        locked.session, company_id=prepared.company_id, kind="reply", conversation_id=prepared.conversation.id,
        persona=persona, model=result.model, inputs=prepared.inputs(chunk_ids=detail.pop("chunk_ids", [])),
        detail={"text": trimmed, "parts": len(pieces), "finish_reason": result.finish_reason.value, **detail},
    )  # fmt: skip
    locked.state.persona_id = persona.persona_id
    locked.burst.decision_id = decision.id
    _close(locked.session, locked.burst, "answered", "reply", locked.now)
    parts.plan(
        locked.session, burst=locked.burst, persona=persona, texts=pieces, purpose="reply", read=prepared.said,
        now=locked.now, decision_id=decision.id, rng=rng,
    )  # fmt: skip
    return "reply"


# ---- the answer ---------------------------------------------------------------------------------------------


def _retrieve(session: Session, container: Container, persona: PersonaVersion, question: str) -> Retrieved:
    """The knowledge for the burst from the persona's knowledge bases, each searched with its own embedding model
    (most personas have one), the best ``PASSAGES`` of them all by fused score."""
    kb_ids = list(persona.knowledge_base_ids or [])
    if not kb_ids:
        return Retrieved(passages=[], best=None)
    from masteria.knowledge import retrieval
    from masteria.knowledge.models import KnowledgeBase

    models = session.execute(
        select(KnowledgeBase.embedding_model, KnowledgeBase.id).where(KnowledgeBase.id.in_(kb_ids))
    ).all()
    by_model: dict[str, list[uuid.UUID]] = {}
    for model, kb_id in models:
        by_model.setdefault(model, []).append(kb_id)
    found: list[Any] = []
    for model, ids in by_model.items():
        try:
            embedder = container.embedder_for(model)
        except ValueError:  # a model this deployment cannot embed with: its knowledge is left out
            logger.warning("a knowledge base's embedding model is not available", extra={"model": model})
            continue
        found += retrieval.retrieve(session, embedder=embedder, knowledge_base_ids=ids, question=question, k=PASSAGES)
    passages = sorted(found, key=lambda p: -p.score)[:PASSAGES]
    return Retrieved(passages=passages, best=retrieval.best_similarity(passages) if passages else 0.0)


def _ask(prepared: _Burst, messages: Sequence[Message], *, final: bool = False) -> ChatResult:
    assert prepared.chat is not None
    temperature = float(prepared.persona.temperature) if prepared.persona.temperature is not None else None
    request = ChatRequest(
        messages=tuple(messages),
        tools=tuple(prepared.tools),
        tool_choice=("none" if final else "auto") if prepared.tools else None,
        temperature=temperature,
        max_output_tokens=MAX_OUTPUT_TOKENS,
    )
    return prepared.chat.chat(request)


def _record_usage(session: Session, prepared: _Burst, result: ChatResult, now: datetime) -> None:
    record_usage(
        session, company_id=prepared.company_id, purpose="reply", model=result.model, usage=result.usage,
        persona_id=prepared.persona.persona_id, persona_version=prepared.persona.version,
        conversation_id=prepared.conversation.id, now=now,
    )  # fmt: skip


def _model_failed(container: Container, prepared: _Burst, error: ModelError, *, retry: bool = True) -> str:
    """No answer this time: a ``skipped`` decision with the category, the company notified (once an hour per
    category), and the burst tried again later when the failure may pass (unless not ``retry``: its tool calls were
    carried out already, and asking again could repeat them)."""
    from masteria.ai.endpoints import resolve_endpoint
    from masteria.ai.failures import notify_model_error

    now = container.clock.now()
    logger.warning("the AI's model call failed", extra={**error.log_fields(), "burst_id": str(prepared.burst_id)})
    with container.database.tenant(prepared.company_id) as session:
        try:
            locked = _relock(session, prepared, now)
        except _Lost as lost:
            return lost.outcome
        burst = locked.burst
        if retry and error.retryable and prepared.attempts < MAX_ATTEMPTS:
            wait = timedelta(seconds=error.retry_after) if error.retry_after else RETRY_WAIT
            _retry_later(session, burst, due_at=now + wait, now=now)
            outcome = f"retry:{error.category.value}"
        else:
            outcome = _skip(
                session, burst, persona=prepared.persona, reason="model_error", now=now, model=error.model,
                inputs=prepared.inputs(), category=error.category.value, status=error.status,
            )  # fmt: skip
        endpoint = getattr(prepared.chat, "endpoint", None) or resolve_endpoint(
            session, container=container, company_id=prepared.company_id, persona_version=prepared.persona
        )
        notify_model_error(
            session, company_id=prepared.company_id, error=error, host=endpoint.host, now=now,
            persona_id=prepared.persona.persona_id, timeout_seconds=container.settings.ai_timeout_seconds,
        )  # fmt: skip
        return outcome


def _retry_later(session: Session, burst: AiBurst, *, due_at: datetime, now: datetime) -> None:
    """``burst`` (its AI state locked) pending again, due at ``due_at``. A message that came meanwhile started the
    conversation's one pending burst: that one takes this one's messages and answers them all, once."""
    newer = session.scalars(
        select(AiBurst)
        .where(AiBurst.conversation_id == burst.conversation_id, AiBurst.state == "pending")
        .with_for_update()
    ).first()
    if newer is None:
        burst.state, burst.claim, burst.due_at = "pending", None, due_at
        record_burst(session, company_id=burst.company_id, burst_id=burst.id, due_at=due_at)
        return
    session.execute(
        update(AiBurstMessage)
        .where(AiBurstMessage.burst_id == burst.id)
        .values(burst_id=newer.id)
        .execution_options(synchronize_session=False)
    )
    newer.first_message_id, newer.started_at = burst.first_message_id, min(newer.started_at, burst.started_at)
    newer.message_count += burst.message_count
    if due_at > newer.due_at:  # the endpoint's wait holds for the newer burst too
        newer.due_at = due_at
        record_burst(session, company_id=newer.company_id, burst_id=newer.id, due_at=due_at)
    _close(session, burst, "cancelled", f"merged:{newer.id}", now)


def _outside_window(container: Container, prepared: _Burst, rng: random.Random) -> str:
    """The 24-hour window closed: the persona's template, if it has an approved one for this number, else
    nothing (a ``skipped`` decision)."""
    now = container.clock.now()
    persona = prepared.persona
    with container.database.tenant(prepared.company_id) as session:
        try:
            locked = _relock(session, prepared, now)
        except _Lost as lost:
            return lost.outcome
        template = (
            session.get(WhatsAppTemplate, persona.outside_window_template_id)
            if persona.outside_window_template_id is not None
            else None
        )
        usable = (
            template is not None
            and template.connection_id == prepared.conversation.connection_id
            and template.status == "APPROVED"
        )
        if template is None or not usable:
            reason = "window_closed" if template is None else "window_closed_template_unusable"
            return _skip(session, locked.burst, persona=persona, reason=reason, now=now, inputs=prepared.inputs())
        contact = session.get_one(Contact, locked.conversation.contact_id)
        try:  # as the customer will read it (the inbox shows it so)
            shown = whatsapp.fill(template, contact_values(read_contact(session, contact).model_dump())).body
        except DomainError as error:
            return _skip(
                session, locked.burst, persona=persona, reason="window_closed_template_unusable", now=now,
                inputs=prepared.inputs(), error=error.detail,
            )  # fmt: skip
        decision = _decision(
            session, company_id=prepared.company_id, kind="reply", conversation_id=prepared.conversation.id,
            persona=persona, model=None, inputs=prepared.inputs(),
            detail={"template_id": str(template.id), "template": template.name, "outside_window": True},
        )  # fmt: skip
        locked.burst.decision_id = decision.id
        _close(session, locked.burst, "answered", "template", now)
        parts.plan(
            session, burst=locked.burst, persona=persona, texts=[shown or template.name], purpose="outside_window",
            read=prepared.said, now=now, decision_id=decision.id, rng=rng, template_id=template.id,
        )  # fmt: skip
    return "template"


def _without_model(prepared: _Burst) -> tuple[HandoffTrigger, str] | None:
    """A handoff decided from the customer's words alone: a blocked topic, or a request for a person when the
    model has no handoff tool to call."""
    topic = handoff.blocked_topic(prepared.said, prepared.persona.blocked_topics or [])
    if topic is not None:
        return "blocked_topic", f"the customer raised a blocked topic: {topic}"
    if HANDOFF not in (prepared.persona.tools or []) and handoff.asks_for_person(prepared.said):
        return "customer_request", handoff.REASONS["customer_request"]
    return None


def _progression(
    container: Container, locked: _Locked, prepared: _Burst, result: ChatResult, calls: list[ToolCall]
) -> list[Any]:
    """The model's ``propose_stage`` and ``update_lead`` calls, to lead progression (``masteria.ai.progression``)."""
    try:
        from masteria.ai import progression
    except ImportError:
        return []
    return list(
        progression.apply_progression_calls(
            locked.session, container=container, conversation=locked.conversation, persona_version=prepared.persona,
            model=result.model, tool_calls=calls, message_ids=prepared.message_ids,
            decision_inputs={"burst_id": str(prepared.burst_id)},
        )
    )  # fmt: skip


def run_job(container: Container, body: str) -> str:
    """One job of ``ai-replies``: a burst to answer, or a part to send. What became of it."""
    job = parse(body)
    if isinstance(job, BurstJob):
        return answer_burst(container, job)
    return parts.send_part(container, job)


def answer_burst(container: Container, job: BurstJob, *, rng: random.Random | None = None) -> str:
    """Answer one burst, once (see the module's docstring): what became of it."""
    rng = rng or random.Random()  # noqa: S311 - the humanized delays' jitter, no secret
    prepared = _claim(container, job)
    if isinstance(prepared, str):
        return prepared
    try:
        return _answer(container, prepared, rng)
    finally:
        close = getattr(prepared.chat, "close", None)
        if close is not None:
            close()


def _answer(container: Container, prepared: _Burst, rng: random.Random) -> str:
    db, clock = container.database, container.clock
    if not prepared.window_open:
        return _outside_window(container, prepared, rng)
    early = _without_model(prepared)
    if early is not None:
        with db.tenant(prepared.company_id) as session:
            try:
                locked = _relock(session, prepared, clock.now())
            except _Lost as lost:
                return lost.outcome
            outcome = _hand_off(locked, prepared, trigger=early[0], reason=early[1], model=None, rng=rng)
        parts.typing(container, company_id=prepared.company_id, burst_id=prepared.burst_id)
        return outcome
    if prepared.failure is not None:
        return _model_failed(container, prepared, prepared.failure)
    retrieved = prepared.retrieved or Retrieved(passages=[], best=None)
    threshold = container.settings.ai_handoff_min_similarity
    weak = retrieved.best is not None and threshold > 0 and retrieved.best < threshold
    messages = build_messages(prepared.persona, retrieved.passages, [*prepared.history, ("in", prepared.said)],
                              now=clock.now(), timezone=prepared.timezone)  # fmt: skip
    try:
        result = _ask(prepared, messages)
    except ModelError as error:
        return _model_failed(container, prepared, error)
    evidence = {"chunk_ids": retrieved.chunk_ids, "similarity": retrieved.best}
    calls = list(result.tool_calls)
    wants_person = next((c for c in calls if c.name == HANDOFF and HANDOFF in (prepared.persona.tools or [])), None)
    progression_calls = [c for c in calls if c.name != HANDOFF]
    text = _words(result.content)
    follow_up = None
    with db.tenant(prepared.company_id) as session:
        now = clock.now()
        try:
            locked = _relock(session, prepared, now)
        except _Lost as lost:
            _record_usage(session, prepared, result, now)
            return lost.outcome
        _record_usage(session, prepared, result, now)
        applied = _progression(container, locked, prepared, result, progression_calls) if progression_calls else []
        if wants_person is not None:
            outcome = _hand_off(
                locked, prepared, trigger="tool", reason=_words(wants_person.arguments.get("reason")) or None,
                model=result.model, rng=rng, **evidence,
            )  # fmt: skip
        elif text or not calls:
            outcome = _decide(locked, prepared, text, result=result, weak=weak, rng=rng, evidence=evidence)
        else:  # tool calls only: their results go back to the model for the words to the customer
            results = {getattr(r, "tool_call_id", None): r for r in applied}
            follow_up = [
                *messages,
                result.as_message(),
                *(
                    ToolResultMessage(
                        tool_call_id=c.id,
                        content=results[c.id].as_tool_result() if c.id in results else '{"outcome": "unknown_tool"}',
                    )
                    for c in calls
                ),
            ]
            outcome = "follow_up"
    if follow_up is not None:
        return _follow_up(container, prepared, follow_up, evidence, rng)
    if outcome == "reply" or outcome.startswith("handoff:"):
        parts.typing(container, company_id=prepared.company_id, burst_id=prepared.burst_id)
    return outcome


def _words(value: object) -> str:
    """The model's text as PostgreSQL's text holds it: a model may send a NUL character."""
    return value.replace(NUL, "").strip() if isinstance(value, str) else ""


def _decide(
    locked: _Locked,
    prepared: _Burst,
    text: str,
    *,
    result: ChatResult,
    weak: bool,
    rng: random.Random,
    evidence: dict[str, Any],
) -> str:
    """The model's words to the customer: sent, unless they say the knowledge does not hold the answer with weak
    retrieval, or for the second time in a row (a handoff then)."""
    if not text:
        return _skip(
            locked.session, locked.burst, persona=prepared.persona, reason="empty_answer", now=locked.now,
            model=result.model, inputs=prepared.inputs(), finish_reason=result.finish_reason.value,
        )  # fmt: skip
    state = locked.state
    if handoff.is_not_found(text):
        if weak:
            return _hand_off(locked, prepared, trigger="low_confidence", reason=None, model=result.model, rng=rng,
                             **evidence)  # fmt: skip
        state.misunderstandings += 1
        if state.misunderstandings >= 2:
            return _hand_off(locked, prepared, trigger="repeated_misunderstanding", reason=None, model=result.model,
                             rng=rng, **evidence)  # fmt: skip
    else:
        state.misunderstandings = 0
    return _reply(locked, prepared, text, result=result, rng=rng, **evidence)


def _follow_up(
    container: Container, prepared: _Burst, messages: list[Message], evidence: dict[str, Any], rng: random.Random
) -> str:
    """The model's words after its progression calls (no tools this time); none that say something: no reply."""
    try:
        result = _ask(prepared, messages, final=True)
    except ModelError as error:
        return _model_failed(container, prepared, error, retry=False)
    text = _words(result.content)
    with container.database.tenant(prepared.company_id) as session:
        now = container.clock.now()
        _record_usage(session, prepared, result, now)
        try:
            locked = _relock(session, prepared, now)
        except _Lost as lost:
            return lost.outcome
        if not text or handoff.is_not_found(text):
            _close(session, locked.burst, "answered", "tools_only", now)
            locked.burst.finished_at = now
            return "tools_only"
        outcome = _reply(locked, prepared, text, result=result, rng=rng, follow_up=True, **evidence)
    parts.typing(container, company_id=prepared.company_id, burst_id=prepared.burst_id)
    return outcome
