"""A send action's message: written ``pending`` in the run's transaction with its job on ``automation-sends``
(through the outbox: never a run without its job), then sent once by ``automation_sender`` through the one
outbound path as an inbox reply with no user behind it (``conversations.outbound.ReplyLedger``; origin
``automation``): consent, the 24-hour window, the pair rate and the number's pacer hold.

Sending one: under the send row's lock it is found still ``pending`` and marked ``sending`` in the transaction
that claims the reply's message (whose id is the send's), so a job delivered twice sends once; then ``sent``,
``unknown`` (the provider's status settles the message, never a resend) or ``refused`` with the reason."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.ai.parts import template_message
from masteria.automations.models import AutomationSend
from masteria.channels.models import ChannelConnection
from masteria.channels.providers.port import OutboundMessage, Outcome, SendOutcome
from masteria.contacts.models import Contact
from masteria.conversations.models import Conversation
from masteria.conversations.outbound import ReplyLedger
from masteria.conversations.replies import recent_replies
from masteria.errors import DomainError, FieldError, Invalid, RateLimited
from masteria.jobs import record_job
from masteria.observability import logger
from masteria.outbound import send
from masteria.schemas import StrictModel
from masteria.templates.models import WhatsAppTemplate

if TYPE_CHECKING:
    from masteria.bootstrap import Container

QUEUE = "automation-sends"


class SendJob(StrictModel):
    company_id: uuid.UUID
    send_id: uuid.UUID


def queue(session: Session, row: AutomationSend, *, deliver_at: datetime | None = None) -> None:
    body = SendJob(company_id=row.company_id, send_id=row.id).model_dump_json()
    record_job(session, company_id=row.company_id, queue=QUEUE, body=body, deliver_at=deliver_at)


class _NotPending(Exception):
    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


@dataclass
class _SendLedger(ReplyLedger):
    """The inbox's reply ledger, the send row checked and marked first, in the claim's transaction."""

    send_id: uuid.UUID = field(default_factory=uuid.uuid4)

    def claim(self, session: Session) -> str:
        row = session.get(AutomationSend, self.send_id, with_for_update=True, populate_existing=True)
        if row is None or row.status != "pending":  # raised: the claim's transaction is rolled back
            raise _NotPending(row.status if row is not None else "gone")
        reference = super().claim(session)
        row.status = "sending"
        return reference

    def record(self, session: Session, outcome: SendOutcome) -> None:
        super().record(session, outcome)
        row = session.get_one(AutomationSend, self.send_id, with_for_update=True, populate_existing=True)
        if outcome.category is Outcome.SENT:
            row.status, row.sent_at = "sent", self.now
        elif outcome.category is Outcome.UNKNOWN:
            row.status, row.sent_at = "unknown", self.now
        else:
            row.status, row.reason = "refused", (outcome.reason or outcome.category.value)[:300]


def _template(session: Session, row: AutomationSend, conversation: Conversation, contact: Contact, to: str) -> Any:
    template = session.get(WhatsAppTemplate, row.template_id) if row.template_id is not None else None
    if template is None or template.connection_id != conversation.connection_id or template.status != "APPROVED":
        raise Invalid(
            "the template cannot be sent here",
            [
                FieldError(
                    "template_id", "not an approved template of the conversation's number", code="unknown_template"
                )
            ],
        )
    filling = row.filling
    return template_message(session, template.id, contact, to, parameters=filling.get("parameters"),
                            defaults=filling.get("defaults"))  # fmt: skip


def _settle(container: Container, company_id: uuid.UUID, send_id: uuid.UUID, status: str, reason: str) -> None:
    with container.database.tenant(company_id) as session:
        row = session.get_one(AutomationSend, send_id, with_for_update=True, populate_existing=True)
        if row.status == "pending":
            row.status, row.reason = status, reason[:300]


def deliver(container: Container, body: str) -> str:
    """Send one automation message, at most once (see the module's docstring): what became of it."""
    job = SendJob.model_validate_json(body)
    db, now = container.database, container.clock.now()
    with db.tenant(job.company_id) as session:
        row = session.get(AutomationSend, job.send_id)
        if row is None or row.status != "pending":
            return row.status if row is not None else "gone"
        conversation, contact, connection = session.execute(
            select(Conversation, Contact, ChannelConnection)
            .join(Contact, Contact.id == Conversation.contact_id)
            .join(ChannelConnection, ChannelConnection.id == Conversation.connection_id)
            .where(Conversation.id == row.conversation_id)
        ).one()
        path = send.route(session, container.company_keys, container.providers, connection)
        to = contact.phone.removeprefix("+")
        try:
            if row.kind == "template":
                message, content = _template(session, row, conversation, contact, to)
            else:
                message, content = OutboundMessage(to=to, kind="text", text=row.text), {"text": {"body": row.text}}
        except DomainError as error:
            row.status, row.reason = "refused", error.detail[:300]
            return "refused"
        content["automation"] = {"rule_id": str(row.rule_id), "event_id": str(row.event_id)}
        recipient = send.Recipient(phone=to, contact_id=contact.id, last_inbound_at=conversation.last_inbound_at)
        shown = row.text if row.kind == "text" else None

    def admit(on: Session) -> None:
        recent = recent_replies(on, conversation.id, now)
        send.admit(on, path, recipient, message, origin=send.Origin.AUTOMATION, now=now, recent_sends=recent)

    ledger = _SendLedger(
        company_id=conversation.company_id, connection_id=conversation.connection_id,
        conversation_id=conversation.id, contact_id=contact.id, admit=admit, kind=row.kind, text=shown,
        content=content, reply_to_wamid=None, now=now, message_id=job.send_id, send_id=job.send_id,
    )  # fmt: skip
    try:
        outcome = send.deliver(db, path, message, ledger, origin=send.Origin.AUTOMATION)
    except _NotPending as not_pending:
        return not_pending.status
    except RateLimited as error:  # the pair rate: it waits its turn (nothing was claimed)
        with db.tenant(job.company_id) as session:
            later = now + timedelta(seconds=int(error.params.get("seconds", 1)))
            queue(session, session.get_one(AutomationSend, job.send_id), deliver_at=later)
        return "rate_limited"
    except DomainError as error:  # refused before anything went out: consent, the window, the content
        _settle(container, job.company_id, job.send_id, "refused", error.detail)
        return "refused"
    except Exception:  # after the request may have left: recorded unknown by the ledger, never sent again
        logger.exception("an automation's send failed", extra={"send_id": str(job.send_id)})
        return "unknown"
    return (
        "sent" if outcome.category is Outcome.SENT else "unknown" if outcome.category is Outcome.UNKNOWN else "refused"
    )
