"""The domain events that end enrollments or mark them, consumed by ``functions/workers/cadence_events``.

- ``message.received``: the customer wrote — each live enrollment of the contact notes it (``replied_at``, and the
  step the first reply answered, for statistics) and, in cadences with ``exit_on_reply``, exits (``replied``);
- ``contact.opted_out``: exits every live enrollment in cadences on that channel (always);
- ``lead.stage_changed`` / ``lead.won`` / ``lead.lost``: in cadences with ``exit_on_stage_change``, exits the
  contact's enrollments (those on that lead, or on no lead) as ``stage_changed``, ``won`` or ``lost`` — not when
  the change was the enrollment's own ``move_lead`` step;
- ``contact.tag_added``: exits the contact's enrollments in cadences whose goal is that tag (``goal_tag``);
- ``contact.created`` / ``contact.updated`` / ``contact.tag_added`` / ``contact.tag_removed``: continuous segments
  enroll a contact that entered them.

Every handler is idempotent (only live enrollments change): a redelivered event changes nothing more. The tick
checks replies, opt-outs and the goal tag again before each step, so a late event never lets a step through."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, not_, or_, select, text
from sqlalchemy.orm import InstrumentedAttribute, Session

from masteria.cadences.enrollment import exit_where
from masteria.cadences.models import Cadence, Enrollment, EnrollmentStep
from masteria.cadences.segments import on_contact
from masteria.channels.models import PROVIDER_CHANNELS, ChannelConnection
from masteria.db import Database
from masteria.events import EventType
from masteria.pipelines.models import Lead, Stage
from masteria.ports import Clock, PublishedEvent

EVENT_TYPES: tuple[str, ...] = tuple(
    t.value
    for t in (
        EventType.MESSAGE_RECEIVED,
        EventType.CONTACT_OPTED_OUT,
        EventType.LEAD_STAGE_CHANGED,
        EventType.LEAD_WON,
        EventType.LEAD_LOST,
        EventType.CONTACT_TAG_ADDED,
        EventType.CONTACT_TAG_REMOVED,
        EventType.CONTACT_CREATED,
        EventType.CONTACT_UPDATED,
    )
)
_MARK_REPLIED = text(
    "UPDATE cadence_enrollments e SET replied_at = GREATEST(e.replied_at, CAST(:at AS timestamptz)),"
    " replied_after_step = COALESCE(e.replied_after_step, (SELECT max(h.step_index) FROM cadence_enrollment_steps h"
    "   WHERE h.enrollment_id = e.id AND h.outcome = 'sent')), updated_at = now()"
    " WHERE e.contact_id = :contact AND e.state IN ('active', 'sending') AND e.enrolled_at <= CAST(:at AS timestamptz)"
)


def mark_replied(session: Session, *, contact_id: uuid.UUID, at: datetime) -> None:
    """The contact wrote at ``at``: its live enrollments (enrolled before) note it."""
    session.execute(_MARK_REPLIED, {"contact": contact_id, "at": at})


def _cadences(condition: ColumnElement[bool] | InstrumentedAttribute[bool]) -> ColumnElement[bool]:
    return Enrollment.cadence_id.in_(select(Cadence.id).where(condition))


def replied(session: Session, *, contact_id: uuid.UUID, at: datetime, now: datetime) -> int:
    mark_replied(session, contact_id=contact_id, at=at)
    chosen = [Enrollment.contact_id == contact_id, Enrollment.enrolled_at <= at, _cadences(Cadence.exit_on_reply)]
    return exit_where(session, chosen=chosen, reason="replied", now=now)


def opted_out(session: Session, *, contact_id: uuid.UUID, channel: str, now: datetime) -> int:
    providers = [p for p, c in PROVIDER_CHANNELS.items() if c == channel]
    on_channel = select(ChannelConnection.id).where(ChannelConnection.provider.in_(providers))
    cadences = or_(Cadence.connection_id.is_(None), Cadence.connection_id.in_(on_channel))
    return exit_where(session, chosen=[Enrollment.contact_id == contact_id, _cadences(cadences)], reason="opted_out",
                      now=now)  # fmt: skip


def stage_changed(session: Session, *, lead_id: uuid.UUID, version: int, reason: str | None, now: datetime) -> int:
    """The lead changed stage (its version now ``version``): exit the contact's enrollments that exit on it
    (``reason`` None: read from the lead's stage, won or lost or stage_changed)."""
    lead = session.get(Lead, lead_id)
    if lead is None:
        return 0
    if reason is None:
        semantic = session.scalar(select(Stage.semantic_type).where(Stage.id == lead.stage_id))
        reason = semantic if semantic in ("won", "lost") else "stage_changed"
    own_move = exists().where(
        EnrollmentStep.enrollment_id == Enrollment.id,
        EnrollmentStep.kind == "move_lead",
        EnrollmentStep.detail["lead_id"].astext == str(lead_id),
        func.coalesce(EnrollmentStep.detail["lead_version"].astext, "") == str(version),
    )
    chosen = [
        Enrollment.contact_id == lead.contact_id,
        or_(Enrollment.lead_id.is_(None), Enrollment.lead_id == lead_id),
        _cadences(Cadence.exit_on_stage_change),
        not_(own_move),
    ]
    return exit_where(session, chosen=chosen, reason=reason, now=now)


def goal_reached(session: Session, *, contact_id: uuid.UUID, tag_id: uuid.UUID, now: datetime) -> int:
    """The contact got ``tag_id``: exit its enrollments in cadences whose goal it is."""
    chosen = [Enrollment.contact_id == contact_id, _cadences(Cadence.goal_tag_id == tag_id)]
    return exit_where(session, chosen=chosen, reason="goal_tag", now=now)


def on_event(*, db: Database, clock: Clock, event: PublishedEvent) -> str:
    """Apply one domain event to the company's enrollments; what it did (for the log)."""
    kind, data, now = EventType(event.type), event.data, clock.now()
    with db.tenant(event.company_id) as session:
        if kind is EventType.MESSAGE_RECEIVED:
            ended = replied(session, contact_id=uuid.UUID(data["contact_id"]), at=event.occurred_at, now=now)
            return f"replied:{ended}"
        if kind is EventType.CONTACT_OPTED_OUT:
            ended = opted_out(session, contact_id=uuid.UUID(data["contact_id"]), channel=data["channel"], now=now)
            return f"opted_out:{ended}"
        if kind in (EventType.LEAD_STAGE_CHANGED, EventType.LEAD_WON, EventType.LEAD_LOST):
            reason = {EventType.LEAD_WON: "won", EventType.LEAD_LOST: "lost"}.get(kind)
            ended = stage_changed(
                session, lead_id=uuid.UUID(data["lead_id"]), version=int(data["version"]), reason=reason, now=now
            )
            return f"lead:{ended}"
        contact_id, reached = uuid.UUID(data["contact_id"]), 0
        if kind is EventType.CONTACT_TAG_ADDED:
            reached = goal_reached(session, contact_id=contact_id, tag_id=uuid.UUID(data["tag_id"]), now=now)
        enrolled = on_contact(session, contact_id=contact_id, now=now)
        return f"goal:{reached},segment:{enrolled}" if kind is EventType.CONTACT_TAG_ADDED else f"segment:{enrolled}"
