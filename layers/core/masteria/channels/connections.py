"""Channel connections: a company's WhatsApp numbers on Meta's Cloud API.

Credentials are sealed column by column under the company's data key (masteria.crypto), each bound
to its company, table, column and row. Creating or re-keying a connection asks the Graph API first:
the number must exist, answer to the token, and belong to the WhatsApp Business Account given.
Creating, re-keying or deleting one writes, in the same transaction, the job that brings the inbound secrets
store (what the Meta webhook function reads) in line with it (``publish_inbound_secret``).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from masteria.audit import service as audit
from masteria.channels.models import SECRET_COLUMNS, ChannelConnection
from masteria.channels.providers.meta_cloud.errors import GraphError, GraphTransientError
from masteria.channels.providers.meta_cloud.graph import GraphClient
from masteria.channels.schemas import ConnectionCreate, ConnectionCreated, ConnectionRead, ConnectionUpdate
from masteria.channels.secret_jobs import SecretJob, record_secret_job
from masteria.crypto import CompanyKeys, seal_column, unseal_column
from masteria.db import Database, get_or_404, save_unique
from masteria.errors import FieldError, Invalid
from masteria.mirror import converge
from masteria.notifications import service as notifications
from masteria.notifications.models import Notification
from masteria.pagination import Page, PageRequest, paginate
from masteria.ports import Clock, InboundSecret, InboundSecrets
from masteria.templates.whatsapp import WabaAccess
from masteria.tenancy.models import Role
from masteria.tenancy.service import Principal

WEBHOOK_PATH = "/webhooks/meta/"


@dataclass(frozen=True)
class Credentials:
    phone_number_id: str
    waba_id: str
    access_token: str
    app_secret: str
    verify_token: str


def _seal(session: Session, keys: CompanyKeys, row: ChannelConnection, values: dict[str, str]) -> None:
    for column, value in values.items():
        assert column in SECRET_COLUMNS
        setattr(row, column, seal_column(keys, session, row, column, value))


def credentials(session: Session, keys: CompanyKeys, row: ChannelConnection) -> Credentials:
    """The connection's secrets, unsealed (SecretUnreadable if a value was tampered with or moved)."""
    return Credentials(**{column: unseal_column(keys, session, row, column) for column in SECRET_COLUMNS})


def _verify(graph: GraphClient, phone_number_id: str, waba_id: str, token: str) -> dict[str, str | None]:
    """What Meta says of the number; 422 when Meta refuses the credentials or the ids do not match."""
    try:
        number = graph.phone_number(phone_number_id, token=token)
        in_waba = any(str(n.get("id")) == phone_number_id for n in graph.waba_phone_numbers(waba_id, token=token))
    except GraphTransientError:
        raise
    except GraphError as error:
        raise Invalid(
            "Meta refused these credentials", [FieldError("access_token", str(error)[:300], code="credentials_refused")]
        ) from error
    if not in_waba:
        raise Invalid(
            "the number is not in that WhatsApp Business Account",
            [FieldError("waba_id", "the phone number id does not belong to this WABA", code="number_not_in_waba")],
        )
    throughput = number.get("throughput")
    return {
        "display_phone_number": _text(number.get("display_phone_number"), 32),
        "verified_name": _text(number.get("verified_name"), 200),
        "quality_rating": _text(number.get("quality_rating"), 16),
        "throughput_level": _text(throughput.get("level") if isinstance(throughput, dict) else None, 32),
        "messaging_limit": _text(
            number.get("whatsapp_business_manager_messaging_limit") or number.get("messaging_limit_tier"), 32
        ),
    }


def _text(value: object, limit: int) -> str | None:
    return str(value)[:limit] if value not in (None, "") else None


def _read(session: Session, keys: CompanyKeys, row: ChannelConnection, base_url: str) -> ConnectionRead:
    secret = credentials(session, keys, row)
    return ConnectionRead.model_validate(
        {
            **{c.key: getattr(row, c.key) for c in ChannelConnection.__table__.columns if c.key not in SECRET_COLUMNS},
            "phone_number_id": secret.phone_number_id,
            "waba_id": secret.waba_id,
            "webhook_url": base_url.rstrip("/") + WEBHOOK_PATH + row.webhook_key,
        }
    )


