"""The database: engines, the declarative base, and tenant-scoped transactions.

Every unit of work runs in one transaction that first sets ``app.company_id`` with
``set_config(..., true)`` (transaction-local), so a pooled connection never carries a tenant from
one transaction into the next. Row-level security policies read it back with
``NULLIF(current_setting('app.company_id', true), '')::uuid``.
"""

from __future__ import annotations

import ssl
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TypeVar

from sqlalchemy import DateTime, Engine, MetaData, create_engine, func, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from masteria.errors import Conflict, NotFound

TENANT_SETTING = "app.company_id"
LOGIN_EMAIL_SETTING = "app.login_email"
OUTBOX_SWEEP_SETTING = "app.outbox_sweep"
CONNECTION_CHECK_SETTING = "app.connection_check"
# set in session.info by record_event: the transaction wrote domain events to the outbox
RECORDED_EVENTS = "masteria.recorded_events"
# The expression every tenant policy compares company_id with (one place for the fact).
TENANT_EXPRESSION = f"NULLIF(current_setting('{TENANT_SETTING}', true), '')::uuid"

_NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=_NAMING)


ModelT = TypeVar("ModelT", bound=Base)


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


def get_or_404(session: Session, model: type[ModelT], key: object, what: str) -> ModelT:
    """The row of ``model`` with primary key ``key`` in the transaction's company, or ``NotFound``
    (another company's row is invisible under RLS, so it is "not found" exactly like a missing one)."""
    row = session.get(model, key)
    if row is None:
        raise NotFound(f"{what} not found")
    return row


def save_unique(session: Session, row: Base, clash: str) -> None:
    """Insert or update ``row`` and refresh it; a unique constraint it breaks becomes a 409 saying ``clash``
    (in a savepoint, so the transaction goes on)."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError as error:
        raise Conflict(clash) from error
    session.refresh(row)


def pg8000_url(url: str) -> URL:
    """Normalize any ``postgres://`` / ``postgresql://`` URL to the pg8000 driver."""
    parsed = make_url(url)
    if parsed.drivername in {"postgres", "postgresql", "postgresql+psycopg2", "postgresql+psycopg"}:
        parsed = parsed.set(drivername="postgresql+pg8000")
    if parsed.drivername != "postgresql+pg8000":
        raise ValueError(f"unsupported database driver {parsed.drivername!r}: use postgresql://")
    return parsed


def make_engine(url: str | URL, *, pool_size: int = 5) -> Engine:
    """An engine for ``url``; ``?sslmode=require`` (or ``verify-full``) connects with TLS, verifying the server's
    certificate against the system's trust store (RDS Proxy's certificates are publicly trusted)."""
    parsed = url if isinstance(url, URL) else pg8000_url(url)
    connect_args: dict[str, object] = {}
    if parsed.query.get("sslmode") in ("require", "verify-full"):
        parsed = parsed.difference_update_query(["sslmode"])
        connect_args["ssl_context"] = ssl.create_default_context()
    return create_engine(
        parsed,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args=connect_args,
    )


class Database:
    """The application role's engine and its transactions."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # called with the company id after a transaction that recorded domain events commits (the relay)
        self.after_events: Callable[[uuid.UUID], None] | None = None

    @contextmanager
    def tenant(self, company_id: uuid.UUID | None, *, relay: bool = True) -> Iterator[Session]:
        """One transaction scoped to ``company_id`` (``None``: sees no tenant rows). Once it commits, the
        domain events it recorded are handed to the relay."""
        with Session(self.engine, expire_on_commit=False) as session:
            with session.begin():
                session.execute(
                    text("SELECT set_config(:name, :value, true)"),
                    {"name": TENANT_SETTING, "value": str(company_id) if company_id else ""},
                )
                yield session
            if relay and company_id and session.info.get(RECORDED_EVENTS) and self.after_events is not None:
                self.after_events(company_id)

    @contextmanager
    def connection_check(self) -> Iterator[Session]:
        """One read-only transaction that lists every company's connections (ids only are used): the
        scheduled token check's, which then checks each one in that company's own transaction."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            session.execute(
                text("SELECT set_config(:name, 'on', true), set_config(:tname, '', true)"),
                {"name": CONNECTION_CHECK_SETTING, "tname": TENANT_SETTING},
            )
            yield session

    @contextmanager
    def outbox_sweep(self) -> Iterator[Session]:
        """One transaction that sees every company's outbox rows (and no other tenant rows): the sweeper's."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            session.execute(
                text("SELECT set_config(:name, 'on', true), set_config(:tname, '', true)"),
                {"name": OUTBOX_SWEEP_SETTING, "tname": TENANT_SETTING},
            )
            yield session

    @contextmanager
    def login_lookup(self, email: str) -> Iterator[Session]:
        """One transaction that may read the user rows whose email is ``email`` (and no other rows)."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            session.execute(
                text("SELECT set_config(:name, :value, true), set_config(:tname, '', true)"),
                {"name": LOGIN_EMAIL_SETTING, "value": email.lower(), "tname": TENANT_SETTING},
            )
            yield session

    def ping(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    def dispose(self) -> None:
        self.engine.dispose()
