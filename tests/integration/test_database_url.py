"""Any PostgreSQL with pgvector works through DATABASE_URL: the owner migrates, the app role serves."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import text

from masteria.adapters.local import embedded_pg
from masteria.bootstrap import Container
from masteria.settings import Settings
from tests.conftest import TEST_DATA_DIR


def test_migrate_and_serve_through_database_url(tmp_path: Path) -> None:
    server = embedded_pg.start(TEST_DATA_DIR)
    name = f"masteria_url_{os.getpid()}"
    owner_url = embedded_pg.ensure_database(server, name, recreate=True)
    container = Container(
        Settings(masteria_data_dir=tmp_path, database_url=owner_url, database_app_password="app-secret-pw")
    )
    try:
        # WHEN migrations run twice (as on every deploy), THEN the second is a no-op
        assert container.migrate() == container.migrate()
        with container.database.tenant(None) as session:
            role = session.execute(text("SELECT current_user")).scalar_one()
            assert role == "masteria_app"
            assert session.execute(text("SELECT count(*) FROM users")).scalar_one() == 0
        assert container.database.ping()
    finally:
        container.close()
        embedded_pg.drop_database(server, name)
