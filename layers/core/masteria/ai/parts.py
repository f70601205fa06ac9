"""The parts of an AI answer, planned and sent one by one through the one outbound path (``outbound.send``), as the
inbox's replies are (their ``messages`` rows, by the inbox's ledger ``conversations.outbound.ReplyLedger``), with
origin ``ai`` and no user behind them: consent, the 24-hour window, the pair rate and the number's pacer hold.

Each part has its own delayed job, due at its humanized time. Sending one:
1. under the conversation's AI state lock: still ``planned``, the part before it done, the AI still there (a
   person has not replied since the burst began, nobody took the conversation, the customer did not opt out), so
   it is marked ``sending`` and committed (a retry finds it so and never sends it again);
2. sent (the row the ledger claims is the part's ``message_id``);
3. recorded: ``sent`` or ``unknown`` (the provider's status settles the message, never a resend), or ``refused``
   (nothing went out: the parts after it are cancelled). WhatsApp's typing indicator goes for the next part.
The burst's last part final, ``ai.replied`` names the messages sent.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from masteria.ai import conversation_state as states
from masteria.ai import humanize
from masteria.ai.models import PersonaVersion
from masteria.ai.reply_jobs import PartJob, record_part
from masteria.ai.responder_models import FINAL_PART_STATES, AiBurst, AiConversationState, AiReplyPart
from masteria.channels.models import ChannelConnection
from masteria.channels.providers.port import OutboundMessage, Outcome
from masteria.contacts.models import Contact
from masteria.contacts.reads import read_contact
from masteria.conversations.models import Conversation, Message
from masteria.conversations.outbound import ReplyLedger
from masteria.errors import DomainError, RateLimited
from masteria.observability import logger
from masteria.outbound import send
from masteria.templates import whatsapp
from masteria.templates.models import WhatsAppTemplate
from masteria.templates.rendering import contact_values

if TYPE_CHECKING:
    from masteria.bootstrap import Container

EARLY = timedelta(milliseconds=500)  # a job this much before its part's time is early: it waits again
ORDER_WAIT = timedelta(seconds=2)  # the part before is still going: try again in this long…
ORDER_GIVE_UP = timedelta(minutes=2)  # …until it is this late (its job lost for good: it is cancelled)


# ---- planning -----------------------------------------------------------------------------------------------


def plan(
    session: Session,
    *,
    burst: AiBurst,
    persona: PersonaVersion,
    texts: Sequence[str],
    purpose: str,
    read: str,
    now: datetime,
    decision_id: int | None,
    rng: random.Random,
    template_id: uuid.UUID | None = None,
) -> list[AiReplyPart]:
    """The answer's parts, each at its humanized time after ``now``, with its delayed job (in the caller's
    transaction)."""
    planned = humanize.plan(texts, read=read, start=now, rng=rng)
    parts = []
    for position, item in enumerate(planned):
        part = AiReplyPart(
            id=uuid.uuid4(),
            company_id=burst.company_id,
            burst_id=burst.id,
            conversation_id=burst.conversation_id,
            position=position,
            parts=len(planned),
            purpose=purpose,
            kind="template" if template_id is not None else "text",
            text=item.text,
            template_id=template_id,
            send_at=item.send_at,
            message_id=uuid.uuid4(),
            persona_id=persona.persona_id,
            persona_version=persona.version,
            decision_id=decision_id,
        )
        session.add(part)
        parts.append(part)
    session.flush()
    for part in parts:
        record_part(session, company_id=part.company_id, part_id=part.id, send_at=part.send_at)
    return parts


# ---- the typing indicator -----------------------------------------------------------------------------------


def typing(container: Container, *, company_id: uuid.UUID, burst_id: uuid.UUID) -> None:
    """WhatsApp's typing indicator on the burst's last message (best effort: a failure only loses the dots)."""
    try:
        with container.database.tenant(company_id) as session:
            burst = session.get(AiBurst, burst_id)
            message = session.get(Message, burst.last_message_id) if burst is not None else None
            if message is None:
                return
            connection = session.get_one(ChannelConnection, message.connection_id)
            path = send.route(session, container.company_keys, container.providers, connection)
        path.provider.typing(message.wamid, path.config)
    except Exception:
        logger.warning("typing indicator not shown", extra={"burst_id": str(burst_id)}, exc_info=True)


# ---- sending ------------------------------------------------------------------------------------------------


def human_reply_since(session: Session, conversation_id: uuid.UUID, since: datetime) -> bool:
    """Whether a message went out in the conversation since ``since`` that is none of the AI's parts."""
    ai = select(AiReplyPart.message_id).where(AiReplyPart.conversation_id == conversation_id)
    found = session.scalar(
        select(Message.id)
        .where(
            Message.conversation_id == conversation_id,
            Message.direction == "out",
            Message.sent_at >= since,
            Message.id.not_in(ai),
        )
        .limit(1)
    )
    return found is not None


