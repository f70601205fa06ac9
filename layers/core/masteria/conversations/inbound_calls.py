"""Voice calls (an ``AccountEvent`` of kind ``call``, its ``data`` a ``Call``): a call appears in the
conversation as a call event (``type: "call"``), ringing when it connects, then answered (with its duration)
or missed when it ends, so that it can be counted later. A call's events may come in any order or twice."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from masteria.channels.models import ChannelConnection
from masteria.channels.providers.port import AccountEvent, Call, Channel
from masteria.conversations.events import record_message_updated, record_updated
from masteria.conversations.inbound_common import Result, Unprocessable, record_new
from masteria.conversations.inbound_messages import received_event, upsert_contact, upsert_conversation
from masteria.conversations.models import Message

FINAL = ("answered", "missed")


def facts(call: Call) -> dict[str, Any]:
    """What the inbox shows and analytics count of a call's event."""
    found: dict[str, Any] = {"id": call.id, "direction": call.direction, "status": call.status}
    if call.status not in FINAL:
        return found
    return {
        **found,
        "duration": call.duration,
        "started_at": call.started_at.isoformat() if call.started_at else None,
        "ended_at": call.ended_at.isoformat() if call.ended_at else None,
        "meta_status": call.provider_status,
    }


def received(
    session: Session, connection: ChannelConnection, event: AccountEvent, result: Result, *, channel: Channel
) -> None:
    try:
        call = Call.model_validate(event.data)
    except ValidationError as error:
        raise Unprocessable(f"not a call: {error.errors()[0].get('msg', 'invalid')}") from error
    _call(session, connection, call, result, channel)


def _call(session: Session, connection: ChannelConnection, call: Call, result: Result, channel: Channel) -> None:
    found = facts(call)
    user = call.direction == "user_initiated"
    at = call.at
    contact_id, new_contact = upsert_contact(session, connection.company_id, call.contact, call.contact_name)
    conversation, new_conversation = upsert_conversation(session, connection, contact_id, channel)
    inserted = session.execute(
        insert(Message)
        .values(
            company_id=connection.company_id,
            connection_id=connection.id,
            conversation_id=conversation.id,
            contact_id=contact_id,
            direction="in" if user else "out",
            wamid=found["id"],
            type="call",
            text=None,
            content={"call": found},
            status="received" if user else "sent",
            sent_at=at,
        )
        .on_conflict_do_nothing(index_elements=["connection_id", "wamid"])
        .returning(Message.id)
    ).scalar_one_or_none()
    if inserted is None:
        row = session.scalars(
            select(Message)
            .where(Message.connection_id == connection.id, Message.wamid == found["id"])
            .with_for_update()
        ).one()
        if (row.content.get("call") or {}).get("status") in FINAL or found["status"] not in FINAL:
            result.duplicates += 1  # a repeated event, or a connect after its end
            return
        row.content = {**row.content, "call": found}
        record_message_updated(session, row, ["content"])
        result.updates += 1
        return
    result.messages += 1
    record_new(
        session, connection.company_id, channel=channel, contact_id=contact_id, conversation_id=conversation.id,
        new_contact=new_contact, new_conversation=new_conversation,
    )  # fmt: skip
    changes = []
    if conversation.last_message_at is None or at > conversation.last_message_at:
        conversation.last_message_at = at
        changes.append("last_message_at")
    if user:
        conversation.unread_count += 1
        changes.append("unread_count")
    if conversation.status == "closed":
        conversation.status = "open"
        changes.append("status")
    received_event(session, session.get_one(Message, inserted), None, channel)
    record_updated(session, conversation, changes)
