"""A larger pending list for the contact search index, so bulk imports add to it in big batches.

GIN's fast update appends new entries to a pending list and merges them into the index when the list
outgrows ``gin_pending_list_limit`` (or when autovacuum runs). At the default 4 MB an import of
100,000 contacts merges a dozen times; at 32 MB it merges about twice, each merge sorting more
entries at once. Searches scan the pending list too, which stays cheap at this size.

Revision ID: 0107
Revises: 0106
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

SEARCH_PENDING_LIST_KB = 32 * 1024

revision = "0107"
down_revision = "0106"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(f"ALTER INDEX ix_contacts_search_trgm SET (gin_pending_list_limit = {SEARCH_PENDING_LIST_KB})")


def downgrade() -> None:
    op.execute("ALTER INDEX ix_contacts_search_trgm RESET (gin_pending_list_limit)")