def create_connection(
    *,
    session: Session,
    actor: Principal,
    keys: CompanyKeys,
    graph: GraphClient,
    data: ConnectionCreate,
    now: datetime,
    base_url: str,
) -> ConnectionCreated:
    actor.require(Role.ADMIN)
    facts = _verify(graph, data.phone_number_id, data.waba_id, data.access_token)
    row = ChannelConnection(
        id=uuid.uuid4(),
        company_id=actor.company_id,
        provider="meta_cloud",
        name=data.name,
        status="active",
        webhook_key=secrets.token_urlsafe(24),
        last_checked_at=now,
        **facts,
    )
    verify_token = data.verify_token or secrets.token_urlsafe(24)
    _seal(
        session,
        keys,
        row,
        {
            "phone_number_id": data.phone_number_id,
            "waba_id": data.waba_id,
            "access_token": data.access_token,
            "app_secret": data.app_secret,
            "verify_token": verify_token,
        },
    )
    save_unique(session, row, f"a connection named {data.name!r} already exists", name=data.name)
    audit.record(
        session, actor=actor, action="connections.create", count=1, target_type="connection", target_id=row.id,
        details={"name": row.name},
    )  # fmt: skip
    record_secret_job(session, row)
    read = _read(session, keys, row, base_url)
    return ConnectionCreated(**read.model_dump(), verify_token=verify_token)


def list_connections(
    *,
    session: Session,
    actor: Principal,
    keys: CompanyKeys,
    base_url: str,
    page: PageRequest,
    q: str | None = None,
    status: str | None = None,
) -> Page[ConnectionRead]:
    """Oldest first (created_at, id); ``q`` is a part of the name, Meta's display name or the phone number
    (digits alone find a formatted number: "5550783881" finds "+1 555-078-3881")."""
    statement = select(ChannelConnection)
    if q:
        conditions = [
            ChannelConnection.name.icontains(q, autoescape=True),
            ChannelConnection.verified_name.icontains(q, autoescape=True),
            ChannelConnection.display_phone_number.icontains(q, autoescape=True),
        ]
        digits = "".join(c for c in q if c.isdigit())
        if digits:
            phone_digits = func.regexp_replace(ChannelConnection.display_phone_number, r"\D", "", "g")
            conditions.append(phone_digits.contains(digits))
        statement = statement.where(or_(*conditions))
    if status:
        statement = statement.where(ChannelConnection.status == status)
    rows, cursor = paginate(
        session, statement, keys=[ChannelConnection.created_at, ChannelConnection.id], page=page, descending=False
    )
    return Page[ConnectionRead](items=[_read(session, keys, row, base_url) for row in rows], next_cursor=cursor)


def get_connection(
    *, session: Session, actor: Principal, keys: CompanyKeys, connection_id: uuid.UUID, base_url: str
) -> ConnectionRead:
    return _read(session, keys, get_or_404(session, ChannelConnection, connection_id, "connection"), base_url)


def update_connection(
    *,
    session: Session,
    actor: Principal,
    keys: CompanyKeys,
    graph: GraphClient,
    connection_id: uuid.UUID,
    data: ConnectionUpdate,
    now: datetime,
    base_url: str,
) -> ConnectionRead:
    """Rename, or replace secrets; a new access token is verified with Meta before it is kept."""
    actor.require(Role.ADMIN)
    row = get_or_404(session, ChannelConnection, connection_id, "connection")
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "access_token" in changes:
        current = credentials(session, keys, row)
        facts = _verify(graph, current.phone_number_id, current.waba_id, changes["access_token"])
        for key, value in facts.items():
            setattr(row, key, value)
        row.status, row.last_error, row.last_checked_at, row.token_expires_at = "active", None, now, None
    secrets_changed = {k: v for k, v in changes.items() if k in SECRET_COLUMNS}
    _seal(session, keys, row, secrets_changed)
    if secrets_changed:
        record_secret_job(session, row)
    if "name" in changes:
        row.name = changes["name"]
    save_unique(session, row, f"a connection named {row.name!r} already exists", name=row.name)
    return _read(session, keys, row, base_url)


