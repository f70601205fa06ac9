"""The AI hands a conversation to a person: on the customer's request, the model's ``handoff(reason)`` call, low
retrieval confidence, a repeated misunderstanding or a blocked topic. It says so briefly (in the persona's
language), pauses itself there (``handed_off``, with the trigger and reason the inbox shows), assigns the
conversation by rule and notifies the assignee; the decision record and ``ai.handoff`` say why.

Who gets it: the person who has the conversation already; else the owner of the contact's open lead (the
conversation's own lead first); else the active agent with the fewest open conversations assigned (ties by id);
else, in a company with no agents, the admin or owner with the fewest; else nobody (every user is notified).

The detectors here are pure. ``asks_for_person`` is used when the persona does not offer the ``handoff`` tool (with
the tool, the model judges: "não quero falar com um atendente" is no request): a customer can always reach a person.
``is_not_found`` recognises an answer that says the knowledge does not hold it, in the words the AI sandbox and
the prompt's rule produce.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from masteria.ai import conversation_state
from masteria.ai.models import AiDecision, PersonaVersion
from masteria.ai.responder_models import AiConversationState
from masteria.contacts.models import Contact
from masteria.conversations.models import Conversation
from masteria.conversations.service import assign_to
from masteria.event_payloads import AiHandoffPayload, HandoffTrigger
from masteria.events import record_event
from masteria.notifications import service as notifications
from masteria.pipelines.models import Lead
from masteria.tenancy.models import Role, User

KIND = "ai_handoff"  # the notification's kind
NOTICE = {
    "pt-BR": "Vou te passar para um atendente. Em instantes alguém da nossa equipe continua com você.",
    "en": "I'll pass you to a member of our team. Someone will be with you shortly.",
}
REASONS = {  # a trigger's reason in words, when the model gave none
    "customer_request": "the customer asked for a person",
    "low_confidence": "the knowledge bases hold no good answer to the customer's question",
    "repeated_misunderstanding": "the AI could not answer the customer twice in a row",
    "blocked_topic": "the customer raised a topic the persona must not handle",
    "tool": "the AI decided a person should take over",
}

_PERSON = re.compile(
    r"\b(?:atendente|humano|pessoa de verdade|pessoa real|falar com (?:alguem|uma pessoa|um humano|o gerente|"
    r"um vendedor|um consultor|o suporte)|human|real person|an agent|a person|live agent|representative|"
    r"talk to (?:someone|somebody)|speak to (?:someone|somebody))\b"
)
_NOT_FOUND = (
    "nao encontrei essa informacao",
    "i could not find that information",
    "nao sei",
    "nao tenho essa informacao",
    "nao tenho informacao",
    "i don't know",
    "i do not know",
    "i don't have that information",
    "i do not have that information",
)


def fold(text: str) -> str:
    """Lower-cased, accents removed, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def asks_for_person(text: str) -> bool:
    return _PERSON.search(fold(text)) is not None


def blocked_topic(text: str, topics: Sequence[str]) -> str | None:
    """The first of ``topics`` the customer's ``text`` mentions (as whole words, accents and case aside)."""
    said = fold(text)
    for topic in topics:
        folded = fold(topic)
        if folded and re.search(rf"(?<!\w){re.escape(folded)}(?!\w)", said):
            return topic
    return None


def is_not_found(answer: str) -> bool:
    said = fold(answer).strip(" .!")
    return any(said == phrase or said.startswith(phrase) for phrase in _NOT_FOUND)


def notice(persona: PersonaVersion) -> str:
    return NOTICE.get(persona.language, NOTICE["pt-BR"])


def _open_conversations() -> Any:
    return (
        select(Conversation.assignee_id, func.count().label("open"))
        .where(Conversation.status != "closed", Conversation.assignee_id.is_not(None))
        .group_by(Conversation.assignee_id)
        .subquery()
    )


