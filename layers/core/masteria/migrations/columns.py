"""Columns every tenant table repeats, for migrations (models have their own twins in each context)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

UUID = postgresql.UUID(as_uuid=True)
TS = sa.DateTime(timezone=True)


def id_column() -> sa.Column[object]:
    return sa.Column("id", UUID, primary_key=True, server_default=sa.text("gen_random_uuid()"))


def company_column() -> sa.Column[object]:
    return sa.Column("company_id", UUID, sa.ForeignKey("companies.id", ondelete="CASCADE"), nullable=False)


def created_column() -> sa.Column[object]:
    return sa.Column("created_at", TS, nullable=False, server_default=sa.func.now())
