"""Updates that came before their message (a status before the send that made it committed, an edit of a
message that has not come yet): applied, oldest first, when the message appears."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from masteria.conversations import inbound_statuses as statuses
from masteria.conversations import inbound_updates as updates
from masteria.conversations.inbound_common import Result
from masteria.conversations.models import Message, PendingMessageUpdate


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
    kept (neither transaction saw the other's row). Run once per webhook body, on a small table."""
    waiting = session.scalars(
        select(Message)
        .where(
            select(PendingMessageUpdate.id)
            .where(
                PendingMessageUpdate.connection_id == Message.connection_id,
                PendingMessageUpdate.wamid == Message.wamid,
            )
            .exists()
        )
        .with_for_update()
    ).all()
    for message in waiting:
        apply_pending(session, message, result)
