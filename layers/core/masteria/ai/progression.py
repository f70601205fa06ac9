"""AI lead progression: the AI proposes a stage for the conversation's lead, quoting the customer, and records what it
learnt on the lead; a person can always see why.

The responder offers ``tool_definitions`` to the model with each burst and hands its tool calls to
``apply_progression_calls``. Each call is checked (bad arguments, an unknown stage, evidence that is not the
customer's words in the burst: an ``invalid`` decision, never an exception, and nothing moves), then:

- ``propose_stage``: at or above the pipeline's ``ai_auto_apply_threshold`` (a move back to an earlier stage:
  ``ai_backward_threshold``; into a won or lost stage: never, unless the pipeline's ``ai_may_close``) the lead moves
  at once through the pipelines' move use case, by the AI (``actor_kind`` ``ai``, the persona's id) with a reason
  naming the persona version, the model, the confidence and the quote (a ``stage_move`` decision). A move into a
  meeting stage needs the agreed time (``agreed_time``), from which the appointment is made (so the meeting's
  notification, event and reminder follow), or a scheduled appointment of the lead ahead. Otherwise the proposal
  waits as the lead's pending suggestion (a ``stage_proposal`` decision), for a user to accept or reject on the board
  (``masteria.ai.suggestions``); a newer proposal supersedes it. Either way ``ai.stage_proposed`` is recorded.
- ``update_lead``: the value, the next step and custom fields, through the leads' update use case without a user
  (a ``lead_update`` decision).

Every decision is an append-only ``AiDecision`` with its inputs' ids (the burst's messages, the responder's own
inputs, the lead, the proposal) and the lead's timeline shows it.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from pydantic_core import to_jsonable_python
from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from masteria.ai.models import AiDecision, PersonaVersion
from masteria.ai.progression_models import CONFIDENCE_SCALE, EVIDENCE_MAX_LENGTH, StageProposal
from masteria.ai.progression_schemas import ProposeStageArguments, UpdateLeadArguments
from masteria.ai.shapes import ToolCall, ToolDefinition
from masteria.appointments.meetings import MEETING
from masteria.appointments.models import Appointment
from masteria.appointments.schemas import AppointmentCreate
from masteria.conversations.models import Conversation, Message
from masteria.errors import DomainError
from masteria.event_payloads import AiStageProposedPayload
from masteria.events import record_event
from masteria.observability import logger
from masteria.pipelines import leads, moves
from masteria.pipelines.models import Lead, Pipeline, Stage
from masteria.pipelines.reads import active_stages
from masteria.pipelines.schemas import LeadMove, LeadUpdate
from masteria.ports import Clock
from masteria.schemas import NUL
from masteria.tenancy.models import Company

PROPOSE_STAGE = "propose_stage"
UPDATE_LEAD = "update_lead"
TOOLS = (PROPOSE_STAGE, UPDATE_LEAD)
CLOSING = ("won", "lost")
MEETING_MINUTES = 30  # an appointment made from an agreed time lasts this long (a user may change it)
AGREED_TIME_HORIZON = timedelta(days=2 * 366)  # a meeting agreed in a chat is sooner; a later time is a misreading
MEETING_TITLES = {"pt-BR": "Reunião", "en": "Meeting"}
REASON_MAX_LENGTH = 500
STALE_REASON = "the lead left the stage it was proposed from"
_ARGUMENTS_MAX_CHARS = 4_000  # a decision keeps a bad call's arguments up to this size

Outcome = Literal["applied", "pending", "updated", "unchanged", "invalid"]


class HasClock(Protocol):
    """What progression needs of the composition root (``bootstrap.Container`` is one)."""

    @property
    def clock(self) -> Clock: ...


@dataclass(frozen=True)
class ProgressionResult:
    """What became of one tool call: its outcome, its decision record, its proposal (``propose_stage``), and a short
    text to hand the model back as the tool's result."""

    tool_call_id: str
    name: str
    outcome: Outcome
    decision_id: int | None
    proposal_id: uuid.UUID | None = None
    detail: str = ""

    def as_tool_result(self) -> str:
        return json.dumps({"outcome": self.outcome, "detail": self.detail}, ensure_ascii=False)


