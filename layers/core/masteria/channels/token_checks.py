"""The scheduled check of Meta connections' access tokens: a token Meta no longer accepts marks its connection
failing (with a notification), one about to expire warns once a day in the week before."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from masteria.channels import connections
from masteria.channels.models import ChannelConnection
from masteria.channels.providers.meta_cloud.errors import GraphError, GraphTransientError
from masteria.channels.providers.meta_cloud.graph import GraphClient
from masteria.crypto import CompanyKeys
from masteria.db import Database, get_or_404
from masteria.notifications import service as notifications
from masteria.notifications.models import Notification
from masteria.ports import Clock

WARN_BEFORE = timedelta(days=7)
WARN_EVERY = timedelta(hours=24)


def check_token(
    *, session: Session, keys: CompanyKeys, graph: GraphClient, connection_id: uuid.UUID, now: datetime
) -> str:
    """Ask Meta about the connection's token (the scheduled check): ``ok``, ``expiring`` (a notification
    once a day in the week before it expires) or ``failing`` (marked, with a notification)."""
    row = get_or_404(session, ChannelConnection, connection_id, "connection")
    secret = connections.credentials(session, keys, row)
    if connections.carried_over(row):
        connections.store_config(session, keys, row, secret)  # sealed as one configuration from now on
    try:
        info = graph.debug_token(secret.access_token)
    except GraphTransientError:
        raise
    except GraphError as error:
        info = {"is_valid": False, "error": str(error)}
    row.last_checked_at = now
    expires = int(info.get("expires_at") or 0)
    row.token_expires_at = datetime.fromtimestamp(expires, UTC) if expires else None
    if not info.get("is_valid"):
        reason = str(info.get("error") or "Meta says the access token is no longer valid")[:500]
        was_failing = row.status == "failing"
        row.status, row.last_error = "failing", reason
        if not was_failing:
            _notify(session, row, "connection.token_invalid", "A WhatsApp number stopped working",
                    f"{row.name}: {reason}. Replace its access token.")  # fmt: skip
        return "failing"
    if row.token_expires_at is not None and row.token_expires_at - now <= WARN_BEFORE:
        recent = session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(
                Notification.kind == "connection.token_expiring",
                Notification.data["connection_id"].astext == str(row.id),
                Notification.created_at > now - WARN_EVERY,
            )
        )
        if not recent:
            when = row.token_expires_at.strftime("%Y-%m-%d %H:%M UTC")
            _notify(session, row, "connection.token_expiring", "A WhatsApp access token is about to expire",
                    f"{row.name}: the access token expires on {when}. Replace it before then.")  # fmt: skip
        return "expiring"
    return "ok"


def _notify(session: Session, row: ChannelConnection, kind: str, title: str, body: str) -> None:
    notifications.notify(
        session, company_id=row.company_id, kind=kind, title=title, body=body, data={"connection_id": str(row.id)}
    )


def check_all(*, db: Database, keys: CompanyKeys, graph: GraphClient, clock: Clock) -> dict[str, int]:
    """Check every company's Meta connections (the scheduled job): each in its own tenant transaction."""
    with db.connection_check() as session:
        pairs = session.execute(
            select(ChannelConnection.company_id, ChannelConnection.id).where(ChannelConnection.provider == "meta_cloud")
        ).all()
    counts: dict[str, int] = {}
    for company_id, connection_id in pairs:
        try:
            with db.tenant(company_id) as session:
                outcome = check_token(
                    session=session, keys=keys, graph=graph, connection_id=connection_id, now=clock.now()
                )
        except GraphTransientError:
            outcome = "unreachable"
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
