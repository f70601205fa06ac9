"""Template status/category history, account events and connection restrictions (Meta webhook kinds).

- ``whatsapp_templates``: why the status is what it is (a pause's, a disabling's or a rejection's reason),
  when Meta said so, and the category before Meta changed it.
- ``channel_connections``: what Meta says of the account (ok, restricted, disabled, disconnected) with the
  detail and Meta's time of its last account_update; ``channel_account_events`` keeps each account_update
  once (by the digest of its value and its webhook entry's time), so that a redelivery changes nothing.
- ``consent_events.source``: also ``whatsapp_preferences`` (the contact stopped or resumed marketing
  messages in WhatsApp).

Revision ID: 0116
Revises: 0115
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from masteria.migrations.columns import TS, UUID, company_column, created_column
from masteria.migrations.rls import enable_tenant_rls

revision = "0116"
down_revision = "0115"
branch_labels = None
depends_on = None

# the values as of this revision (the models' tuples may grow later; a migration must not move with them)
ACCOUNT_STATES = ("ok", "restricted", "disabled", "disconnected")
SOURCES_BEFORE = ("user", "inbound_keyword")
SOURCES = (*SOURCES_BEFORE, "whatsapp_preferences")


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _consent_sources(values: tuple[str, ...]) -> None:
    op.execute("ALTER TABLE consent_events DROP CONSTRAINT IF EXISTS ck_consent_events_source")
    op.execute(f"ALTER TABLE consent_events ADD CONSTRAINT ck_consent_events_source CHECK (source IN ({_in(values)}))")


def upgrade() -> None:
    op.add_column("whatsapp_templates", sa.Column("status_reason", sa.String(500)))
    op.add_column("whatsapp_templates", sa.Column("status_changed_at", TS))
    op.add_column("whatsapp_templates", sa.Column("previous_category", sa.String(32)))

    op.add_column(
        "channel_connections", sa.Column("account_status", sa.String(16), nullable=False, server_default="ok")
    )
    op.add_column("channel_connections", sa.Column("account_detail", postgresql.JSONB))
    op.add_column("channel_connections", sa.Column("account_updated_at", TS))
    op.execute(
        "ALTER TABLE channel_connections ADD CONSTRAINT ck_channel_connections_account_status"
        f" CHECK (account_status IN ({_in(ACCOUNT_STATES)}))"
    )

    op.create_table(
        "channel_account_events",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        company_column(),
        sa.Column("connection_id", UUID, sa.ForeignKey("channel_connections.id", ondelete="CASCADE"), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("detail", postgresql.JSONB, nullable=False),
        created_column(),
    )
    op.create_index(
        "uq_channel_account_events_connection_id_digest",
        "channel_account_events",
        ["connection_id", "digest"],
        unique=True,
    )
    enable_tenant_rls("channel_account_events")

    _consent_sources(SOURCES)


def downgrade() -> None:
    op.execute("DELETE FROM consent_events WHERE source = 'whatsapp_preferences'")
    _consent_sources(SOURCES_BEFORE)
    op.drop_table("channel_account_events")
    op.execute("ALTER TABLE channel_connections DROP CONSTRAINT ck_channel_connections_account_status")
    for column in ("account_updated_at", "account_detail", "account_status"):
        op.drop_column("channel_connections", column)
    for column in ("previous_category", "status_changed_at", "status_reason"):
        op.drop_column("whatsapp_templates", column)
