"""Claiming a number's due cadence sends: ``pending`` → ``sending``, with their send slots reserved on the number's
shared lane, committed *before* any request goes out (the bulk pipeline's claim, ``outbound.bulk``).

The send rows are locked (``SKIP LOCKED``): a send is claimed by one worker only, whatever the queue delivers twice;
then their enrollments, each of which must still be ``sending``: one that exited before the claim (a reply, an
opt-out, by hand: the exit takes the enrollment's lock, which the claim waits for) is skipped as ``exited`` and never
sent, in every case; one that exits after the claim committed exits after its step went out. The others are sorted by
the one outbound path's rules: skipped (invalid number, opted out of the number's channel, values that do not fill
the message, content the provider refuses, a text outside the 24-hour window with no fallback) and settled for
their cadence, or failed (our bug)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from masteria.cadences import send_ledger, send_messages
from masteria.cadences.models import Enrollment
from masteria.cadences.send_messages import Cache
from masteria.cadences.send_models import CadenceSend
from masteria.cadences.sending import TABLE
from masteria.cadences.steps import SendTextStep
from masteria.channels.providers.port import Channel, Limits, OutboundMessage
from masteria.contacts import consent
from masteria.contacts.models import Contact
from masteria.conversations.models import Conversation
from masteria.db import Database
from masteria.errors import FieldError
from masteria.observability import logger
from masteria.outbound import bulk, bulk_ledger, send
from masteria.pipelines.models import Lead
from masteria.ports import Clock

__all__ = ["Cache", "Scope", "claim"]

EXITED = "exited"


@dataclass
class Scope:
    """What claiming needs of the number, read once per drive; ``rate`` slows on the provider's rate limits."""

    company_id: uuid.UUID
    connection_id: uuid.UUID
    channel: Channel
    limits: Limits
    check: Callable[[OutboundMessage], Sequence[FieldError]]  # the provider's check of a message's content
    rate: float

    @classmethod
    def of(cls, route: send.Route) -> Scope:
        return cls(
            company_id=route.company_id,
            connection_id=route.connection_id,
            channel=route.channel,
            limits=route.limits,
            check=lambda message: route.provider.check(message, route.config),
            rate=route.rate,
        )


def claim(
    db: Database,
    scope: Scope,
    cache: Cache,
    *,
    clock: Clock,
    batch_seconds: float,
    max_batch: int,
    lease_seconds: float,
) -> bulk.Claim:
    """Claim the number's next due sends (about ``batch_seconds`` of sending at its rate, at most ``max_batch``)
    and reserve their slots, in one committed transaction; the sends settled on the way are settled for their
    cadences in it too."""
    with db.tenant(scope.company_id) as session:
        now = clock.now()
        size = max(1, min(max_batch, int(scope.rate * batch_seconds)))
        # the due sends first, in the order of the number's pending index (no join: a claim reads only its batch
        # of 100,000 sends due at once), locked; then their enrollments (a live exit's lock is waited for: its
        # state is then read as it committed), contacts and leads
        ids = session.scalars(
            select(CadenceSend.id)
            .where(
                CadenceSend.connection_id == scope.connection_id,
                CadenceSend.status == "pending",
                CadenceSend.next_attempt_at <= now,
            )
            .order_by(CadenceSend.next_attempt_at)
            .limit(size)
            .with_for_update(skip_locked=True)
        ).all()
        found = {row.id: row for row in _details(session, scope, ids)} if ids else {}
        rows = [found[i] for i in ids]
        if not rows:
            next_due = session.scalar(
                select(func.min(CadenceSend.next_attempt_at)).where(
                    CadenceSend.connection_id == scope.connection_id, CadenceSend.status == "pending"
                )
            )
            return bulk.Claim(batch=bulk.Batch(), next_due=next_due)
        sorting = bulk.Sorting()
        for row in rows:
            _sort(session, scope, cache, sorting, row, now=now)
        bulk_ledger.settle_sorted(session, TABLE, sorting, now)
        for _, trace in sorting.broken:  # our bug: the send fails, the others go on (the type only: no values)
            logger.error("a cadence send broke the worker", extra={"error": trace.strip().splitlines()[-1][:80]})
        send_ledger.settle(
            session,
            [(i, "skipped", {"reason": why}, now) for i, why in sorting.skipped]
            + [(i, "failed", {"error_reason": "worker_error"}, now) for i, _ in sorting.broken],
        )
        claimed = bulk.reserve(
            session,
            sorting.batch,
            company_id=scope.company_id,
            connection_id=scope.connection_id,
            rate=scope.rate,
            units=scope.limits.units,
            lease_seconds=lease_seconds,
        )
        bulk_ledger.mark_sending(session, TABLE, claimed, now)
        return claimed


def _details(session: Session, scope: Scope, ids: Sequence[int]) -> Sequence[Any]:
    """What a claimed send needs: its enrollment's state (locked), its contact's values and consent on the
    number's channel, their 24-hour window on this number, the enrollment's lead."""
    return session.execute(
        select(
            CadenceSend.id,
            CadenceSend.phone,
            CadenceSend.cadence_id,
            CadenceSend.step_index,
            Enrollment.state,
            Enrollment.version,
            Contact.name,
            Contact.email,
            Contact.language,
            Contact.custom_fields,
            Contact.is_valid,
            consent.opted_out(scope.channel, CadenceSend.contact_id).label("opted_out"),
            Conversation.last_inbound_at,
            Lead.title.label("lead_title"),
            Lead.value.label("lead_value"),
            Lead.currency.label("lead_currency"),
            Lead.next_step.label("lead_next_step"),
            Lead.due_date.label("lead_due_date"),
            Lead.custom_fields.label("lead_custom_fields"),
        )
        .join(Enrollment, Enrollment.id == CadenceSend.enrollment_id)
        .join(Contact, Contact.id == CadenceSend.contact_id)
        .outerjoin(
            Conversation,
            and_(Conversation.connection_id == scope.connection_id, Conversation.contact_id == Contact.id),
        )
        .outerjoin(Lead, Lead.id == Enrollment.lead_id)
        .where(CadenceSend.id.in_(list(ids)))
        .order_by(Enrollment.id)  # locked in one order by every claim
        .with_for_update(of=Enrollment)
    ).all()


def _sort(session: Session, scope: Scope, cache: Cache, sorting: bulk.Sorting, row: Any, *, now: Any) -> None:
    """One due send into the batch, or settled on the way."""
    if row.state != "sending":  # the enrollment exited before the claim: its send never goes
        sorting.skipped.append((row.id, EXITED))  # recorded in its history; the enrollment keeps its end
        return
    if row.opted_out or not row.is_valid:
        sorting.skipped.append((row.id, "opted out" if row.opted_out else "invalid number"))
        return
    step = cache.step(session, row.cadence_id, row.version, row.step_index)
    if step is None:
        sorting.broken.append((row.id, f"LookupError: no send step {row.step_index} in this version"))
        return
    window_open = send.window_open(scope.limits, row.last_inbound_at, now)
    if isinstance(step, SendTextStep) and not window_open and step.fallback is None:
        sorting.skipped.append((row.id, "window closed"))  # the step says skip
        return
    sorting.take(
        row.id,
        lambda: send_messages.message(
            session, cache, step, row, window_open=window_open, opaque_kinds=scope.limits.opaque_kinds
        ),
        scope.check,
        sms=scope.channel == "sms",
    )
