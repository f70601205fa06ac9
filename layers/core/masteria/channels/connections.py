"""Channel connections: a company's numbers, each through one provider (``provider``): WhatsApp numbers on Meta's
Cloud API (``meta_cloud``), SMS senders on AWS End User Messaging SMS (``sms_aws``).

A connection's provider configuration (``MetaCloudConfig``, ``SmsConfig``: ids, secrets, rates) is one JSON
sealed under the company's data key (masteria.crypto), bound to its company, table, ``config`` column and row;
what can be shown (the number, Meta's quality rating, throughput...) is in columns. Creating or re-keying a Meta
connection asks the Graph API first: the number must exist, answer to the token, and belong to the WhatsApp
Business Account given; an SMS connection's origination must be one its country's carriers accept
(``sms_connections``). Creating, re-keying or deleting one writes, in the same transaction, the job that brings
the inbound secrets store (what the webhook functions read) in line with it (``publish_inbound_secret``).
"""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from masteria.audit import service as audit
from masteria.channels.models import ChannelConnection
from masteria.channels.providers.meta_cloud.config import MetaCloudConfig
from masteria.channels.providers.meta_cloud.errors import GraphError, GraphTransientError
from masteria.channels.providers.meta_cloud.graph import GraphClient
from masteria.channels.providers.port import Registry
from masteria.channels.providers.sms_aws.config import SmsConfig
from masteria.channels.schemas import (
    ConnectionCreate,
    ConnectionCreated,
    ConnectionRead,
    ConnectionUpdate,
    SmsConnectionCreate,
)
from masteria.channels.secret_jobs import SecretJob, record_secret_job
from masteria.channels.sms_connections import sms_config, sms_settings
from masteria.crypto import CompanyKeys, seal_column, unseal, unseal_column
from masteria.db import Database, get_or_404, save_unique
from masteria.errors import FieldError, Invalid
from masteria.mirror import converge
from masteria.pagination import Page, PageRequest, paginate
from masteria.ports import InboundSecret, InboundSecrets
from masteria.templates.whatsapp import WabaAccess
from masteria.tenancy.models import Role
from masteria.tenancy.service import Principal

WEBHOOK_PATHS = {"meta_cloud": "/webhooks/meta/", "sms_aws": "/webhooks/sms/"}
ProviderConfig = MetaCloudConfig | SmsConfig
CONFIG_MODELS: dict[str, type[ProviderConfig]] = {"meta_cloud": MetaCloudConfig, "sms_aws": SmsConfig}
CONFIG = "config"
# The first byte of a configuration migration 0119 carried over without the company keys: JSON of Meta's five
# former columns, each still sealed as it was (bound to its own column). A sealed value's first byte is never 0.
CARRIED_OVER = 0


def carried_over(row: ChannelConnection) -> bool:
    """Whether the connection's configuration is still as migration 0119 carried it over (not yet one sealed
    JSON: its next write seals it so)."""
    return row.config[:1] == bytes([CARRIED_OVER])


def config(session: Session, keys: CompanyKeys, row: ChannelConnection) -> ProviderConfig:
    """The connection's provider configuration, unsealed (SecretUnreadable if it was tampered with or moved)."""
    if carried_over(row):
        key = keys.key(session, row.company_id)
        columns: dict[str, str] = json.loads(row.config[1:])
        return MetaCloudConfig(**{
            column: unseal(bytes.fromhex(sealed), key=key, company_id=row.company_id, table=row.__tablename__,
                           column=column, row_id=row.id)
            for column, sealed in columns.items()
        })  # fmt: skip
    return CONFIG_MODELS[row.provider].model_validate_json(unseal_column(keys, session, row, CONFIG))


def store_config(session: Session, keys: CompanyKeys, row: ChannelConnection, value: ProviderConfig) -> None:
    """Seal ``value`` as the connection's configuration."""
    row.config = seal_column(keys, session, row, CONFIG, value.model_dump_json())


def credentials(session: Session, keys: CompanyKeys, row: ChannelConnection) -> MetaCloudConfig:
    """A WhatsApp connection's Meta configuration (its ids and secrets); a 422 for another provider's."""
    found = config(session, keys, row)
    if not isinstance(found, MetaCloudConfig):
        message = f"{row.name} is not a WhatsApp connection"
        raise Invalid(
            message, [FieldError("connection_id", "not a WhatsApp connection", code="whatsapp_connection_required")]
        )
    return found


def sms(session: Session, keys: CompanyKeys, row: ChannelConnection) -> SmsConfig:
    """An SMS connection's configuration; a 422 for another provider's."""
    found = config(session, keys, row)
    if not isinstance(found, SmsConfig):
        message = f"{row.name} is not an SMS connection"
        raise Invalid(message, [FieldError("connection_id", "not an SMS connection", code="sms_connection_required")])
    return found


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


def _read(
    session: Session, keys: CompanyKeys, providers: Registry, row: ChannelConnection, base_url: str
) -> ConnectionRead:
    found = config(session, keys, row)
    meta = found if isinstance(found, MetaCloudConfig) else None
    return ConnectionRead.model_validate(
        {
            **{c.key: getattr(row, c.key) for c in ChannelConnection.__table__.columns if c.key != CONFIG},
            "channel": providers.get(row.provider).channel,
            "phone_number_id": meta.phone_number_id if meta else None,
            "waba_id": meta.waba_id if meta else None,
            "sms": sms_settings(found) if isinstance(found, SmsConfig) else None,
            "webhook_url": base_url.rstrip("/") + WEBHOOK_PATHS[row.provider] + row.webhook_key,
        }
    )


