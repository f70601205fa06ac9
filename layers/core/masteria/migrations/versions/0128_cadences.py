"""Cadences: the cadences, their append-only versions, enrollments and the append-only history of their steps, and
the cadence tick's read policy (issue 19).

Revision ID: 0128
Revises: 0127
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from masteria.cadences.models import (
    CADENCE_STATUSES,
    DUE,
    ENROLLMENT_SOURCES,
    ENROLLMENT_STATES,
    EXIT_REASONS,
    LIVE,
    SEGMENT_MODES,
    STEP_KINDS,
    STEP_OUTCOMES,
    TIMEZONE_MODES,
)
from masteria.db import CADENCE_TICK_SETTING
from masteria.migrations.columns import TS, UUID, company_column, created_column, id_column
from masteria.migrations.rls import enable_tenant_rls

revision = "0128"
down_revision = "0127"
branch_labels = None
depends_on = None

TABLES = ("cadences", "cadence_versions", "cadence_enrollments", "cadence_enrollment_steps")
TICK_LISTED = ("cadence_enrollments", "cadences")


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _updated() -> sa.Column[object]:
    return sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now())


def _flag(name: str, default: bool) -> sa.Column[object]:
    return sa.Column(name, sa.Boolean, nullable=False, server_default=sa.text("true" if default else "false"))


def _user(name: str) -> sa.Column[object]:
    return sa.Column(name, UUID, sa.ForeignKey("users.id", ondelete="SET NULL"))


def _cadence() -> sa.Column[object]:
    return sa.Column("cadence_id", UUID, sa.ForeignKey("cadences.id", ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "cadences",
        id_column(),
        company_column(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("status", sa.String(16), nullable=False, server_default="draft"),
        sa.Column("connection_id", UUID, sa.ForeignKey("channel_connections.id", ondelete="SET NULL")),
        sa.Column("current_version", sa.Integer, nullable=False, server_default="1"),
        _flag("exit_on_reply", True),
        _flag("exit_on_stage_change", False),
        sa.Column("goal_tag_id", UUID, sa.ForeignKey("tags.id", ondelete="SET NULL")),
        _flag("allow_reenrollment", False),
        sa.Column("segment_id", UUID, sa.ForeignKey("segments.id", ondelete="SET NULL")),
        sa.Column("segment_mode", sa.String(16), nullable=False, server_default="none"),
        sa.Column("activated_at", TS),
        sa.Column("segment_synced_at", TS),
        sa.Column("archived_at", TS),
        _user("created_by"),
        created_column(),
        _updated(),
        sa.CheckConstraint(f"status IN ({_in(CADENCE_STATUSES)})", name="status"),
        sa.CheckConstraint(f"segment_mode IN ({_in(SEGMENT_MODES)})", name="segment_mode"),
        sa.CheckConstraint("segment_mode = 'none' OR segment_id IS NOT NULL", name="segment"),
        sa.CheckConstraint("current_version >= 1", name="current_version"),
    )
    op.create_index("ix_cadences_company_id_created_at", "cadences", ["company_id", "created_at", "id"])
    op.create_table(
        "cadence_versions",
        id_column(),
        company_column(),
        _cadence(),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("steps", postgresql.JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("timezone_mode", sa.String(16), nullable=False, server_default="company"),
        sa.Column(
            "days", postgresql.ARRAY(sa.SmallInteger), nullable=False, server_default=sa.text("'{1,2,3,4,5,6,7}'")
        ),
        sa.Column("start_time", sa.Time),
        sa.Column("end_time", sa.Time),
        sa.Column("timezone", sa.String(64)),
        _user("created_by"),
        created_column(),
        sa.CheckConstraint(f"timezone_mode IN ({_in(TIMEZONE_MODES)})", name="timezone_mode"),
        sa.CheckConstraint("cardinality(days) >= 1 AND days <@ ARRAY[1, 2, 3, 4, 5, 6, 7]::smallint[]", name="days"),
        sa.CheckConstraint("(start_time IS NULL) = (end_time IS NULL)", name="window"),
        sa.CheckConstraint("version >= 1", name="version"),
    )
    op.create_index(
        "uq_cadence_versions_cadence_id_version", "cadence_versions", ["cadence_id", "version"], unique=True
    )
    op.create_table(
        "cadence_enrollments",
        id_column(),
        company_column(),
        _cadence(),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("contact_id", UUID, sa.ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("lead_id", UUID, sa.ForeignKey("leads.id", ondelete="SET NULL")),
        sa.Column("state", sa.String(16), nullable=False, server_default="active"),
        sa.Column("exit_reason", sa.String(32)),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("step_index", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_due_at", TS),
        sa.Column("last_step_at", TS),
        sa.Column("replied_at", TS),
        sa.Column("replied_after_step", sa.Integer),
        _user("enrolled_by"),
        sa.Column("enrolled_at", TS, nullable=False, server_default=sa.func.now()),
        sa.Column("ended_at", TS),
        _updated(),
        sa.ForeignKeyConstraint(
            ["cadence_id", "version"], ["cadence_versions.cadence_id", "cadence_versions.version"], ondelete="CASCADE"
        ),
        sa.CheckConstraint(f"state IN ({_in(ENROLLMENT_STATES)})", name="state"),
        sa.CheckConstraint(f"source IN ({_in(ENROLLMENT_SOURCES)})", name="source"),
        sa.CheckConstraint(f"exit_reason IS NULL OR exit_reason IN ({_in(EXIT_REASONS)})", name="exit_reason"),
        sa.CheckConstraint("(state = 'exited') = (exit_reason IS NOT NULL)", name="exited"),
        sa.CheckConstraint("step_index >= 0", name="step_index"),
    )
    op.create_index(
        "uq_cadence_enrollments_cadence_id_contact_id_live", "cadence_enrollments", ["cadence_id", "contact_id"],
        unique=True, postgresql_where=sa.text(LIVE),
    )  # fmt: skip
    op.create_index(
        "ix_cadence_enrollments_next_due_at_due", "cadence_enrollments", ["next_due_at", "company_id"],
        postgresql_where=sa.text(DUE),
    )  # fmt: skip
    op.create_index(
        "ix_cadence_enrollments_cadence_id_enrolled_at", "cadence_enrollments", ["cadence_id", "enrolled_at", "id"]
    )
    op.create_index("ix_cadence_enrollments_contact_id", "cadence_enrollments", ["contact_id"])
    op.create_table(
        "cadence_enrollment_steps",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        company_column(),
        sa.Column("enrollment_id", UUID, sa.ForeignKey("cadence_enrollments.id", ondelete="CASCADE"), nullable=False),
        _cadence(),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("step_index", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("detail", postgresql.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("at", TS, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint(f"kind IN ({_in(STEP_KINDS)})", name="kind"),
        sa.CheckConstraint(f"outcome IN ({_in(STEP_OUTCOMES)})", name="outcome"),
    )
    op.create_index(
        "uq_cadence_enrollment_steps_enrollment_id_step_index", "cadence_enrollment_steps",
        ["enrollment_id", "step_index"], unique=True,
    )  # fmt: skip
    op.create_index(
        "ix_cadence_enrollment_steps_cadence_id_version_step_index", "cadence_enrollment_steps",
        ["cadence_id", "version", "step_index"],
    )  # fmt: skip
    for table in TABLES:
        enable_tenant_rls(table)
    # the tick lists the companies with due enrollments or a continuous segment to enroll (company ids only), then
    # works in each company's own transactions
    for table in TICK_LISTED:
        op.execute(
            f"CREATE POLICY cadence_tick_list ON {table} FOR SELECT"
            f" USING (current_setting('{CADENCE_TICK_SETTING}', true) = 'on')"
        )


def downgrade() -> None:
    for table in TICK_LISTED:
        op.execute(f"DROP POLICY cadence_tick_list ON {table}")
    for table in reversed(TABLES):
        op.drop_table(table)
