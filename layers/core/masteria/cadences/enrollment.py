"""Enrolling contacts in a cadence and ending enrollments, one or many in one statement.

A contact is in a cadence at most once at a time (the partial unique index on live enrollments is the last word);
once ended, again only when the cadence allows re-enrollment — never from its segment, which enrolls each contact
once. A contact opted out on the cadence's channel is not enrolled. An enrollment starts at step 0, due now (the
tick runs it); ``cadence.enrolled`` and ``cadence.exited`` are recorded with each change."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, DateTime, Integer, String, and_, cast, exists, literal, not_, select, text, update
from sqlalchemy.dialects.postgresql import UUID, insert
from sqlalchemy.orm import Session

from masteria.cadences.models import LIVE, LIVE_STATES, Cadence, Enrollment
from masteria.channels.models import PROVIDER_CHANNELS, ChannelConnection
from masteria.contacts.models import Contact, ContactConsent
from masteria.errors import NotFound, StateConflict
from masteria.event_payloads import CadenceEnrolledPayload, CadenceExitedPayload
from masteria.events import record_event

ENROLLABLE = ("active", "paused")  # a paused cadence takes enrollments: they run once it is active again


def cadence_or_404(session: Session, cadence_id: uuid.UUID, *, lock: bool = False) -> Cadence:
    statement = select(Cadence).where(Cadence.id == cadence_id)
    found = session.scalars(statement.with_for_update() if lock else statement).first()
    if found is None:
        raise NotFound("cadence not found")
    return found


def _uuid(value: uuid.UUID | None) -> ColumnElement[uuid.UUID]:
    return cast(literal(value), UUID(as_uuid=True))


def _channel(session: Session, cadence: Cadence) -> str | None:
    connection = session.get(ChannelConnection, cadence.connection_id) if cadence.connection_id else None
    return PROVIDER_CHANNELS.get(connection.provider) if connection is not None else None


def _eligible(session: Session, cadence: Cadence, source: str) -> ColumnElement[bool]:
    """Contacts this cadence may enroll now from ``source``: not in it now, not through it before (unless it allows
    re-enrollment and this is no segment's), not opted out on its channel."""
    mine = and_(Enrollment.cadence_id == cadence.id, Enrollment.contact_id == Contact.id)
    again = cadence.allow_reenrollment and source != "segment"
    seen = exists().where(mine, Enrollment.state.in_(LIVE_STATES)) if again else exists().where(mine)
    conditions = [not_(seen)]
    channel = _channel(session, cadence)
    if channel is not None:
        conditions.append(
            not_(
                exists().where(
                    ContactConsent.contact_id == Contact.id,
                    ContactConsent.channel == channel,
                    ContactConsent.status == "opted_out",
                )
            )
        )
    return and_(*conditions)


def enroll_where(
    session: Session,
    *,
    cadence: Cadence,
    chosen: ColumnElement[bool],
    source: str,
    now: datetime,
    lead_id: uuid.UUID | None = None,
    enrolled_by: uuid.UUID | None = None,
) -> list[Enrollment]:
    """Enroll the eligible contacts matching ``chosen`` (a condition on ``contacts``) in one statement; the new
    enrollments (a contact enrolled meanwhile by another transaction is skipped)."""
    if cadence.status not in ENROLLABLE:
        raise StateConflict(f"a {cadence.status} cadence takes no enrollments", current_state=cadence.status)
    at = cast(literal(now), DateTime(timezone=True))
    selection = select(
        _uuid(cadence.company_id), _uuid(cadence.id), cast(literal(cadence.current_version), Integer), Contact.id,
        _uuid(lead_id), cast(literal(source), String), at, at, _uuid(enrolled_by),
    ).where(chosen, _eligible(session, cadence, source))  # fmt: skip
    columns = [
        "company_id", "cadence_id", "version", "contact_id", "lead_id", "source", "next_due_at", "enrolled_at",
        "enrolled_by",
    ]  # fmt: skip
    statement = (
        insert(Enrollment)
        .from_select(columns, selection)
        .on_conflict_do_nothing(index_elements=["cadence_id", "contact_id"], index_where=text(LIVE))
        .returning(Enrollment)
    )
    rows = list(session.scalars(statement))
    for row in rows:
        record_event(
            session,
            company_id=row.company_id,
            payload=CadenceEnrolledPayload(
                cadence_id=row.cadence_id, enrollment_id=row.id, contact_id=row.contact_id, version=row.version,
                source=source, lead_id=row.lead_id,
            ),
        )  # fmt: skip
    return rows


def enroll(
    session: Session,
    *,
    company_id: uuid.UUID,
    cadence_id: uuid.UUID,
    contact_id: uuid.UUID,
    source: str,
    now: datetime,
    lead_id: uuid.UUID | None = None,
    enrolled_by: uuid.UUID | None = None,
) -> Enrollment | None:
    """Enroll one contact (an automation's action, a campaign reply, the API); None when it is in the cadence
    already, went through it and may not again, or is opted out. 404 for an unknown cadence, 409 when it is not
    active or paused."""
    cadence = cadence_or_404(session, cadence_id)
    assert cadence.company_id == company_id, "the transaction is the company's"
    rows = enroll_where(
        session, cadence=cadence, chosen=Contact.id == contact_id, source=source, now=now, lead_id=lead_id,
        enrolled_by=enrolled_by,
    )  # fmt: skip
    return rows[0] if rows else None


def exit_where(session: Session, *, chosen: Sequence[ColumnElement[bool]], reason: str, now: datetime) -> int:
    """End the live enrollments matching ``chosen`` with ``reason``, in one statement (a send in flight is then
    skipped by the sender's claim, which reads the enrollment's state under its lock); how many ended."""
    ended = session.execute(
        update(Enrollment)
        .where(*chosen, Enrollment.state.in_(LIVE_STATES))
        .values(state="exited", exit_reason=reason, ended_at=now, next_due_at=None)
        .returning(
            Enrollment.company_id, Enrollment.cadence_id, Enrollment.id, Enrollment.contact_id, Enrollment.version,
            Enrollment.step_index,
        )
    ).all()  # fmt: skip
    for company_id, cadence_id, enrollment_id, contact_id, version, step_index in ended:
        record_event(
            session,
            company_id=company_id,
            payload=CadenceExitedPayload(
                cadence_id=cadence_id, enrollment_id=enrollment_id, contact_id=contact_id, version=version,
                reason=reason, step_index=step_index,
            ),
        )  # fmt: skip
    return len(ended)


def exit_contact(
    session: Session, *, company_id: uuid.UUID, cadence_id: uuid.UUID, contact_id: uuid.UUID, reason: str, now: datetime
) -> bool:
    """End the contact's live enrollment in the cadence (an automation's action: reason ``automation``); False when
    it has none."""
    del company_id  # the transaction's company: RLS scopes the statement
    chosen = [Enrollment.cadence_id == cadence_id, Enrollment.contact_id == contact_id]
    return exit_where(session, chosen=chosen, reason=reason, now=now) > 0


def exit_contacts_everywhere(
    session: Session, *, contact_id: uuid.UUID, reason: str, now: datetime, cadences: ColumnElement[bool] | None = None
) -> int:
    """End the contact's live enrollments in every cadence (matching ``cadences``, a condition on ``Cadence``)."""
    chosen: list[ColumnElement[bool]] = [Enrollment.contact_id == contact_id]
    if cadences is not None:
        chosen.append(Enrollment.cadence_id.in_(select(Cadence.id).where(cadences)))
    return exit_where(session, chosen=chosen, reason=reason, now=now)