def delete_connection(*, session: Session, actor: Principal, connection_id: uuid.UUID) -> None:
    """Delete it; its inbound secret is removed from the store once this commits (its job)."""
    actor.require(Role.ADMIN)
    row = get_or_404(session, ChannelConnection, connection_id, "connection")
    session.delete(row)
    audit.record(
        session, actor=actor, action="connections.delete", count=1, target_type="connection", target_id=row.id,
        details={"name": row.name},
    )  # fmt: skip
    record_secret_job(session, row)


def test_connection(
    *,
    session: Session,
    actor: Principal,
    keys: CompanyKeys,
    graph: GraphClient,
    connection_id: uuid.UUID,
    now: datetime,
    base_url: str,
) -> ConnectionRead:
    """Ask Meta again: refreshes quality, throughput and limit; a refusal marks the connection failing."""
    row = get_or_404(session, ChannelConnection, connection_id, "connection")
    secret = credentials(session, keys, row)
    try:
        facts = _verify(graph, secret.phone_number_id, secret.waba_id, secret.access_token)
    except Invalid as error:
        row.status, row.last_error = "failing", "; ".join(e.message for e in error.errors)[:500] or str(error)
    else:
        for key, value in facts.items():
            setattr(row, key, value)
        row.status, row.last_error = "active", None
    row.last_checked_at = now
    session.flush()
    return _read(session, keys, row, base_url)


def waba_access(session: Session, keys: CompanyKeys, connection_id: uuid.UUID) -> WabaAccess:
    """What template management needs of a connection: its WABA id and token."""
    row = get_or_404(session, ChannelConnection, connection_id, "connection")
    secret = credentials(session, keys, row)
    return WabaAccess(connection_id=row.id, waba_id=secret.waba_id, token=secret.access_token)


def _inbound(session: Session, keys: CompanyKeys, row: ChannelConnection) -> InboundSecret:
    secret = credentials(session, keys, row)
    return InboundSecret(
        company_id=row.company_id, connection_id=row.id, app_secret=secret.app_secret, verify_token=secret.verify_token
    )


def inbound_secret(session: Session, keys: CompanyKeys, connection_id: uuid.UUID) -> tuple[str, InboundSecret]:
    """The webhook key and what the Meta webhook function needs of the connection."""
    row = get_or_404(session, ChannelConnection, connection_id, "connection")
    return row.webhook_key, _inbound(session, keys, row)


def publish_inbound_secret(*, db: Database, keys: CompanyKeys, store: InboundSecrets, job: SecretJob) -> bool:
    """Bring ``store`` in line with the connection as it is now (``job``'s, from the outbox): its secret under
    its webhook key, or the key removed when the connection is gone. True when it was put, False removed."""

    def current() -> InboundSecret | None:
        with db.tenant(job.company_id) as session:
            row = session.get(ChannelConnection, job.connection_id)
            if row is None or row.webhook_key != job.webhook_key:
                return None
            return _inbound(session, keys, row)

    def apply(secret: InboundSecret | None) -> None:
        if secret is not None:
            store.put(job.webhook_key, secret)
            return
        held = store.get(job.webhook_key)  # removed only when it is this connection's
        if held is not None and (held.company_id, held.connection_id) == (job.company_id, job.connection_id):
            store.delete(job.webhook_key)

    return converge(current, apply) is not None


WARN_BEFORE = timedelta(days=7)
WARN_EVERY = timedelta(hours=24)


def check_token(
    *, session: Session, keys: CompanyKeys, graph: GraphClient, connection_id: uuid.UUID, now: datetime
) -> str:
    """Ask Meta about the connection's token (the scheduled check): ``ok``, ``expiring`` (a notification
    once a day in the week before it expires) or ``failing`` (marked, with a notification)."""
    row = get_or_404(session, ChannelConnection, connection_id, "connection")
    secret = credentials(session, keys, row)
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
    """Check every company's connections (the scheduled job): each in its own tenant transaction."""
    with db.connection_check() as session:
        pairs = session.execute(select(ChannelConnection.company_id, ChannelConnection.id)).all()
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
