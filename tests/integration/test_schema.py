"""The SQLAlchemy models and the migrations describe the same schema (one place per fact)."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from masteria.models import metadata


# Alembic cannot compare expression indexes (lower(name) and the like): it warns and skips them.
@pytest.mark.filterwarnings("ignore:Expression #1")
def test_models_match_migrations(owner_engine: Engine) -> None:
    with owner_engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    assert diff == []
