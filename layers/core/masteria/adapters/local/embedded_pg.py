"""The embedded PostgreSQL with pgvector (``pgserver``), for the local runtime and the tests.

Its data lives under ``<data_dir>/pg`` across restarts. A superuser (over a Unix socket, trust auth)
creates the owner role, the database and the extensions once; from then on the owner runs the
migrations and the application role serves requests.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pg8000.native

OWNER_ROLE = "masteria_owner"
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class EmbeddedPostgres:
    socket: str  # path of the Unix socket file
    server: Any  # pgserver.PostgresServer: keeps the server alive while referenced

    def url(self, *, user: str, database: str) -> str:
        return f"postgresql+pg8000://{user}@/{database}?unix_sock={quote(self.socket, safe='/')}"


def start(data_dir: Path, *, stop_on_exit: bool = True) -> EmbeddedPostgres:
    """Start (or join) the embedded server whose data lives in ``data_dir / "pg"``."""
    with warnings.catch_warnings():  # platformdirs warns about XDG_RUNTIME_DIR on import; harmless here
        warnings.simplefilter("ignore")
        import pgserver  # the `local` extra: never needed on AWS

    pgdata = (data_dir / "pg").resolve()
    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode="stop" if stop_on_exit else None)
    info = server.get_postmaster_info()
    socket = str(Path(info.socket_dir) / f".s.PGSQL.{info.port}")
    return EmbeddedPostgres(socket=socket, server=server)


def ensure_database(pg: EmbeddedPostgres, database: str, *, recreate: bool = False) -> str:
    """Create the owner role, ``database`` and its extensions; return the owner's URL."""
    if not _IDENTIFIER.match(database):
        raise ValueError(f"invalid database name {database!r}")
    admin = pg8000.native.Connection("postgres", unix_sock=pg.socket, database="postgres")
    try:
        if not admin.run("SELECT 1 FROM pg_roles WHERE rolname = :r", r=OWNER_ROLE):
            admin.run(f"CREATE ROLE {OWNER_ROLE} LOGIN CREATEROLE NOSUPERUSER")
        exists = bool(admin.run("SELECT 1 FROM pg_database WHERE datname = :d", d=database))
        if exists and recreate:
            admin.run(f"DROP DATABASE {database} WITH (FORCE)")
            exists = False
        if not exists:
            admin.run(f"CREATE DATABASE {database} OWNER {OWNER_ROLE} ENCODING 'UTF8' TEMPLATE template0")
    finally:
        admin.close()
    # pgvector is not a trusted extension: the superuser creates it, the owner uses it.
    db = pg8000.native.Connection("postgres", unix_sock=pg.socket, database=database)
    try:
        db.run("CREATE EXTENSION IF NOT EXISTS vector")
        db.run("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    finally:
        db.close()
    return pg.url(user=OWNER_ROLE, database=database)


def drop_database(pg: EmbeddedPostgres, database: str) -> None:
    if not _IDENTIFIER.match(database):
        raise ValueError(f"invalid database name {database!r}")
    admin = pg8000.native.Connection("postgres", unix_sock=pg.socket, database="postgres")
    try:
        admin.run(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    finally:
        admin.close()
