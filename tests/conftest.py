"""Shared fixtures: a real PostgreSQL with pgvector (embedded unless TEST_DATABASE_URL is set).

TEST_DATABASE_URL names an owner role on any PostgreSQL >= 15 with pgvector; the suite creates its
own tables there and truncates them between tests, so never point it at a database you care about.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

# Before masteria is imported, and inherited by every runtime a test starts: cheap password hashes (see
# masteria.tenancy.security), since the suite signs up thousands of accounts.
os.environ["MASTERIA_TEST_CHEAP_PASSWORD_HASHES"] = "1"

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from functions.manifest import local_queue_configs
from masteria import bootstrap
from masteria.adapters.local import embedded_pg
from masteria.bootstrap import Container, DatabaseUrls, derive_app_url
from masteria.channels.providers.meta_cloud.graph import GraphClient
from masteria.db import make_engine
from masteria.migrations.runner import migrate
from masteria.settings import Settings
from tests.meta import FakeMeta
from tests.statuses import OBSERVED, StatusRecorder, undocumented

ROOT = Path(__file__).resolve().parents[1]
TEST_DATA_DIR = ROOT / ".data" / "test"
APP_ROLE = "masteria_app"
JWT_SECRET = secrets.token_urlsafe(48)
# the embedded server's superuser on the test database (truncate_all's fast path); unset for TEST_DATABASE_URL
_superuser: dict[str, Engine] = {}


@pytest.fixture(scope="session")
def database_urls() -> Iterator[DatabaseUrls]:
    external = os.environ.get("TEST_DATABASE_URL")
    if external:
        owner = external
        server = None
    else:
        server = embedded_pg.start(TEST_DATA_DIR)
        # One database per test process, so concurrent runs never share tables.
        owner = embedded_pg.ensure_database(server, f"masteria_test_{os.getpid()}", recreate=True)
    migrate(owner, app_role=APP_ROLE, app_password="app-test-password")
    if server is not None:
        _superuser["engine"] = make_engine(server.url(user="postgres", database=f"masteria_test_{os.getpid()}"))
    yield DatabaseUrls(owner=owner, app=derive_app_url(owner, APP_ROLE, "app-test-password"))
    if "engine" in _superuser:
        _superuser.pop("engine").dispose()
    if server is not None:
        embedded_pg.drop_database(server, f"masteria_test_{os.getpid()}")


@pytest.fixture(scope="session")
def owner_engine(database_urls: DatabaseUrls) -> Iterator[Engine]:
    engine = make_engine(database_urls.owner, pool_size=2)
    yield engine
    engine.dispose()


def truncate_all(engine: Engine) -> None:
    """Empty every table and restart every sequence. A TRUNCATE of every table costs a test about 160 ms; on the
    embedded server its superuser instead deletes the rows of the tables that hold any, with triggers and foreign
    keys off for the transaction (``session_replication_role``) and past row-level security, in milliseconds."""
    fast = _superuser.get("engine")
    with (fast or engine).begin() as connection:
        tables = (
            connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'")
            )
            .scalars()
            .all()
        )
        if fast is not None and tables:
            probe = " UNION ALL ".join(f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM \"{t}\")" for t in tables)
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            for table in connection.execute(text(probe)).scalars().all():
                connection.execute(text(f'DELETE FROM "{table}"'))
        elif tables:
            connection.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
        connection.execute(
            text(
                "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, false)"
                " FROM pg_sequences WHERE schemaname = 'public' AND last_value IS NOT NULL"
            )
        )


@pytest.fixture
def settings(database_urls: DatabaseUrls, tmp_path: Path) -> Settings:
    return Settings(
        masteria_data_dir=tmp_path,
        database_url=database_urls.owner,
        database_app_url=database_urls.app,
        jwt_secret=JWT_SECRET,
    )


@pytest.fixture
def meta() -> FakeMeta:
    """Meta's Graph API, in memory: no test ever reaches the real one."""
    return FakeMeta()


@pytest.fixture
def container(settings: Settings, owner_engine: Engine, meta: FakeMeta) -> Iterator[Container]:
    """A fresh container on a clean database, installed as the process's container."""
    truncate_all(owner_engine)
    instance = Container(settings, queue_configs=local_queue_configs())
    instance.graph = GraphClient(httpx.MockTransport(meta))
    bootstrap.install(instance)
    yield instance
    bootstrap.install(None)
    instance.close()


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    from functions.api.app import create_app

    with TestClient(StatusRecorder(create_app())) as test_client:
        yield test_client


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail a passing session in which a route answered a status its OpenAPI document does not list."""
    if not OBSERVED:
        return
    from functions.api.app import create_app

    missing = undocumented(create_app().openapi())
    if missing:
        print("\nstatuses the OpenAPI document does not list (declare them with responses=problems(...)):")
        print("\n".join(f"  {line}" for line in missing))
        if exitstatus == 0:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
