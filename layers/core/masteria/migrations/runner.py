"""``masteria migrate``: extensions, the application role, Alembic, and the role's grants."""

from __future__ import annotations

import re
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text

from masteria.db import make_engine
from masteria.observability import logger

_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_LOCK_KEY = 7_274_271  # pg_advisory_lock key: one migration at a time per database
# Histories the application may only add to (a cascade from their owner row still removes them).
APPEND_ONLY_TABLES = (
    "consent_events",
    "lead_stage_changes",
    "persona_versions",
    "ai_usage",
    "ai_decisions",
    "cadence_versions",
    "cadence_enrollment_steps",
    "automation_runs",
)


def _exec_formatted(connection: Connection, template: str, *args: str) -> None:
    """Run DDL built by PostgreSQL's own ``format()`` (%I identifiers, %L literals)."""
    placeholders = ", ".join(f"CAST(:a{i} AS text)" for i in range(len(args)))
    statement = connection.execute(
        text(f"SELECT format(CAST(:template AS text), {placeholders})"),
        {"template": template, **{f"a{i}": a for i, a in enumerate(args)}},
    ).scalar_one()
    connection.execute(text(statement))


def _ensure_app_role(connection: Connection, role: str, password: str | None) -> None:
    exists = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    if not exists:
        _exec_formatted(connection, "CREATE ROLE %I LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE", role)
    if password:
        _exec_formatted(connection, "ALTER ROLE %I PASSWORD %L", role, password)
    database = connection.execute(text("SELECT current_database()")).scalar_one()
    _exec_formatted(connection, "GRANT CONNECT ON DATABASE %I TO %I", database, role)


def _grant(connection: Connection, role: str) -> None:
    _exec_formatted(connection, "GRANT USAGE ON SCHEMA public TO %I", role)
    _exec_formatted(connection, "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I", role)
    _exec_formatted(connection, "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I", role)
    _exec_formatted(connection, "REVOKE ALL ON alembic_version FROM %I", role)
    for table in APPEND_ONLY_TABLES:
        _exec_formatted(connection, "REVOKE UPDATE, DELETE, TRUNCATE ON %I FROM %I", table, role)


def alembic_config() -> Config:
    config = Config(str(Path(__file__).with_name("alembic.ini")))
    config.set_main_option("script_location", str(Path(__file__).parent))
    return config


def migrate(owner_url: str, *, app_role: str, app_password: str | None = None) -> str:
    """Bring the database to the newest revision; return it. Safe to run concurrently."""
    if not _ROLE.match(app_role):
        raise ValueError(f"invalid role name {app_role!r}")
    engine = make_engine(owner_url, pool_size=1)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _LOCK_KEY})
            try:
                for extension in ("vector", "pg_trgm"):
                    connection.execute(text(f"CREATE EXTENSION IF NOT EXISTS {extension}"))
                _ensure_app_role(connection, app_role, app_password)
                connection.commit()
                config = alembic_config()
                config.attributes["connection"] = connection
                command.upgrade(config, "heads")  # contexts may add independent branches
                connection.commit()
                _grant(connection, app_role)
                revision = ",".join(
                    sorted(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
                )
                connection.commit()
            finally:
                connection.rollback()
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _LOCK_KEY})
                connection.commit()
    finally:
        engine.dispose()
    logger.info("database migrated", extra={"revision": revision})
    return str(revision)