class _Rejected(Exception):
    """A tool call that cannot be carried out: recorded as an ``invalid`` decision (never raised to the caller)."""

    def __init__(self, code: str, message: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.errors = errors or [{"field": None, "code": code, "message": message}]

    @classmethod
    def on(cls, field: str, code: str, message: str, problem: str) -> _Rejected:
        """A call refused for one argument: ``message`` says what of the call, ``problem`` what of the field."""
        return cls(code, message, [{"field": field, "code": code, "message": problem}])


# Which lead, and the tools it is offered


def open_lead(session: Session, conversation: Conversation, *, lock: bool = False) -> Lead | None:
    """The lead the AI works on in ``conversation``: the open lead linked to it, else the contact's open lead on the
    company's first (default) pipeline, else the contact's most recently changed open lead; None without one."""
    default_pipeline = select(Pipeline.id).order_by(Pipeline.created_at, Pipeline.id).limit(1).scalar_subquery()
    statement = (
        select(Lead)
        .where(Lead.contact_id == conversation.contact_id, Lead.status == "open")
        .order_by(
            func.coalesce(Lead.conversation_id == conversation.id, False).desc(),
            (Lead.pipeline_id == default_pipeline).desc(),
            Lead.updated_at.desc(),
            Lead.id,
        )
        .limit(1)
    )
    return session.scalars(statement.with_for_update(of=Lead) if lock else statement).first()


def _stage_line(stage: Stage) -> str:
    # one line per stage, id first, then its meaning, then its name (a name may hold commas)
    meaning = {
        MEETING: " [meeting_scheduled: a meeting is agreed; give agreed_time]",
        "won": " [won: closes the lead as won]",
        "lost": " [lost: closes the lead as lost]",
    }.get(stage.semantic_type or "", "")
    return f"- `{stage.id}`{meaning} {stage.name}"


def _propose_stage_tool(current: Stage, others: list[Stage], timezone: str) -> ToolDefinition:
    stage_list = "\n".join(_stage_line(stage) for stage in others)
    return ToolDefinition(
        name=PROPOSE_STAGE,
        description=(
            "Propose moving the customer's lead to another stage of the sales pipeline, only when the customer's "
            "own words in this conversation show it (for example they agree a meeting time or say they will buy). "
            "Quote those words exactly as evidence; never propose from your own assumptions. A person confirms a "
            f"proposal unless you are sure.\nThe lead is now in `{current.id}` {current.name}."
        ),
        parameters={
            "type": "object",
            "properties": {
                "stage_id": {
                    "type": "string",
                    "enum": [str(stage.id) for stage in others],
                    "description": f"the stage to move the lead to:\n{stage_list}",
                },
                "confidence": {
                    "type": "number",
                    "minimum": 0,
                    "maximum": 1,
                    "description": "how sure you are that the customer's words mean this stage: 0 to 1",
                },
                "evidence": {
                    "type": "string",
                    "maxLength": EVIDENCE_MAX_LENGTH,
                    "description": "the customer's exact words (copied from their messages) that justify the move",
                },
                "agreed_time": {
                    "type": "string",
                    "format": "date-time",
                    "description": (
                        "for a meeting stage: the start the customer agreed, ISO 8601 with its UTC offset (the "
                        f"company's timezone is {timezone})"
                    ),
                },
            },
            "required": ["stage_id", "confidence", "evidence"],
            "additionalProperties": False,
        },
    )


def _update_lead_tool(lead: Lead) -> ToolDefinition:
    known = ", ".join(sorted(lead.custom_fields)) or "none yet"
    return ToolDefinition(
        name=UPDATE_LEAD,
        description=(
            "Record on the customer's lead what the customer said about their deal: its value, the next step, "
            "other details as custom fields. Only facts the customer stated."
        ),
        parameters={
            "type": "object",
            "properties": {
                "value": {"type": "number", "minimum": 0, "description": f"the deal's value in {lead.currency}"},
                "next_step": {"type": "string", "maxLength": 300, "description": "the next step agreed"},
                "custom_fields": {
                    "type": "object",
                    "additionalProperties": {"type": ["string", "number", "boolean"]},
                    "description": f"details by name (the lead's fields so far: {known})",
                },
                "evidence": {
                    "type": "string",
                    "maxLength": EVIDENCE_MAX_LENGTH,
                    "description": "the customer's exact words these come from",
                },
            },
            "additionalProperties": False,
        },
    )


def _timezone(session: Session, company_id: uuid.UUID) -> str:
    return session.scalar(select(Company.timezone).where(Company.id == company_id)) or "UTC"


def tool_definitions(
    session: Session, *, conversation: Conversation, persona_version: PersonaVersion
) -> list[ToolDefinition]:
    """The progression tools ``persona_version`` may call in ``conversation``: ``propose_stage`` (the lead's other
    active stages as an enum, named in its description) and ``update_lead``; none when the conversation has no open
    lead (``open_lead``) or the persona lists neither tool."""
    allowed = [tool for tool in TOOLS if tool in (persona_version.tools or [])]
    if not allowed:
        return []
    lead = open_lead(session, conversation)
    if lead is None:
        return []
    definitions: list[ToolDefinition] = []
    if PROPOSE_STAGE in allowed:
        stages = active_stages(session, [lead.pipeline_id])[lead.pipeline_id]
        current = next((stage for stage in stages if stage.id == lead.stage_id), None)
        others = [stage for stage in stages if stage.id != lead.stage_id]
        if current is not None and others:
            definitions.append(_propose_stage_tool(current, others, _timezone(session, lead.company_id)))
    if UPDATE_LEAD in allowed:
        definitions.append(_update_lead_tool(lead))
    return definitions


# The customer's words


def normalized(text: str) -> str:
    """``text`` compared as words: case and accents folded, punctuation and spacing ignored."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    bare = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(re.findall(r"[^\W_]+", bare))


_ELISION = re.compile(r"\[\s*(?:\.\.\.|…)\s*\]|\.\.\.|…")


def quotes(evidence: str, said: Sequence[str]) -> bool:
    """Whether ``evidence`` quotes ``said`` (the customer's messages, in order): its words, normalized, appear there
    word for word; an ellipsis (``...``, ``…``) may leave words out between parts, which come in order."""
    text = " " + " ".join(normalized(t) for t in said) + " "
    parts = [part for part in (normalized(p) for p in _ELISION.split(evidence)) if part]
    if not parts:
        return False
    position = 0
    for part in parts:
        found = text.find(f" {part} ", position)
        if found < 0:
            return False
        position = found + len(part) + 1
    return True


def _burst_texts(session: Session, conversation: Conversation, message_ids: Iterable[uuid.UUID | str]) -> list[str]:
    ids = []
    for value in message_ids:
        try:
            ids.append(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
        except ValueError:
            continue
    if not ids:
        return []
    rows = session.scalars(
        select(Message.text)
        .where(
            Message.id.in_(ids),
            Message.conversation_id == conversation.id,
            Message.direction == "in",
            Message.text.is_not(None),
        )
        .order_by(Message.sent_at, Message.id)
    )
    return [text for text in rows if text]


def _check_evidence(evidence: str, said: list[str]) -> None:
    if not quotes(evidence, said):
        raise _Rejected.on(
            "evidence", "evidence_not_quoted", "the evidence is not the customer's words in this burst",
            "is not a quote of the customer",
        )  # fmt: skip


# Recording


@dataclass(frozen=True)
class _Context:
    session: Session
    clock: Clock
    conversation: Conversation
    persona_version: PersonaVersion
    model: str
    said: list[str]
    inputs: dict[str, Any]


def _jsonable(value: Any) -> Any:
    """``value`` as JSONB holds it: no NUL character in any text (a model may send one)."""
    return _without_nul(to_jsonable_python(value, fallback=str))


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace(NUL, "")
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    return value


def _decide(
    context: _Context,
    *,
    kind: str,
    lead: Lead | None,
    call: ToolCall,
    detail: dict[str, Any],
    proposal_id: uuid.UUID | None = None,
) -> AiDecision:
    version = context.persona_version
    inputs = {**context.inputs, "tool_call_id": call.id}
    if lead is not None:
        inputs["lead_id"] = lead.id
    if proposal_id is not None:
        inputs["proposal_id"] = proposal_id
    decision = AiDecision(
        company_id=context.conversation.company_id, kind=kind, persona_id=version.persona_id,
        persona_version=version.version, model=context.model, conversation_id=context.conversation.id,
        lead_id=lead.id if lead is not None else None, inputs=_jsonable(inputs),
        detail=_jsonable({"tool": call.name, **detail}),
    )  # fmt: skip
    context.session.add(decision)
    context.session.flush()
    return decision


def _arguments(call: ToolCall) -> dict[str, Any] | None:
    """A bad call's arguments, kept with its decision when they are small."""
    dumped = json.dumps(call.arguments, default=str, ensure_ascii=False)
    return call.arguments if len(dumped) <= _ARGUMENTS_MAX_CHARS else None


def _invalid(context: _Context, call: ToolCall, lead: Lead | None, rejected: _Rejected) -> ProgressionResult:
    kind = "stage_proposal" if call.name == PROPOSE_STAGE else "lead_update"
    detail = {"outcome": "invalid", "code": rejected.code, "errors": rejected.errors, "arguments": _arguments(call)}
    decision = _decide(context, kind=kind, lead=lead, call=call, detail=detail)
    logger.info("ai tool call refused", extra={"tool": call.name, "code": rejected.code, "decision_id": decision.id})
    return ProgressionResult(call.id, call.name, "invalid", decision.id, detail=rejected.message)


def _validation_errors(error: ValidationError) -> list[dict[str, Any]]:
    return [
        {"field": ".".join(str(part) for part in item["loc"]) or None, "code": item["type"], "message": item["msg"]}
        for item in error.errors(include_url=False, include_input=False)
    ]


def ai_reason(
    *, persona_name: str, persona_version: int | None, model: str | None, confidence: float, quote: str, room: int = 0
) -> str:
    """A move's reason naming who proposed it and why: the persona version, the model, the confidence, the quote
    (cut to fit a reason's 500 characters, less ``room`` the caller keeps for its own words)."""
    head = f"AI {persona_name} v{persona_version} ({model or 'unknown model'}), confidence {confidence:.2f}: "
    space = REASON_MAX_LENGTH - room - len(head) - 2
    quoted = quote if len(quote) <= space else quote[: space - 1] + "…"
    return f'{head}"{quoted}"'


# propose_stage


def _hold_reason(
    session: Session, *, lead: Lead, pipeline: Pipeline, current: Stage | None, target: Stage, confidence: Decimal,
    agreed_time: datetime | None, now: datetime,
) -> str | None:  # fmt: skip
    """Why the proposal waits for a person (None: it applies at once)."""
    backward = current is not None and target.position < current.position
    if target.semantic_type in CLOSING and not pipeline.ai_may_close:
        return "closing_not_allowed"
    if backward and confidence < pipeline.ai_backward_threshold:
        return "backward_below_threshold"
    if confidence < pipeline.ai_auto_apply_threshold:
        return "below_threshold"
    if target.semantic_type == MEETING and agreed_time is None:
        ahead = session.scalar(
            select(Appointment.id)
            .where(Appointment.lead_id == lead.id, Appointment.status == "scheduled", Appointment.starts_at > now)
            .limit(1)
        )
        if ahead is None:
            return "meeting_without_time"
    return None


def _meeting(context: _Context, lead: Lead, agreed_time: datetime, timezone: str) -> AppointmentCreate:
    title = f"{MEETING_TITLES.get(context.persona_version.language, 'Meeting')}: {lead.title}"
    return AppointmentCreate(
        title=title[:200], starts_at=agreed_time, ends_at=agreed_time + timedelta(minutes=MEETING_MINUTES),
        timezone=timezone, attendee_id=lead.owner_id,
    )  # fmt: skip


def _propose(context: _Context, call: ToolCall, lead: Lead) -> ProgressionResult:
    session, now = context.session, context.clock.now()
    try:
        arguments = ProposeStageArguments.model_validate(call.arguments)
    except ValidationError as error:
        raise _Rejected("invalid_arguments", "the arguments are not valid", _validation_errors(error)) from error
    stages = {stage.id: stage for stage in active_stages(session, [lead.pipeline_id])[lead.pipeline_id]}
    target = stages.get(arguments.stage_id)
    if target is None:
        raise _Rejected.on(
            "stage_id", "unknown_stage", "the stage is not a stage of the lead's pipeline", "is no stage of it"
        )
    if target.id == lead.stage_id:
        raise _Rejected.on("stage_id", "same_stage", "the lead is already in that stage", "is the lead's stage")
    _check_evidence(arguments.evidence, context.said)
    timezone = _timezone(session, lead.company_id)
    agreed_time = arguments.agreed_time if target.semantic_type == MEETING else None
    if agreed_time is not None:
        if agreed_time.tzinfo is None:
            agreed_time = agreed_time.replace(tzinfo=ZoneInfo(timezone))
        if agreed_time <= now:
            raise _Rejected.on(
                "agreed_time", "agreed_time_past", "the agreed time is not in the future", "is not in the future"
            )
        if agreed_time > now + AGREED_TIME_HORIZON:
            raise _Rejected.on(
                "agreed_time", "agreed_time_too_far", "the agreed time is too far ahead",
                f"is more than {AGREED_TIME_HORIZON.days} days ahead",
            )  # fmt: skip
    # cut, not rounded, to the stored scale: 0.7996 is below a 0.8 threshold, and is kept (and shown) as 0.799
    confidence = Decimal(str(arguments.confidence)).quantize(Decimal(1).scaleb(-CONFIDENCE_SCALE), ROUND_DOWN)
    pipeline = session.get_one(Pipeline, lead.pipeline_id)
    current = stages.get(lead.stage_id)
    hold = _hold_reason(
        session, lead=lead, pipeline=pipeline, current=current, target=target, confidence=confidence,
        agreed_time=agreed_time, now=now,
    )  # fmt: skip
    # a newer proposal for the lead supersedes the one waiting (the lead is locked: proposals take turns); one made
    # from a stage the lead has left meanwhile had gone stale: invalid
    stale = StageProposal.from_stage_id != lead.stage_id
    session.execute(
        update(StageProposal)
        .where(StageProposal.lead_id == lead.id, StageProposal.status == "pending")
        .values(
            status=case((stale, "invalid"), else_="superseded"),
            decision_reason=case((stale, STALE_REASON), else_=None),
            decided_at=now,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    version = context.persona_version
    proposal = StageProposal(
        company_id=lead.company_id, lead_id=lead.id, pipeline_id=lead.pipeline_id, from_stage_id=lead.stage_id,
        to_stage_id=target.id, confidence=confidence, evidence=arguments.evidence, agreed_time=agreed_time,
        persona_id=version.persona_id, persona_version=version.version, model=context.model,
        conversation_id=context.conversation.id, status="pending",
    )  # fmt: skip
    session.add(proposal)
    session.flush()
    moved_error: str | None = None
    if hold is None:
        reason = ai_reason(
            persona_name=version.name, persona_version=version.version, model=context.model,
            confidence=float(confidence), quote=arguments.evidence,
        )  # fmt: skip
        data = LeadMove(
            to_stage_id=target.id, version=lead.version, reason=reason,
            appointment=_meeting(context, lead, agreed_time, timezone) if agreed_time is not None else None,
        )  # fmt: skip
        try:
            with session.begin_nested():
                moves.move_found(
                    session=session, clock=context.clock, principal=None, lead=lead, data=data,
                    by=moves.Actor("ai", version.persona_id),
                )  # fmt: skip
        except DomainError as error:  # a full column, an attendee gone…: a person decides
            hold = moved_error = error.error_code
    applied = hold is None
    detail: dict[str, Any] = {
        "outcome": "applied" if applied else "pending", "from_stage_id": proposal.from_stage_id,
        "stage_id": target.id, "stage_name": target.name, "confidence": float(confidence),
        "evidence": arguments.evidence, "agreed_time": agreed_time,
        "thresholds": {"auto_apply": float(pipeline.ai_auto_apply_threshold),
                       "backward": float(pipeline.ai_backward_threshold), "may_close": pipeline.ai_may_close},
    }  # fmt: skip
    if hold is not None:
        detail["held"] = hold
    if moved_error is not None:
        detail["move_error"] = moved_error
    decision = _decide(
        context, kind="stage_move" if applied else "stage_proposal", lead=lead, call=call, detail=detail,
        proposal_id=proposal.id,
    )  # fmt: skip
    proposal.decision_id = decision.id
    if applied:
        proposal.status, proposal.decided_at = "applied", now
    session.flush()
    record_event(
        session,
        company_id=lead.company_id,
        payload=AiStageProposedPayload(
            lead_id=lead.id, pipeline_id=lead.pipeline_id, stage_id=lead.stage_id, owner_id=lead.owner_id,
            version=lead.version, proposal_id=proposal.id, status="applied" if applied else "pending",
            from_stage_id=proposal.from_stage_id, to_stage_id=target.id, confidence=float(confidence),
            evidence=arguments.evidence, agreed_time=agreed_time, conversation_id=context.conversation.id,
            persona_id=version.persona_id, persona_version=version.version, model=context.model,
            decision_id=decision.id,
        ),
    )  # fmt: skip
    told = f"moved the lead to {target.name}" if applied else f"suggested {target.name}; a person will confirm it"
    return ProgressionResult(call.id, call.name, "applied" if applied else "pending", decision.id, proposal.id, told)


# update_lead


def _update(context: _Context, call: ToolCall, lead: Lead) -> ProgressionResult:
    try:
        arguments = UpdateLeadArguments.model_validate(call.arguments)
    except ValidationError as error:
        raise _Rejected("invalid_arguments", "the arguments are not valid", _validation_errors(error)) from error
    given = arguments.model_dump(exclude_none=True, exclude={"evidence"})
    if not given:
        raise _Rejected("nothing_to_update", "name a value, a next step or custom fields")
    if arguments.evidence is not None:
        _check_evidence(arguments.evidence, context.said)
    before = lead.version
    try:
        with context.session.begin_nested():
            leads.update_found(session=context.session, actor=None, lead=lead, data=LeadUpdate(**given))
    except (DomainError, ValidationError) as error:
        code = error.error_code if isinstance(error, DomainError) else "invalid_arguments"
        raise _Rejected(code, "the lead could not be updated") from error
    changed = lead.version != before
    detail = {"outcome": "updated" if changed else "unchanged", "fields": given, "evidence": arguments.evidence}
    decision = _decide(context, kind="lead_update", lead=lead, call=call, detail=detail)
    outcome: Outcome = "updated" if changed else "unchanged"
    return ProgressionResult(call.id, call.name, outcome, decision.id, detail="lead updated" if changed else "")


def apply_progression_calls(
    session: Session,
    *,
    container: HasClock,
    conversation: Conversation,
    persona_version: PersonaVersion,
    model: str,
    tool_calls: Sequence[ToolCall],
    message_ids: Sequence[uuid.UUID | str],
    decision_inputs: Mapping[str, Any] | None = None,
) -> list[ProgressionResult]:
    """Carry out the model's ``propose_stage`` and ``update_lead`` calls of one burst (other tools are left to the
    responder), in the caller's transaction: each is checked (its arguments, its stage, its evidence against the
    texts of ``message_ids``, the customer's messages of the burst), recorded as a decision (with
    ``decision_inputs``, the responder's inputs' ids) and applied or left as a suggestion. A bad call is an
    ``invalid`` decision, never an exception. ``model``: the model that answered (the result's ``model``)."""
    ours = [call for call in tool_calls if call.name in TOOLS]
    if not ours:
        return []
    context = _Context(
        session=session, clock=container.clock, conversation=conversation, persona_version=persona_version,
        model=model, said=_burst_texts(session, conversation, message_ids),
        inputs={**dict(decision_inputs or {}), "message_ids": [str(m) for m in message_ids]},
    )  # fmt: skip
    lead = open_lead(session, conversation, lock=True)
    results: list[ProgressionResult] = []
    for call in ours:
        try:
            if call.name not in (persona_version.tools or []):
                raise _Rejected("tool_not_allowed", f"the persona may not call {call.name}")
            if lead is None or lead.status != "open":
                raise _Rejected("no_open_lead", "the conversation has no open lead")
            results.append(
                _propose(context, call, lead) if call.name == PROPOSE_STAGE else _update(context, call, lead)
            )
        except _Rejected as rejected:
            results.append(_invalid(context, call, lead, rejected))
    return results
