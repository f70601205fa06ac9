"""Updates that came before their message (a status before the send that made it committed, an edit of a
message that has not come yet): applied, oldest first, when the message appears."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from masteria.conversations import inbound_statuses as statuses
from masteria.conversations import inbound_updates as updates
from masteria.conversations.inbound_common import Result
from masteria.conversations.models import Message, PendingMessageUpdate

RACE = timedelta(minutes=10)  # longer than a send's transaction may take to commit


def apply_pending(session: Session, message: Message, result: Result | None = None) -> Result:
    """Apply and forget what waited for ``message`` (just inserted, so locked by this transaction)."""
    result = result if result is not None else Result()
    rows = session.scalars(
        select(PendingMessageUpdate)
        .where(PendingMessageUpdate.connection_id == message.connection_id, PendingMessageUpdate.wamid == message.wamid)
        .with_for_update()
    ).all()
    for row in sorted(rows, key=lambda r: (int(r.body.get("timestamp") or 0), r.id)):
        if row.kind == "status":
            statuses.apply_to(session, message, row.body, result)
        else:
            updates.apply_to(session, message, row.body, result)
        session.delete(row)
    return result


def apply_found(session: Session, result: Result) -> None:
    """Apply what waits for a message that exists now: one whose send committed while its status was being
    kept (neither transaction saw the other's row). Run once per webhook body: it reads the updates kept in
    the last minutes only (that race lasts no longer), by their index."""
    recent = session.execute(
        select(PendingMessageUpdate.connection_id, PendingMessageUpdate.wamid)
        .where(PendingMessageUpdate.created_at > func.now() - RACE)
        .distinct()
    ).all()
    if not recent:
        return
    waiting = session.scalars(
        select(Message)
        .where(tuple_(Message.connection_id, Message.wamid).in_([tuple(row) for row in recent]))
        .order_by(Message.id)
        .with_for_update()
    ).all()
    for message in waiting:
        apply_pending(session, message, result)
