"""The ``calls`` change of Meta's webhooks: a WhatsApp call appears in the conversation as a call event
(``type: "call"``), ringing when it connects, then answered (with its duration) or missed when it ends,
so that it can be counted later.

Meta's shape: ``{"calls": [{"id": "wacid…", "from", "to", "event": "connect" | "terminate",
"timestamp", "direction": "USER_INITIATED" | "BUSINESS_INITIATED", "status": "COMPLETED" | "FAILED",
"start_time", "end_time", "duration"}]}`` (seconds). A call's events may come in any order or twice."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from masteria.channels.models import ChannelConnection
from masteria.channels.providers.meta_cloud import shapes
from masteria.conversations.events import record_message_updated, record_updated
from masteria.conversations.inbound_common import Result, Unprocessable, checked, record_new, time
from masteria.conversations.inbound_messages import received_event, upsert_contact, upsert_conversation
from masteria.conversations.models import Message
from masteria.observability import logger

FINAL = ("answered", "missed")


def changed(session: Session, connection: ChannelConnection, value: dict[str, Any], result: Result) -> None:
    checked(shapes.CallsValue, value)
    names = {c.get("wa_id"): (c.get("profile") or {}).get("name") for c in value.get("contacts") or []}
    for call in value.get("calls") or []:
        _call(session, connection, call, names, result)
    if value.get("statuses"):
        logger.info("call statuses ignored (we do not place calls)")


def facts(call: dict[str, Any]) -> dict[str, Any]:
    """What the inbox shows and analytics count of one of Meta's call events."""
    user = str(call.get("direction") or "USER_INITIATED").upper() != "BUSINESS_INITIATED"
    found: dict[str, Any] = {"id": str(call["id"]), "direction": "user_initiated" if user else "business_initiated"}
    if str(call.get("event") or "").lower() != "terminate":
        return {**found, "status": "ringing"}
    raw = call.get("status")
    meta_status = str((raw[0] if raw else "") if isinstance(raw, list) else raw or "").upper()
    duration = int(call.get("duration") or 0)
    answered = duration > 0 or meta_status == "COMPLETED"
    return {
        **found,
        "status": "answered" if answered else "missed",
        "duration": duration if answered else 0,
        "started_at": time(call["start_time"]).isoformat() if call.get("start_time") else None,
        "ended_at": time(call["end_time"] if call.get("end_time") else call["timestamp"]).isoformat(),
        "meta_status": meta_status or None,
    }


def _call(
    session: Session,
    connection: ChannelConnection,
    call: dict[str, Any],
    names: dict[Any, Any],
    result: Result,
) -> None:
    found = facts(call)
    user = found["direction"] == "user_initiated"
    wa_id = call.get("from") if user else call.get("to")
    if not wa_id:
        raise Unprocessable("a call without the contact's number")
    at = time(call.get("start_time") or call["timestamp"])
    contact_id, new_contact = upsert_contact(session, connection.company_id, str(wa_id), names.get(wa_id))
    conversation, new_conversation = upsert_conversation(session, connection, contact_id)
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
        session, connection.company_id, contact_id=contact_id, conversation_id=conversation.id,
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
    received_event(session, session.get_one(Message, inserted), None)
    record_updated(session, conversation, changes)
