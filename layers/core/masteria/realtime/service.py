"""Use cases of live updates: connect, disconnect, a client's frame, pushing an event, catching up."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.conversations.service import visible_to
from masteria.db import Database
from masteria.errors import FieldError, Invalid, Unauthorized
from masteria.events import EventSequence, OutboxEvent
from masteria.observability import logger
from masteria.pipelines.access import agents_see_all, may_see
from masteria.ports import ConnectionRegistry, LiveConnection, PublishedEvent, Realtime
from masteria.realtime import frames
from masteria.realtime.routing import PUSHED_EVENT_TYPES, Outgoing, frames_for
from masteria.tenancy import security
from masteria.tenancy.models import Role, User
from masteria.tenancy.service import Principal, authenticate

CATCH_UP_LIMIT = 500


def connect(
    *,
    db: Database,
    tokens: security.TokenConfig,
    registry: ConnectionRegistry,
    connection_id: str,
    token: str | None,
    now: datetime,
    ttl: timedelta,
) -> LiveConnection:
    """Register a connection of the token's user; a missing, invalid or expired token, or a user who is no
    longer active, is ``Unauthorized``."""
    if not token:
        raise Unauthorized("missing access token")
    claims = security.decode_access_token(tokens, token)
    with db.tenant(claims.company_id) as session:
        principal = authenticate(session, claims)
    connection = LiveConnection(
        connection_id=connection_id,
        company_id=principal.company_id,
        user_id=principal.user_id,
        role=principal.role.value,
        expires_at=int((now + ttl).timestamp()),
    )
    registry.put(connection)
    return connection


def disconnect(*, registry: ConnectionRegistry, connection_id: str) -> None:
    registry.remove(connection_id)


def handle_frame(*, registry: ConnectionRegistry, connection_id: str, raw: str | bytes | None) -> frames.Reply:
    """Act on one client frame; anything wrong with it is answered with an error frame, never raised."""
    try:
        frame = frames.parse_client_frame(raw)
    except frames.InvalidFrame as invalid:
        return frames.ErrorFrame(id=invalid.frame_id, code=invalid.code, detail=invalid.detail)
    if isinstance(frame, frames.Ping):
        return frames.Pong(id=frame.id)
    topics = frozenset(frame.topics)
    current = registry.get(connection_id)
    if current is None:
        return frames.ErrorFrame(id=frame.id, code="not_connected", detail="this connection is not registered")
    if isinstance(frame, frames.Subscribe):
        if len(current.topics | topics) > frames.MAX_TOPICS:
            detail = f"at most {frames.MAX_TOPICS} topics per connection"
            return frames.ErrorFrame(id=frame.id, code="too_many_topics", detail=detail)
        updated = registry.subscribe(connection_id, topics)
    else:
        updated = registry.unsubscribe(connection_id, topics)
    if updated is None:
        return frames.ErrorFrame(id=frame.id, code="not_connected", detail="this connection is not registered")
    return frames.Subscribed(id=frame.id, topics=sorted(updated.topics))


@dataclass
class PushResult:
    sent: int = 0
    gone: int = 0
    failed: int = 0


def _principals(session: Session, user_ids: set[uuid.UUID]) -> dict[uuid.UUID, Principal]:
    """The listening users as they are now: a deactivated user hears nothing more, a changed role counts at once
    (a connection keeps the role it connected with only in the registry)."""
    rows = session.execute(select(User.id, User.company_id, User.role).where(User.id.in_(user_ids), User.is_active))
    return {row[0]: Principal(user_id=row[0], company_id=row[1], role=Role(row[2])) for row in rows}


def _allowed(
    outgoing: Outgoing, user: Principal, visible: set[tuple[uuid.UUID, uuid.UUID]], *, all_leads: bool
) -> bool:
    if outgoing.user_id is not None:
        return user.user_id == outgoing.user_id
    if outgoing.lead_owners is not None:
        return may_see(set(outgoing.lead_owners), user_id=user.user_id, role=user.role, all_open=all_leads)
    if outgoing.conversation_id is None or user.user_id in outgoing.also_for:
        return True
    return (user.user_id, outgoing.conversation_id) in visible


def _all_leads(session: Session, outgoing: list[Outgoing]) -> bool:
    """The company's pipeline setting, read only when a lead's frame is to be sent."""
    return any(o.lead_owners is not None for o in outgoing) and agents_see_all(session)


def push(*, db: Database, registry: ConnectionRegistry, poster: Realtime, event: PublishedEvent) -> PushResult:
    """Post ``event``'s frames to the company's connections subscribed to their topics, only to users who may
    see them; connections that are gone are forgotten."""
    result = PushResult()
    outgoing = frames_for(event)
    if not outgoing:
        return result
    connections = [c for c in registry.by_company(event.company_id) if c.company_id == event.company_id]
    targets = [(o, [c for c in connections if c.topics & o.topics]) for o in outgoing]
    listeners = {c.user_id for _, listening in targets for c in listening}
    if not listeners:
        return result
    conversation_ids = {o.conversation_id for o, listening in targets if listening and o.conversation_id}
    with db.tenant(event.company_id, relay=False) as session:
        principals = _principals(session, listeners)
        visible = visible_to(session, actors=list(principals.values()), conversation_ids=conversation_ids)
        all_leads = _all_leads(session, outgoing)
    for o, listening in targets:
        text = frames.dump(o.frame)
        for connection in listening:
            user = principals.get(connection.user_id)
            if user is None or not _allowed(o, user, visible, all_leads=all_leads):
                continue
            try:
                delivered = poster.post(connection.connection_id, text)
            except Exception:
                logger.exception("realtime post failed", extra={"event_type": event.type})
                result.failed += 1
                continue
            if delivered:
                result.sent += 1
            else:
                registry.remove(connection.connection_id)
                result.gone += 1
    return result


class CatchUp(BaseModel):
    frames: list[frames.EventFrame]
    cursor: str = Field(description="pass it back as `after` next time")
    more: bool = Field(description="true when more frames may follow: ask again with `cursor`")


def _after(value: str) -> int:
    try:
        after = int(value)
    except ValueError as error:
        raise Invalid(
            "invalid cursor", [FieldError("after", "a cursor from a frame", code="invalid_cursor")]
        ) from error
    if after < 0:
        raise Invalid("invalid cursor", [FieldError("after", "a cursor from a frame", code="invalid_cursor")])
    return after


def catch_up(*, session: Session, actor: Principal, after: str | None, limit: int = CATCH_UP_LIMIT) -> CatchUp:
    """The frames the caller may see since ``after`` (a frame's ``cursor``), oldest first. Without ``after``:
    no frames, and the cursor of now, to start from."""
    if after is None:
        latest = session.scalar(select(EventSequence.last))  # the caller's company's (row-level security)
        return CatchUp(frames=[], cursor=str(latest or 0), more=False)
    start = _after(after)
    latest = session.scalar(select(EventSequence.last)) or 0  # the caller's company's (row-level security)
    if start > latest:  # a cursor from before the per-company numbering (or made up): start again from now
        return CatchUp(frames=[], cursor=str(latest), more=False)
    rows = list(
        session.scalars(
            select(OutboxEvent)
            .where(
                OutboxEvent.company_id == actor.company_id,
                OutboxEvent.company_sequence > start,
                OutboxEvent.type.in_(PUSHED_EVENT_TYPES),
            )
            .order_by(OutboxEvent.company_sequence)
            .limit(limit)
        )
    )
    outgoing = [
        o
        for row in rows
        for o in frames_for(
            PublishedEvent(
                event_id=row.event_id, company_id=row.company_id, type=row.type, data=row.data,
                occurred_at=row.occurred_at, sequence=row.company_sequence,
            )
        )
    ]  # fmt: skip
    conversation_ids = {o.conversation_id for o in outgoing if o.conversation_id}
    visible = visible_to(session, actors=[actor], conversation_ids=conversation_ids)
    all_leads = _all_leads(session, outgoing)
    return CatchUp(
        frames=[o.frame for o in outgoing if _allowed(o, actor, visible, all_leads=all_leads)],
        cursor=str(rows[-1].company_sequence) if rows else str(start),
        more=len(rows) == limit,
    )
