from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.audit.models import AuditEntry
from masteria.pagination import Page, PageRequest, paginate
from masteria.schemas import ReadModel
from masteria.tenancy.models import Role
from masteria.tenancy.service import Principal


class AuditEntryRead(ReadModel):
    id: uuid.UUID
    actor_user_id: uuid.UUID | None
    action: str
    target_type: str | None
    target_id: uuid.UUID | None
    count: int
    details: dict[str, Any]
    created_at: datetime


def record(
    session: Session,
    *,
    actor: Principal,
    action: str,
    count: int,
    target_type: str | None = None,
    target_id: uuid.UUID | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Log a bulk action, import or export in the caller's transaction."""
    session.add(
        AuditEntry(
            company_id=actor.company_id,
            actor_user_id=actor.user_id,
            action=action,
            target_type=target_type,
            target_id=target_id,
            count=count,
            details=details or {},
        )
    )


def list_entries(*, session: Session, actor: Principal, page: PageRequest) -> Page[AuditEntryRead]:
    actor.require(Role.ADMIN)
    rows, cursor = paginate(session, select(AuditEntry), keys=[AuditEntry.created_at, AuditEntry.id], page=page)
    return Page[AuditEntryRead](items=[AuditEntryRead.model_validate(r) for r in rows], next_cursor=cursor)
