"""Migration 0119 carries today's Meta connections over to one sealed configuration, and back.

It runs in a database of its own (migrated to 0118, a connection sealed column by column as the application
sealed them then), so the suite's database stays at the head."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from masteria.adapters.local import embedded_pg
from masteria.bootstrap import Container
from masteria.channels import connections
from masteria.channels.models import ChannelConnection
from masteria.channels.providers.meta_cloud.config import MetaCloudConfig
from masteria.crypto import CompanyKeys, seal, unseal
from masteria.db import TENANT_SETTING, make_engine
from masteria.migrations.runner import alembic_config
from tests.conftest import TEST_DATA_DIR

META = MetaCloudConfig(
    phone_number_id="106540352242922", waba_id="102290129340398", access_token="EAAG-token-of-before",
    app_secret="app-secret-of-before", verify_token="verify-token-of-before",
)  # fmt: skip
COLUMNS = tuple(MetaCloudConfig.model_fields)


@pytest.fixture
def database(owner_engine: Engine) -> Iterator[Engine]:
    """A database of the embedded server's own (the owner role may not create one), as the suite's is made."""
    if os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("needs the embedded PostgreSQL's superuser to create a database")
    server, name = embedded_pg.start(TEST_DATA_DIR), f"masteria_0119_{os.getpid()}"
    engine = make_engine(embedded_pg.ensure_database(server, name, recreate=True), pool_size=1)
    try:
        yield engine
    finally:
        engine.dispose()
        embedded_pg.drop_database(server, name)


def _migrate(connection: Connection, revision: str, *, down: bool = False) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    (command.downgrade if down else command.upgrade)(config, revision)
    connection.commit()


def _tenant(session: Session | Connection, company_id: uuid.UUID) -> None:
    session.execute(text("SELECT set_config(:name, :value, true)"), {"name": TENANT_SETTING, "value": str(company_id)})


def _as_of_0118(session: Session, keys: CompanyKeys, company_id: uuid.UUID) -> uuid.UUID:
    """A company with a Meta connection sealed as the application sealed it before 0119 (a column per value)."""
    row_id = uuid.uuid4()
    _tenant(session, company_id)
    session.execute(text("INSERT INTO companies (id, name) VALUES (:id, 'Loja')"), {"id": company_id})
    key = keys.key(session, company_id)
    sealed = {
        c: seal(getattr(META, c), key=key, company_id=company_id, table="channel_connections", column=c, row_id=row_id)
        for c in COLUMNS
    }
    session.execute(
        text(
            f"INSERT INTO channel_connections (id, company_id, name, webhook_key, {', '.join(COLUMNS)}) "
            f"VALUES (:id, :company, 'Vendas', :key, {', '.join(':' + c for c in COLUMNS)})"
        ),
        {"id": row_id, "company": company_id, "key": uuid.uuid4().hex, **sealed},
    )
    return row_id


def test_a_meta_connection_is_carried_over_readable_and_back(database: Engine, container: Container) -> None:
    keys = CompanyKeys(container.key_service, container.clock)
    with database.connect() as connection:
        _migrate(connection, "0118")
    company_id = uuid.uuid4()
    with Session(database) as session, session.begin():
        row_id = _as_of_0118(session, keys, company_id)

    # WHEN 0119 runs (no company keys there) THEN the application reads the configuration it carried over
    with database.connect() as connection:
        _migrate(connection, "head")
    with Session(database) as session, session.begin():
        _tenant(session, company_id)
        row = session.get_one(ChannelConnection, row_id)
        assert connections.carried_over(row)
        assert connections.credentials(session, keys, row) == META
        assert META.access_token.encode() not in row.config  # still sealed, each value as it was

    # WHEN it goes back down THEN the five columns open as before
    with database.connect() as connection:
        _migrate(connection, "0118", down=True)
        _tenant(connection, company_id)
        key = keys.key(Session(bind=connection), company_id)
        values = connection.execute(
            text(f"SELECT {', '.join(COLUMNS)} FROM channel_connections WHERE id = :id"), {"id": row_id}
        ).one()
        opened = {
            c: unseal(bytes(v), key=key, company_id=company_id, table="channel_connections", column=c, row_id=row_id)
            for c, v in zip(COLUMNS, values, strict=True)
        }
        connection.rollback()
    assert MetaCloudConfig(**opened) == META

    # once the application sealed it as one configuration, going down would lose it: refused, nothing changed
    with database.connect() as connection:
        _migrate(connection, "head")
    with Session(database) as session, session.begin():
        _tenant(session, company_id)
        row = session.get_one(ChannelConnection, row_id)
        connections.store_config(session, keys, row, connections.credentials(session, keys, row))
    with database.connect() as connection, pytest.raises(RuntimeError, match="sealed as one configuration"):
        _migrate(connection, "0118", down=True)
    with Session(database) as session, session.begin():
        _tenant(session, company_id)
        row = session.get_one(ChannelConnection, row_id)
        assert not connections.carried_over(row) and connections.credentials(session, keys, row) == META
