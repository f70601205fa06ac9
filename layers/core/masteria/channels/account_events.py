"""Meta's ``account_update`` webhooks: what Meta says of the WhatsApp Business Account behind a connection.

- Each one is kept once (``channel_account_events``, by the digest of what Meta sent and of its webhook
  entry's time, which Meta keeps on retries): a redelivery finds it there and changes nothing, notifies no
  one, while the same event happening again (restrictions lifted a second time) is applied again.
- They apply in Meta's order: the connection keeps the time of the last one applied (``account_updated_at``)
  and an older one arriving late (a retry) is kept but changes nothing and notifies no one.
- The connection's ``account_status`` follows the events that say so: a restriction (``restricted`` while
  Meta lists restrictions), a ban (``disabled``; a reinstatement makes it ``ok`` again), the account deleted
  or unshared with our app (``disconnected``; shared again: ``ok``). The detail Meta sent (restrictions and
  their expiry, the violation, the ban's state and date) is kept on the connection and told in the
  notification.
- Other events (verification, a violation without a restriction, a ban scheduled…) keep the status and are
  kept and told too.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from masteria.channels.models import ChannelAccountEvent, ChannelConnection
from masteria.notifications import service as notifications

DISCONNECTING = frozenset({"ACCOUNT_DELETED", "PARTNER_REMOVED", "PARTNER_APP_UNINSTALLED", "ACCOUNT_OFFBOARDED"})
RECONNECTING = frozenset({"PARTNER_ADDED", "PARTNER_APP_INSTALLED", "ACCOUNT_RECONNECTED"})
EXPLAINING = frozenset({"ACCOUNT_RESTRICTION", "ACCOUNT_VIOLATION", "DISABLED_UPDATE", *DISCONNECTING})
DETAIL_MAX = 8_000  # characters of Meta's detail kept (its bodies are small; a huge one keeps only its event)


class AccountUpdate(BaseModel):
    """The shape of an ``account_update`` value we rely on (Meta adds fields per event; all are kept)."""

    model_config = ConfigDict(extra="allow")

    event: str = Field(min_length=1, max_length=64)
    restriction_info: list[dict[str, Any]] | None = None
    violation_info: dict[str, Any] | None = None
    ban_info: dict[str, Any] | None = None


def digest(value: dict[str, Any], at: datetime | None) -> str:
    """What tells one account_update from another: its value and Meta's time of it (when Meta gave one)."""
    kept: dict[str, Any] = value if at is None else {"time": int(at.timestamp()), "value": value}
    return hashlib.sha256(json.dumps(kept, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def account_state(current: str, value: dict[str, Any]) -> str:
    """The connection's account status after ``value``."""
    event = str(value.get("event") or "").upper()
    if event == "ACCOUNT_RESTRICTION":
        return "restricted" if value.get("restriction_info") else "ok"
    if event == "DISABLED_UPDATE":
        ban = str((value.get("ban_info") or {}).get("waba_ban_state") or "").upper()
        return {"DISABLE": "disabled", "REINSTATE": "ok"}.get(ban, current)
    if event in DISCONNECTING:
        return "disconnected"
    if event in RECONNECTING and current == "disconnected":
        return "ok"
    return current


def describe(value: dict[str, Any]) -> str:
    """What Meta said, in one line of the notification (its codes as Meta gives them)."""
    event = str(value.get("event") or "an update")
    if event == "ACCOUNT_RESTRICTION":
        items = [
            str(r.get("restriction_type") or "a restriction")
            + (f" until {r['expiration']}" if r.get("expiration") else "")
            for r in value.get("restriction_info") or []
        ]
        return "restricted: " + ", ".join(items) if items else "restrictions lifted"
    if event == "ACCOUNT_VIOLATION":
        violation = (value.get("violation_info") or {}).get("violation_type")
        return f"policy violation: {violation}" if violation else "policy violation"
    if event == "DISABLED_UPDATE":
        ban = value.get("ban_info") or {}
        state, date = ban.get("waba_ban_state"), ban.get("waba_ban_date")
        return f"ban {state or 'update'}" + (f" ({date})" if date else "")
    if event in DISCONNECTING:
        return f"disconnected ({event})"
    return event


def apply_account_update(
    session: Session, connection: ChannelConnection, value: dict[str, Any], at: datetime | None = None
) -> bool:
    """Apply one ``account_update`` that Meta sent at ``at`` (its webhook entry's time); False for a
    redelivery (already applied) or an event older than the last one applied."""
    event = str(value.get("event") or "")[:64]
    detail = value if len(json.dumps(value)) <= DETAIL_MAX else {"event": event}
    kept = session.execute(
        insert(ChannelAccountEvent)
        .values(
            company_id=connection.company_id,
            connection_id=connection.id,
            digest=digest(value, at),
            event=event,
            detail=detail,
        )
        .on_conflict_do_nothing(index_elements=["connection_id", "digest"])
        .returning(ChannelAccountEvent.id)
    ).first()
    if kept is None:
        return False
    # the connection as the last event applied left it (another body may be applying one meanwhile)
    session.flush()
    session.refresh(connection, ["account_status", "account_detail", "account_updated_at"], with_for_update=True)
    if at is not None and connection.account_updated_at is not None and at < connection.account_updated_at:
        return False  # a late retry of an older event: a newer one already says how the account is
    before = connection.account_status
    connection.account_status = account_state(before, value)
    # the detail explains the status: an unrelated event (a verification…) does not hide a restriction's
    if connection.account_status != before or connection.account_status == "ok" or event in EXPLAINING:
        connection.account_detail = detail
    connection.account_updated_at = at or datetime.now(UTC)
    notifications.notify(
        session,
        company_id=connection.company_id,
        kind="whatsapp.account_update",
        title="WhatsApp account update",
        body=f"Meta reports for {connection.name}: {describe(value)}."[:1000],
        data={
            "connection_id": str(connection.id),
            "event": event,
            "account_status": connection.account_status,
            "previous_account_status": before,
        },
    )
    return True