def _cancel_rest(session: Session, part: AiReplyPart, reason: str) -> None:
    session.execute(
        update(AiReplyPart)
        .where(
            AiReplyPart.burst_id == part.burst_id,
            AiReplyPart.position > part.position,
            AiReplyPart.state == "planned",
        )
        .values(state="cancelled", reason=reason[:300])
        .execution_options(synchronize_session=False)
    )


def _still_wanted(session: Session, part: AiReplyPart, started_at: datetime, state: AiConversationState) -> str | None:
    """Why ``part`` must not go now (None: it may)."""
    if part.purpose == "handoff":
        if state.status != states.HANDED_OFF:
            return f"ai_{state.status}"
    elif state.status != states.ACTIVE:
        return state.paused_reason or f"ai_{state.status}"
    if human_reply_since(session, part.conversation_id, started_at):
        return states.HUMAN_REPLY
    return None


def _previous(session: Session, part: AiReplyPart) -> AiReplyPart | None:
    if part.position == 0:
        return None
    return session.scalars(
        select(AiReplyPart).where(AiReplyPart.burst_id == part.burst_id, AiReplyPart.position == part.position - 1)
    ).first()


def _recent_sends(session: Session, conversation_id: uuid.UUID, now: datetime) -> Callable[[timedelta], list[datetime]]:
    def within(span: timedelta) -> list[datetime]:
        return list(
            session.scalars(
                select(Message.sent_at).where(
                    Message.conversation_id == conversation_id,
                    Message.direction == "out",
                    Message.sent_at > now - span,
                )
            )
        )

    return within


def template_message(
    session: Session,
    template_id: uuid.UUID | None,
    contact: Contact,
    to: str,
    *,
    parameters: dict[str, str] | None = None,
    defaults: dict[str, str] | None = None,
) -> tuple[OutboundMessage, dict[str, Any]]:
    """A WhatsApp template filled from the contact (``parameters`` and ``defaults`` over the template's own, as a
    campaign's): the message to send and the content the inbox stores (an AI part's, an automation's send)."""
    template = session.get_one(WhatsAppTemplate, template_id)
    values = contact_values(read_contact(session, contact).model_dump())
    filled = whatsapp.fill(template, values, parameters=parameters, defaults=defaults)
    components = list(filled.send_components)
    sent = {"name": template.name, "language": template.language, "components": components}
    shown = {"name": template.name, "language": {"code": template.language}, "components": components}
    return OutboundMessage(to=to, kind="template", template=sent), {"template": shown}


class _NotNow(Exception):
    """The part does not go now (found under the locks, as it was to be claimed): what to do instead."""

    def __init__(self, outcome: str, *, reason: str | None = None, retry_at: datetime | None = None) -> None:
        super().__init__(outcome)
        self.outcome, self.reason, self.retry_at = outcome, reason, retry_at


@dataclass
class _PartLedger(ReplyLedger):
    """The inbox's reply ledger, the part's checks first: under the conversation's lock and the AI state's, in
    the transaction that claims the reply's row, the part is found still planned and wanted and marked
    ``sending``, so the claim and the mark commit together, before the request (one commit, not two)."""

    part_id: uuid.UUID = field(default_factory=uuid.uuid4)
    conversation: Conversation | None = None  # as the send's first read found it (its AI state exists by then)

    def claim(self, session: Session) -> str:
        # the conversation locked first (then its AI state: the usual order), and the part checked before the
        # reply's row is written: another delivery of this job that claimed it already is found here
        session.execute(select(Conversation.id).where(Conversation.id == self.conversation_id).with_for_update())
        conversation = self.conversation or session.get_one(Conversation, self.conversation_id)
        state = states.lock(session, conversation, now=self.now)
        part, started_at = session.execute(
            select(AiReplyPart, AiBurst.started_at)
            .join(AiBurst, AiBurst.id == AiReplyPart.burst_id)
            .where(AiReplyPart.id == self.part_id)
            .with_for_update(of=AiReplyPart)
            .execution_options(populate_existing=True)
        ).one()
        if part.state != "planned":  # raised: this transaction, the reply's row with it, is rolled back
            raise _NotNow(part.state)
        previous = _previous(session, part)
        if previous is not None and previous.state not in FINAL_PART_STATES:
            if self.now < previous.send_at + ORDER_GIVE_UP:
                raise _NotNow("waiting", retry_at=self.now + ORDER_WAIT)
            if previous.state == "planned":  # its job is lost: it never goes
                previous.state, previous.reason = "cancelled", "overtaken"
        why_not = _still_wanted(session, part, started_at, state)
        if why_not is not None:
            raise _NotNow("cancelled", reason=why_not)
        reference = super().claim(session)  # the reply's row (the conversation's lock is this transaction's)
        part.state = "sending"
        return reference


