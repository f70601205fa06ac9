"""Foundation: companies, users, refresh tokens, login throttling, the local queue.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from masteria.db import LOGIN_EMAIL_SETTING
from masteria.migrations.rls import enable_tenant_rls

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

UUID = postgresql.UUID(as_uuid=True)
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "companies",
        sa.Column("id", UUID, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("default_region", sa.String(2), nullable=False, server_default="BR"),
        sa.Column("timezone", sa.String(64), nullable=False, server_default="America/Sao_Paulo"),
        sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
    )
    enable_tenant_rls("companies", column="id")

    op.create_table(
        "users",
        sa.Column("id", UUID, primary_key=True, server_default=sa.text("gen_random_uuid()")),
        sa.Column("company_id", UUID, sa.ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.Text),
        sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.text("true")),
        sa.Column("invite_token_hash", sa.LargeBinary),
        sa.Column("invite_expires_at", TS),
        sa.Column("last_login_at", TS),
        sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("role IN ('owner', 'admin', 'agent')", name="role"),
    )
    op.create_index("uq_users_email", "users", [sa.text("lower(email)")], unique=True)
    op.create_index("ix_users_company_id", "users", ["company_id"])
    enable_tenant_rls("users")
    # Login knows an email before it knows a company: a read-only policy shows the rows with that
    # email, and only inside a transaction that set it (Database.login_lookup).
    op.execute(
        "CREATE POLICY login_lookup ON users FOR SELECT USING ("
        f"lower(email) = NULLIF(current_setting('{LOGIN_EMAIL_SETTING}', true), ''))"
    )

    op.create_table(
        "refresh_tokens",
        sa.Column("id", UUID, primary_key=True, server_default=sa.text("gen_random_uuid()")),
        sa.Column("company_id", UUID, sa.ForeignKey("companies.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", UUID, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("family_id", UUID, nullable=False),
        sa.Column("token_hash", sa.LargeBinary, nullable=False, unique=True),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS),
        sa.Column("revoked_at", TS),
        sa.Column("created_at", TS, nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_refresh_tokens_family_id", "refresh_tokens", ["family_id"])
    op.create_index("ix_refresh_tokens_user_id", "refresh_tokens", ["user_id"])
    enable_tenant_rls("refresh_tokens")

    op.create_table(
        "login_failures",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("window_started_at", TS, nullable=False),
    )

    op.create_table(
        "queue_messages",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("queue", sa.String(80), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("visible_at", TS, nullable=False),
        sa.Column("receive_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("receipt", UUID),
        sa.Column("sent_at", TS, nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_queue_messages_queue_visible_at", "queue_messages", ["queue", "visible_at", "id"])


def downgrade() -> None:
    for table in ("queue_messages", "login_failures", "refresh_tokens", "users", "companies"):
        op.drop_table(table)
