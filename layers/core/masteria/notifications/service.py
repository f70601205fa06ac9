"""In-app notifications: raised by the domain (an endpoint disabled, a connection failing, a new appointment),
listed and marked read by the company's users, pushed live as ``notification.created`` events. One for a
single user (``user_id``: an appointment's reminder to its attendee) is that user's only."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from masteria.errors import NotFound
from masteria.event_payloads import NotificationCreatedPayload
from masteria.events import record_event
from masteria.notifications.models import Notification
from masteria.pagination import Page, PageRequest, paginate
from masteria.schemas import ReadModel
from masteria.tenancy.service import Principal


class NotificationRead(ReadModel):
    id: uuid.UUID
    user_id: uuid.UUID | None = Field(description="null: for every user of the company; set: for that user only")
    kind: str
    title: str
    body: str
    data: dict[str, Any]
    read_at: datetime | None
    created_at: datetime


def notify(
    session: Session,
    *,
    company_id: uuid.UUID,
    kind: str,
    title: str,
    body: str,
    data: dict[str, Any],
    user_id: uuid.UUID | None = None,
) -> Notification:
    """A notification for every user of the company, or for ``user_id`` only."""
    row = Notification(
        company_id=company_id, user_id=user_id, kind=kind, title=title[:200], body=body[:1000], data=data
    )
    session.add(row)
    session.flush()
    record_event(
        session,
        company_id=company_id,
        payload=NotificationCreatedPayload(notification_id=row.id, kind=kind, user_id=user_id),
    )
    return row


def _for(actor: Principal) -> ColumnElement[bool]:
    return Notification.user_id.is_(None) | (Notification.user_id == actor.user_id)


def list_notifications(
    *, session: Session, actor: Principal, page: PageRequest, unread: bool = False
) -> Page[NotificationRead]:
    statement = select(Notification).where(_for(actor))
    if unread:
        statement = statement.where(Notification.read_at.is_(None))
    rows, cursor = paginate(session, statement, keys=[Notification.created_at, Notification.id], page=page)
    return Page[NotificationRead](items=[NotificationRead.model_validate(r) for r in rows], next_cursor=cursor)


def mark_read(*, session: Session, actor: Principal, notification_id: uuid.UUID, now: datetime) -> NotificationRead:
    row = session.scalars(select(Notification).where(Notification.id == notification_id, _for(actor))).first()
    if row is None:
        raise NotFound("notification not found")
    if row.read_at is None:
        row.read_at = now
    session.flush()
    return NotificationRead.model_validate(row)