def _not_now(container: Container, company_id: uuid.UUID, part_id: uuid.UUID, not_now: _NotNow) -> str:
    """What a part that did not go becomes: tried again later, or cancelled with the parts after it."""
    with container.database.tenant(company_id) as session:
        part = session.get_one(AiReplyPart, part_id, with_for_update=True, populate_existing=True)
        if not_now.retry_at is not None and part.state == "planned":
            record_part(session, company_id=company_id, part_id=part_id, send_at=not_now.retry_at)
        elif not_now.outcome == "cancelled" and part.state == "planned":
            reason = not_now.reason or "cancelled"
            part.state, part.reason = "cancelled", reason[:300]
            _cancel_rest(session, part, reason)
            states.finish(session, part.burst_id, container.clock.now())
    return not_now.outcome


def send_part(container: Container, job: PartJob) -> str:
    """Send one part, at most once (see the module's docstring): what became of it."""
    db, clock = container.database, container.clock
    now = clock.now()
    with db.tenant(job.company_id) as session:  # what the send needs (the checks are the claim's, under its locks)
        part = session.get(AiReplyPart, job.part_id)
        if part is None:
            return "gone"
        if part.state != "planned":
            return part.state
        if now < part.send_at - EARLY:  # delivered early: wait again for its time
            record_part(session, company_id=part.company_id, part_id=part.id, send_at=part.send_at)
            return "early"
        conversation, contact, connection = session.execute(
            select(Conversation, Contact, ChannelConnection)
            .join(Contact, Contact.id == Conversation.contact_id)
            .join(ChannelConnection, ChannelConnection.id == Conversation.connection_id)
            .where(Conversation.id == part.conversation_id)
        ).one()
        path = send.route(session, container.company_keys, container.providers, connection)
        to = contact.phone.removeprefix("+")
        if part.kind == "template":
            try:
                message, content = template_message(session, part.template_id, contact, to)
            except DomainError as error:  # the template changed (a variable with no value now): nothing goes
                part.state, part.reason = "refused", error.detail[:300]
                _cancel_rest(session, part, "the template cannot be filled")
                states.finish(session, part.burst_id, now)
                return "refused"
        else:
            message, content = OutboundMessage(to=to, kind="text", text=part.text), {"text": {"body": part.text}}
        content["ai"] = {
            "persona_id": str(part.persona_id) if part.persona_id else None,
            "persona_version": part.persona_version,
            "part": part.position + 1,
            "parts": part.parts,
        }
        recipient = send.Recipient(phone=to, contact_id=contact.id, last_inbound_at=conversation.last_inbound_at)
        part_id, burst_id, position, count = part.id, part.burst_id, part.position, part.parts

    def admit(on: Session) -> None:
        recent = _recent_sends(on, conversation.id, now)
        send.admit(on, path, recipient, message, origin=send.Origin.AI, now=now, recent_sends=recent)

    ledger = _PartLedger(
        company_id=conversation.company_id,
        connection_id=conversation.connection_id,
        conversation_id=conversation.id,
        contact_id=contact.id,
        admit=admit,
        kind="template" if part.kind == "template" else "text",
        text=part.text,
        content=content,
        reply_to_wamid=None,
        now=now,
        message_id=part.message_id,
        part_id=part_id,
        conversation=conversation,
    )
    result, reason = "unknown", None
    try:
        outcome = send.deliver(db, path, message, ledger, origin=send.Origin.AI)
        if outcome.category is Outcome.SENT:
            result = "sent"
        elif outcome.category is not Outcome.UNKNOWN:
            result, reason = "refused", (outcome.reason or outcome.category.value)
    except _NotNow as not_now:  # nothing was claimed: the part is as it was
        return _not_now(container, conversation.company_id, part_id, not_now)
    except RateLimited as error:  # the pair rate: the part waits its turn (nothing was claimed)
        later = now + timedelta(seconds=int(error.params.get("seconds", 1)))
        return _not_now(container, conversation.company_id, part_id, _NotNow("rate_limited", retry_at=later))
    except DomainError as error:  # refused before anything went out: consent, the window, the content
        result, reason = "refused", error.detail
    except Exception:  # after the request may have left: recorded unknown by the ledger, never sent again
        logger.exception("an AI reply part's send failed", extra={"part_id": str(part_id)})
    with db.tenant(conversation.company_id) as session:
        row = session.get_one(AiReplyPart, part_id, with_for_update=True, populate_existing=True)
        row.state, row.sent_at = result, now if result in ("sent", "unknown") else None
        row.reason = reason[:300] if reason else None
        if result == "refused":
            _cancel_rest(session, row, f"part {position + 1} refused")
        states.finish(session, burst_id, clock.now())
    if result in ("sent", "unknown") and position + 1 < count:
        typing(container, company_id=conversation.company_id, burst_id=burst_id)
    return result
