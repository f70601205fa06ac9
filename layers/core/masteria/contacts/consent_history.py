"""A contact's consent history, as the API lists it."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.contacts.models import ConsentEvent
from masteria.contacts.reads import contact_or_404
from masteria.contacts.schemas import Channel, ConsentActor, ConsentEventRead
from masteria.pagination import Page, PageRequest, paginate
from masteria.tenancy.models import User
from masteria.tenancy.service import Principal


def list_consent_events(
    *, session: Session, actor: Principal, contact_id: uuid.UUID, channel: Channel | None, page: PageRequest
) -> Page[ConsentEventRead]:
    """A contact's consent history, newest first (``channel`` keeps one channel's)."""
    contact = contact_or_404(session, contact_id)
    statement = select(ConsentEvent).where(ConsentEvent.contact_id == contact.id)
    if channel is not None:
        statement = statement.where(ConsentEvent.channel == channel)
    rows, cursor = paginate(session, statement, keys=[ConsentEvent.created_at, ConsentEvent.id], page=page)
    actor_ids = {r.actor_user_id for r in rows if r.actor_user_id is not None}
    names: dict[uuid.UUID, str] = (
        dict(session.execute(select(User.id, User.name).where(User.id.in_(actor_ids))).all()) if actor_ids else {}
    )
    items = [
        ConsentEventRead.model_validate(
            {
                **{k: getattr(r, k) for k in ConsentEventRead.model_fields if k != "actor"},
                "actor": ConsentActor(id=r.actor_user_id, name=names[r.actor_user_id])
                if r.actor_user_id in names
                else None,
            }
        )
        for r in rows
    ]
    return Page[ConsentEventRead](items=items, next_cursor=cursor)