def create_connection(
    *,
    session: Session,
    actor: Principal,
    keys: CompanyKeys,
    providers: Registry,
    graph: GraphClient,
    data: ConnectionCreate,
    now: datetime,
    base_url: str,
) -> ConnectionCreated:
    """Connect a number: Meta's verified with the Graph API, an SMS sender checked against its country's rules."""
    actor.require(Role.ADMIN)
    value: ProviderConfig
    verify_token: str | None = None
    if isinstance(data, SmsConnectionCreate):
        value = sms_config(data)
        facts: dict[str, str | None] = {"display_phone_number": value.origination}
    else:
        facts = _verify(graph, data.phone_number_id, data.waba_id, data.access_token)
        verify_token = data.verify_token or secrets.token_urlsafe(24)
        value = MetaCloudConfig(
            phone_number_id=data.phone_number_id,
            waba_id=data.waba_id,
            access_token=data.access_token,
            app_secret=data.app_secret,
            verify_token=verify_token,
        )
    row = ChannelConnection(
        id=uuid.uuid4(),
        company_id=actor.company_id,
        provider=data.provider,
        name=data.name,
        status="active",
        webhook_key=secrets.token_urlsafe(24),
        last_checked_at=now,
        **facts,
    )
    store_config(session, keys, row, value)
    save_unique(session, row, f"a connection named {data.name!r} already exists", name=data.name)
    audit.record(
        session, actor=actor, action="connections.create", count=1, target_type="connection", target_id=row.id,
        details={"name": row.name, "provider": row.provider},
    )  # fmt: skip
    record_secret_job(session, row)
    read = _read(session, keys, providers, row, base_url)
    return ConnectionCreated(**read.model_dump(), verify_token=verify_token)


def list_connections(
    *,
    session: Session,
    actor: Principal,
    keys: CompanyKeys,
    providers: Registry,
    base_url: str,
    page: PageRequest,
    q: str | None = None,
    status: str | None = None,
    channel: str | None = None,
) -> Page[ConnectionRead]:
    """Oldest first (created_at, id); ``q`` is a part of the name, Meta's display name or the phone number (an SMS
    connection's origination; digits alone find a formatted number: "5550783881" finds "+1 555-078-3881");
    ``channel`` keeps one channel's (whatsapp, sms)."""
    statement = select(ChannelConnection)
    if channel:
        carrying = [name for name in providers.names() if providers.get(name).channel == channel]
        statement = statement.where(ChannelConnection.provider.in_(carrying))
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
    return Page[ConnectionRead](
        items=[_read(session, keys, providers, row, base_url) for row in rows], next_cursor=cursor
    )


def get_connection(
    *,
    session: Session,
    actor: Principal,
    keys: CompanyKeys,
    providers: Registry,
    connection_id: uuid.UUID,
    base_url: str,
) -> ConnectionRead:
    return _read(
        session, keys, providers, get_or_404(session, ChannelConnection, connection_id, "connection"), base_url
    )


def update_connection(
    *,
    session: Session,
    actor: Principal,
    keys: CompanyKeys,
    providers: Registry,
    graph: GraphClient,
    connection_id: uuid.UUID,
    data: ConnectionUpdate,
    now: datetime,
    base_url: str,
) -> ConnectionRead:
    """Rename, replace a Meta connection's secrets or change an SMS connection's settings (a field of another
    provider's is a 422); a new access token is verified with Meta before it is kept."""
    actor.require(Role.ADMIN)
    row = get_or_404(session, ChannelConnection, connection_id, "connection")
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "name" in changes:
        row.name = changes.pop("name")
    if changes:
        current = config(session, keys, row)
        if foreign := sorted(set(changes) - set(type(current).model_fields)):
            raise Invalid(
                f"a {row.provider} connection has no {', '.join(foreign)}",
                [FieldError(f, f"not a setting of a {row.provider} connection", code="not_for_provider",
                            params={"provider": row.provider}) for f in foreign],
            )  # fmt: skip
        if isinstance(current, MetaCloudConfig) and "access_token" in changes:
            facts = _verify(graph, current.phone_number_id, current.waba_id, changes["access_token"])
            for key, value in facts.items():
                setattr(row, key, value)
            row.status, row.last_error, row.last_checked_at, row.token_expires_at = "active", None, now, None
        store_config(session, keys, row, current.model_copy(update=changes))
        record_secret_job(session, row)
    save_unique(session, row, f"a connection named {row.name!r} already exists", name=row.name)
    return _read(session, keys, providers, row, base_url)


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
    providers: Registry,
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
    return _read(session, keys, providers, row, base_url)


def waba_access(session: Session, keys: CompanyKeys, connection_id: uuid.UUID) -> WabaAccess:
    """What template management needs of a connection: its WABA id and token."""
    row = get_or_404(session, ChannelConnection, connection_id, "connection")
    secret = credentials(session, keys, row)
    return WabaAccess(connection_id=row.id, waba_id=secret.waba_id, token=secret.access_token)


def _inbound(session: Session, keys: CompanyKeys, row: ChannelConnection) -> InboundSecret:
    found = config(session, keys, row)
    if isinstance(found, SmsConfig):
        return InboundSecret(company_id=row.company_id, connection_id=row.id, provider=row.provider,
                             topic_arns=tuple(sorted(found.topics())))  # fmt: skip
    return InboundSecret(company_id=row.company_id, connection_id=row.id, provider=row.provider,
                         app_secret=found.app_secret, verify_token=found.verify_token)  # fmt: skip


def inbound_secret(session: Session, keys: CompanyKeys, connection_id: uuid.UUID) -> tuple[str, InboundSecret]:
    """The webhook key and what the connection's webhook function (Meta's, SMS's) needs of it."""
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
