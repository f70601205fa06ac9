"""Enrolling a cadence's segment: once when the cadence is first activated (``once``), and then, for ``continuous``,
each contact that enters it — checked when a contact is created or changed (the event consumer) and, for what no
event tells (a tag, a list, an import), by the tick every ``SYNC_EVERY``. The segment enrolls each contact once
(re-enrollment is for explicit enrollments)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select, text
from sqlalchemy.orm import Session

from masteria.cadences.enrollment import enroll_where
from masteria.cadences.models import Cadence
from masteria.contacts import segments
from masteria.contacts.models import Contact, Segment
from masteria.contacts.segments import SegmentFilter
from masteria.db import Database
from masteria.ports import Clock

SYNC_EVERY = timedelta(minutes=5)


def enroll_segment(session: Session, cadence: Cadence, now: datetime, *, contact_id: uuid.UUID | None = None) -> int:
    """Enroll the cadence's segment's contacts not enrolled yet (``contact_id``: that contact only, if it matches);
    how many were enrolled. A deleted segment enrolls nobody."""
    row = session.get(Segment, cadence.segment_id) if cadence.segment_id else None
    if row is None or cadence.status != "active":
        return 0
    chosen = segments.condition(SegmentFilter.model_validate(row.filter))
    if contact_id is not None:
        chosen = and_(Contact.id == contact_id, chosen)
    return len(enroll_where(session, cadence=cadence, chosen=chosen, source="segment", now=now))


def on_contact(session: Session, *, contact_id: uuid.UUID, now: datetime) -> int:
    """A contact was created or changed: enroll it in each active continuous cadence whose segment it matches."""
    cadences = session.scalars(
        select(Cadence).where(Cadence.status == "active", Cadence.segment_mode == "continuous").order_by(Cadence.id)
    )
    return sum(enroll_segment(session, cadence, now, contact_id=contact_id) for cadence in cadences)


def _stale(now: datetime) -> ColumnElement[bool]:
    return and_(
        Cadence.status == "active",
        Cadence.segment_mode == "continuous",
        or_(Cadence.segment_synced_at.is_(None), Cadence.segment_synced_at <= now - SYNC_EVERY),
    )


def sync_due(*, db: Database, clock: Clock) -> int:
    """Every company's continuous cadences not synced for ``SYNC_EVERY``: enroll their segments' new contacts."""
    now = clock.now()
    with db.cadence_tick() as session:
        companies = list(
            session.scalars(
                text(
                    "SELECT DISTINCT company_id FROM cadences WHERE status = 'active' AND segment_mode = 'continuous'"
                    " AND (segment_synced_at IS NULL OR segment_synced_at <= :cutoff)"
                ),
                {"cutoff": now - SYNC_EVERY},
            )
        )
    enrolled = 0
    for company_id in companies:
        with db.tenant(company_id) as session:
            for cadence in session.scalars(select(Cadence).where(_stale(now)).with_for_update(skip_locked=True)):
                enrolled += enroll_segment(session, cadence, now)
                cadence.segment_synced_at = now
    return enrolled
