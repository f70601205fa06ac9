"""Updates that came before their message (a status before the send that made it committed, an edit of a
message that has not come yet): applied, oldest first, when the message appears.

Keeping an update and looking for the ones kept for a message both take the lock of its wamid
(``inbound_common.hold_wamid``): of a send committing while its status is being kept, one waits for the
other and sees its row, so neither is left waiting in vain. Nothing reads the kept updates but by the
wamid of a message that appears (or of one this body kept); the ones that never match (a message sent
outside Masteria) go after ``PENDING_FOR``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from masteria.channels.providers.port import InboundMessage, StatusUpdate
from masteria.conversations import inbound_statuses as statuses
from masteria.conversations import inbound_updates as updates
from masteria.conversations.inbound_common import KEPT, Result, hold_wamid
from masteria.conversations.models import Message, PendingMessageUpdate


def apply_pending(session: Session, message: Message, result: Result | None = None) -> Result:
    """Apply and forget what waited for ``message`` (just inserted, so locked by this transaction)."""
    result = result if result is not None else Result()
    hold_wamid(session, message.connection_id, message.wamid)
    rows = session.scalars(
        select(PendingMessageUpdate)
        .where(
            PendingMessageUpdate.company_id == message.company_id,
            PendingMessageUpdate.connection_id == message.connection_id,
            PendingMessageUpdate.wamid == message.wamid,
        )
        .with_for_update()
    ).all()
    kept = [(row, _update(row)) for row in rows]
    for row, update in sorted(kept, key=lambda pair: (_at(pair[1]), pair[0].id)):
        if isinstance(update, StatusUpdate):
            statuses.apply_to(session, message, update, result)
        else:
            updates.apply_to(session, message, update, result)
        session.delete(row)
    return result


def _update(row: PendingMessageUpdate) -> StatusUpdate | InboundMessage:
    """A kept update as it was kept: a status, or an edit, deletion or reaction."""
    return StatusUpdate.model_validate(row.body) if row.kind == "status" else InboundMessage.model_validate(row.body)


def _at(update: StatusUpdate | InboundMessage) -> datetime:
    return update.at if isinstance(update, StatusUpdate) else update.sent_at


def apply_found(session: Session, result: Result) -> None:
    """Apply what this transaction kept for a message that exists now: one whose send committed after this
    body looked for it, before it took the lock of its wamid. Run once the body's changes are done; it
    reads nothing when the body kept nothing."""
    kept = session.info.pop(KEPT, set())
    if not kept:
        return
    found = session.scalars(
        select(Message)
        .where(tuple_(Message.connection_id, Message.wamid).in_(sorted(kept)))
        .order_by(Message.id)
        .with_for_update()
    ).all()
    for message in found:
        apply_pending(session, message, result)
