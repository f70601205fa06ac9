"""Taking one batch of a company's due enrollments for the tick, with what their steps read of each contact.

The batch is locked ``FOR UPDATE SKIP LOCKED`` from the due index alone (a tick fired twice takes disjoint
batches; an enrollment another transaction moved on no longer matches once its lock is granted); the contacts,
their opt-outs and goal tags are then read by primary key (``= ANY``), so no plan depends on how fresh the tables'
statistics are — 100,000 enrollments enrolled a second ago are taken as fast as old ones."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from masteria.cadences.models import Cadence
from masteria.channels.models import PROVIDER_CHANNELS, ChannelConnection

_LOCK = text(
    "SELECT id, cadence_id, version, contact_id, lead_id, step_index, last_step_at, replied_at, enrolled_at"
    " FROM cadence_enrollments WHERE state = 'active' AND next_due_at <= :now"
    " AND cadence_id = ANY(CAST(:cadences AS uuid[]))"
    " ORDER BY next_due_at LIMIT :batch FOR UPDATE SKIP LOCKED"
)
_CONTACTS = text("SELECT id, phone, last_inbound_at FROM contacts WHERE id = ANY(CAST(:ids AS uuid[]))")
_OPTED_OUT = text(
    "SELECT contact_id, channel FROM contact_consents WHERE contact_id = ANY(CAST(:ids AS uuid[]))"
    " AND status = 'opted_out'"
)
_TAGGED = text(
    "SELECT contact_id, tag_id FROM contact_tags WHERE contact_id = ANY(CAST(:ids AS uuid[]))"
    " AND tag_id = ANY(CAST(:tags AS uuid[]))"
)


@dataclass(frozen=True)
class Due:
    """An enrollment whose step runs now, with what its steps read of the contact."""

    id: uuid.UUID
    cadence_id: uuid.UUID
    version: int
    contact_id: uuid.UUID
    lead_id: uuid.UUID | None
    step_index: int
    last_step_at: datetime | None
    replied_at: datetime | None
    enrolled_at: datetime
    phone: str
    last_inbound_at: datetime | None
    goal_reached: bool
    opted_out: bool

    def replied_since(self, at: datetime | None) -> bool:
        """Whether the customer wrote after ``at`` (none: since enrolling)."""
        since = at or self.enrolled_at
        return any(t is not None and t > since for t in (self.replied_at, self.last_inbound_at))


def take(session: Session, *, now: datetime, batch: int) -> tuple[dict[uuid.UUID, Cadence], list[Due]]:
    """The company's active cadences and up to ``batch`` of their due enrollments, locked, oldest due first."""
    cadences = {c.id: c for c in session.scalars(select(Cadence).where(Cadence.status == "active"))}
    if not cadences:
        return cadences, []
    rows = session.execute(_LOCK, {"now": now, "cadences": list(cadences), "batch": batch}).all()
    if not rows:
        return cadences, []
    ids = list({row.contact_id for row in rows})
    contacts = {c.id: c for c in session.execute(_CONTACTS, {"ids": ids})}
    opted = {(o.contact_id, o.channel) for o in session.execute(_OPTED_OUT, {"ids": ids})}
    goals = [c.goal_tag_id for c in cadences.values() if c.goal_tag_id is not None]
    tagged = (
        {(t.contact_id, t.tag_id) for t in session.execute(_TAGGED, {"ids": ids, "tags": goals})} if goals else set()
    )
    numbers = [c.connection_id for c in cadences.values() if c.connection_id is not None]
    chosen = select(ChannelConnection.id, ChannelConnection.provider).where(ChannelConnection.id.in_(numbers))
    providers: dict[uuid.UUID | None, str] = dict(session.execute(chosen).all())
    channels = {c.id: PROVIDER_CHANNELS.get(providers.get(c.connection_id, "")) for c in cadences.values()}
    due = []
    for row in rows:
        contact, cadence = contacts[row.contact_id], cadences[row.cadence_id]
        due.append(
            Due(
                **row._asdict(), phone=contact.phone, last_inbound_at=contact.last_inbound_at,
                goal_reached=(row.contact_id, cadence.goal_tag_id) in tagged,
                opted_out=(row.contact_id, channels[cadence.id]) in opted,
            )
        )  # fmt: skip
    return cadences, due