def _least_busy(session: Session, roles: Sequence[str]) -> uuid.UUID | None:
    counts = _open_conversations()
    found: uuid.UUID | None = session.scalar(
        select(User.id)
        .outerjoin(counts, counts.c.assignee_id == User.id)
        .where(User.is_active.is_(True), User.password_hash.is_not(None), User.role.in_(list(roles)))
        .order_by(func.coalesce(counts.c.open, 0), User.id)
        .limit(1)
    )
    return found


def choose_assignee(session: Session, conversation: Conversation) -> uuid.UUID | None:
    """Who takes the conversation over (see the module's docstring)."""
    if conversation.assignee_id is not None:
        user = session.get(User, conversation.assignee_id)
        if user is not None and user.is_active:
            return user.id
    owner: uuid.UUID | None = session.scalar(
        select(Lead.owner_id)
        .join(User, and_(User.id == Lead.owner_id, User.is_active.is_(True)))
        .where(Lead.status == "open", Lead.contact_id == conversation.contact_id)
        .order_by(case((Lead.conversation_id == conversation.id, 0), else_=1), Lead.updated_at.desc(), Lead.id)
        .limit(1)
    )
    if owner is not None:
        return owner
    return _least_busy(session, [Role.AGENT.value]) or _least_busy(session, [Role.ADMIN.value, Role.OWNER.value])


@dataclass(frozen=True)
class Handoff:
    decision_id: int
    assignee_id: uuid.UUID | None
    reason: str


def hand_off(
    session: Session,
    *,
    conversation: Conversation,
    state: AiConversationState,
    persona: PersonaVersion,
    trigger: HandoffTrigger,
    reason: str | None,
    model: str | None,
    inputs: dict[str, Any],
    now: datetime,
) -> Handoff:
    """Hand ``conversation`` (its AI ``state`` locked by the caller) to a person: state (with its
    ``conversation.updated``), assignment (with its ``conversation.assigned``), the assignee's notification, the
    decision record and ``ai.handoff``. The notice to the customer is the caller's (a part of the burst's answer)."""
    said = (reason or "").strip()[:500] or REASONS[trigger]
    conversation = session.get_one(Conversation, conversation.id, with_for_update=True, populate_existing=True)
    assignee = choose_assignee(session, conversation)
    state.status, state.paused_reason = "handed_off", None
    state.handoff_trigger, state.handoff_reason = trigger, said
    state.handed_off_at, state.handed_off_to = now, assignee
    state.persona_id, state.misunderstandings = persona.persona_id, 0
    state.changed_at, state.changed_by = now, None
    if assignee is not None:
        assign_to(session, conversation, assignee)
    decision = AiDecision(
        company_id=conversation.company_id,
        kind="handoff",
        persona_id=persona.persona_id,
        persona_version=persona.version,
        model=model,
        conversation_id=conversation.id,
        inputs=inputs,
        detail={"trigger": trigger, "reason": said, "assignee_id": str(assignee) if assignee else None},
    )
    session.add(decision)
    session.flush()
    conversation_state.changed(session, state)
    contact = session.get(Contact, conversation.contact_id)
    who = (contact.name or contact.phone) if contact is not None else "a customer"
    notifications.notify(
        session,
        company_id=conversation.company_id,
        user_id=assignee,
        kind=KIND,
        title="The AI handed a conversation over" + (" to you" if assignee else ""),
        body=f"{who}: {said}",
        data={
            "conversation_id": str(conversation.id), "contact_id": str(conversation.contact_id),
            "contact_name": who, "trigger": trigger, "reason": said, "persona_id": str(persona.persona_id),
            "persona_name": persona.name,
        },
    )  # fmt: skip
    record_event(
        session,
        company_id=conversation.company_id,
        payload=AiHandoffPayload(
            conversation_id=conversation.id,
            persona_id=persona.persona_id,
            persona_version=persona.version,
            trigger=trigger,
            reason=said,
            assignee_id=assignee,
            decision_id=decision.id,
        ),
    )
    return Handoff(decision_id=decision.id, assignee_id=assignee, reason=said)
