"""One trigram index over name, email and phone instead of three (imports write a third as much).

Revision ID: 0104
Revises: 0103
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

# the searchable text then (migration 0133 replaced the index with contact_terms)
SEARCH_TEXT = "coalesce(name, '') || ' ' || coalesce(email, '') || ' ' || phone"

revision = "0104"
down_revision = "0103"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for column in ("name", "email", "phone"):
        op.drop_index(f"ix_contacts_{column}_trgm", table_name="contacts")
    op.execute(f"CREATE INDEX ix_contacts_search_trgm ON contacts USING gin (({SEARCH_TEXT}) gin_trgm_ops)")


def downgrade() -> None:
    op.drop_index("ix_contacts_search_trgm", table_name="contacts")
    for column in ("name", "email", "phone"):
        op.execute(f"CREATE INDEX ix_contacts_{column}_trgm ON contacts USING gin ({column} gin_trgm_ops)")
