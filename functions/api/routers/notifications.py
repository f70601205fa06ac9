"""In-app notifications of the caller's company."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from functions.api.deps import CallerDep, ContainerDep, PageDep
from masteria.notifications import service
from masteria.notifications.service import NotificationRead
from masteria.pagination import Page

router = APIRouter(prefix="/v1/notifications", tags=["notifications"])


@router.get("", response_model=Page[NotificationRead])
def list_notifications(caller: CallerDep, page: PageDep, unread: bool = False) -> Page[NotificationRead]:
    """Newest first; `?unread=true` for the unread ones only."""
    return service.list_notifications(session=caller.session, actor=caller.principal, page=page, unread=unread)


@router.post("/{notification_id}/read", response_model=NotificationRead)
def mark_read(notification_id: uuid.UUID, caller: CallerDep, container: ContainerDep) -> NotificationRead:
    return service.mark_read(
        session=caller.session, actor=caller.principal, notification_id=notification_id, now=container.clock.now()
    )
