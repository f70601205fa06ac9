"""Pipelines, stages, leads and their history, the columns' totals kept by a trigger; every existing company
gets the default sales pipeline.

Revision ID: 0121
Revises: 0120
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from masteria.migrations.columns import TS, UUID, company_column, created_column, id_column
from masteria.migrations.rls import enable_tenant_rls
from masteria.pipelines import defaults
from masteria.pipelines.models import (
    ACTOR_KINDS,
    LEAD_SOURCES,
    LEAD_STATUSES,
    RANK_COLLATION,
    RANK_MAX_LENGTH,
    SEMANTIC_TYPES,
    VALUE_PRECISION,
    VALUE_SCALE,
)

revision = "0121"
down_revision = "0120"
branch_labels = None
depends_on = None

TABLES = (
    "pipelines", "pipeline_stages", "leads", "stage_totals", "lead_tags", "lead_stage_changes", "lead_notes",
    "pipeline_settings",
)  # fmt: skip
# Keeps stage_totals: each lead counts in its (stage, currency); a change touches the two rows in stage id order.
TOTALS_FUNCTION = """
CREATE FUNCTION leads_stage_totals() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    steps record;
BEGIN
    FOR steps IN
        SELECT * FROM (
            SELECT OLD.stage_id AS stage_id, OLD.currency AS currency, OLD.company_id AS company_id, -1 AS n,
                   -(OLD.value IS NOT NULL)::int AS valued, -coalesce(OLD.value, 0) AS v
            WHERE TG_OP IN ('UPDATE', 'DELETE')
            UNION ALL
            SELECT NEW.stage_id, NEW.currency, NEW.company_id, 1, (NEW.value IS NOT NULL)::int, coalesce(NEW.value, 0)
            WHERE TG_OP IN ('INSERT', 'UPDATE')
        ) s ORDER BY stage_id, currency
    LOOP
        INSERT INTO stage_totals AS t (stage_id, currency, company_id, lead_count, valued_count, value_total)
        VALUES (steps.stage_id, steps.currency, steps.company_id, steps.n, steps.valued, steps.v)
        ON CONFLICT (stage_id, currency) DO UPDATE
        SET lead_count = t.lead_count + EXCLUDED.lead_count, valued_count = t.valued_count + EXCLUDED.valued_count,
            value_total = t.value_total + EXCLUDED.value_total;
    END LOOP;
    RETURN NULL;
END $$
"""


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _updated() -> sa.Column[object]:
    return sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now())


def _create_tables() -> None:
    op.create_table(
        "pipelines", id_column(), company_column(), sa.Column("name", sa.String(120), nullable=False),
        created_column(), _updated(),
    )  # fmt: skip
    op.create_index("uq_pipelines_company_id_name", "pipelines", ["company_id", sa.text("lower(name)")], unique=True)
    op.create_table(
        "pipeline_stages",
        id_column(),
        company_column(),
        sa.Column("pipeline_id", UUID, sa.ForeignKey("pipelines.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("color", sa.String(7), nullable=False, server_default="#64748b"),
        sa.Column("wip_limit", sa.Integer),
        sa.Column("semantic_type", sa.String(20)),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("archived_at", TS),
        created_column(),
        _updated(),
        sa.CheckConstraint(f"semantic_type IN ({_in(SEMANTIC_TYPES)})", name="semantic_type"),
        sa.CheckConstraint("wip_limit > 0", name="wip_limit"),
    )
    op.create_index("ix_pipeline_stages_pipeline_id_position", "pipeline_stages", ["pipeline_id", "position"])
    op.create_table(
        "leads",
        id_column(),
        company_column(),
        sa.Column("pipeline_id", UUID, sa.ForeignKey("pipelines.id", ondelete="CASCADE"), nullable=False),
        sa.Column("stage_id", UUID, sa.ForeignKey("pipeline_stages.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("contact_id", UUID, sa.ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("conversation_id", UUID, sa.ForeignKey("conversations.id", ondelete="SET NULL")),
        sa.Column("campaign_id", UUID, sa.ForeignKey("campaigns.id", ondelete="SET NULL")),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("value", sa.Numeric(VALUE_PRECISION, VALUE_SCALE)),
        sa.Column("currency", sa.String(3), nullable=False, server_default="BRL"),
        sa.Column("owner_id", UUID, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("custom_fields", sa.dialects.postgresql.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("next_step", sa.String(300)),
        sa.Column("due_date", sa.Date),
        sa.Column("status", sa.String(8), nullable=False, server_default="open"),
        sa.Column("close_reason", sa.String(500)),
        sa.Column("closed_at", TS),
        sa.Column("rank", sa.String(RANK_MAX_LENGTH, collation=RANK_COLLATION), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("stage_entered_at", TS, nullable=False, server_default=sa.func.now()),
        sa.Column("created_by", UUID, sa.ForeignKey("users.id", ondelete="SET NULL")),
        created_column(),
        _updated(),
        sa.CheckConstraint(f"status IN ({_in(LEAD_STATUSES)})", name="status"),
        sa.CheckConstraint(f"source IN ({_in(LEAD_SOURCES)})", name="source"),
        sa.CheckConstraint(f"length(rank) BETWEEN 2 AND {RANK_MAX_LENGTH}", name="rank"),
        sa.CheckConstraint("value IS NULL OR value >= 0", name="value"),
    )
    op.create_index(
        "uq_leads_pipeline_id_contact_id_open",
        "leads",
        ["pipeline_id", "contact_id"],
        unique=True,
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_index("uq_leads_stage_id_rank", "leads", ["stage_id", "rank"], unique=True)
    op.create_index(
        "ix_leads_pipeline_id_stage_id",
        "leads",
        ["pipeline_id", "stage_id"],
        postgresql_include=["value", "currency", "owner_id", "company_id"],
    )
    op.create_index("ix_leads_stage_id_owner_id_rank", "leads", ["stage_id", "owner_id", "rank"])
    op.create_index("ix_leads_contact_id", "leads", ["contact_id"])
    op.create_index("ix_leads_conversation_id", "leads", ["conversation_id"])
    op.create_table(
        "stage_totals",
        sa.Column("stage_id", UUID, sa.ForeignKey("pipeline_stages.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("currency", sa.String(3), primary_key=True),
        company_column(),
        sa.Column("lead_count", sa.BigInteger, nullable=False),
        sa.Column("valued_count", sa.BigInteger, nullable=False),
        sa.Column("value_total", sa.Numeric(20, VALUE_SCALE), nullable=False),
    )
    op.execute(TOTALS_FUNCTION)
    op.execute(
        "CREATE TRIGGER leads_stage_totals AFTER INSERT OR DELETE OR UPDATE OF stage_id, currency, value ON leads"
        " FOR EACH ROW EXECUTE FUNCTION leads_stage_totals()"
    )
    op.create_table(
        "lead_tags",
        sa.Column("lead_id", UUID, sa.ForeignKey("leads.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("tag_id", UUID, sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
        company_column(),
    )
    op.create_index("ix_lead_tags_tag_id_lead_id", "lead_tags", ["tag_id", "lead_id"])
    op.create_table(
        "lead_stage_changes",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        company_column(),
        sa.Column("lead_id", UUID, sa.ForeignKey("leads.id", ondelete="CASCADE"), nullable=False),
        sa.Column("pipeline_id", UUID, nullable=False),
        sa.Column("from_stage_id", UUID),
        sa.Column("to_stage_id", UUID, nullable=False),
        sa.Column("actor_kind", sa.String(16), nullable=False),
        sa.Column("actor_id", UUID),
        sa.Column("reason", sa.String(500)),
        sa.Column("lead_version", sa.Integer, nullable=False),
        sa.Column("moved_at", TS, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint(f"actor_kind IN ({_in(ACTOR_KINDS)})", name="actor_kind"),
    )
    op.create_index("ix_lead_stage_changes_lead_id_id", "lead_stage_changes", ["lead_id", "id"])
    op.create_index("ix_lead_stage_changes_pipeline_id_moved_at", "lead_stage_changes", ["pipeline_id", "moved_at"])
    op.create_table(
        "lead_notes",
        id_column(),
        company_column(),
        sa.Column("lead_id", UUID, sa.ForeignKey("leads.id", ondelete="CASCADE"), nullable=False),
        sa.Column("author_id", UUID, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("body", sa.Text, nullable=False),
        created_column(),
    )
    op.create_index("ix_lead_notes_lead_id_created_at", "lead_notes", ["lead_id", "created_at"])
    op.create_table(
        "pipeline_settings",
        sa.Column("company_id", UUID, sa.ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("agents_see_all_leads", sa.Boolean, nullable=False, server_default=sa.text("false")),
        _updated(),
    )


def _default_pipelines() -> None:
    """Every company that exists now gets the default sales pipeline (new ones get it at sign-up). Written
    before row-level security is on: the migration sees every company."""
    connection = op.get_bind()
    for company_id, region in connection.execute(sa.text("SELECT id, default_region FROM companies")):
        pipeline_id = connection.execute(
            sa.text("INSERT INTO pipelines (company_id, name) VALUES (:c, :n) RETURNING id"),
            {"c": company_id, "n": defaults.PIPELINE_NAME[defaults.language(region)]},
        ).scalar_one()
        for position, (stage, name) in enumerate(zip(defaults.STAGES, defaults.stage_names(region), strict=True)):
            connection.execute(
                sa.text(
                    "INSERT INTO pipeline_stages (company_id, pipeline_id, name, color, semantic_type, position)"
                    " VALUES (:c, :p, :n, :color, :s, :position)"
                ),
                {
                    "c": company_id, "p": pipeline_id, "n": name, "color": stage.color, "s": stage.semantic_type,
                    "position": position,
                },
            )  # fmt: skip


def upgrade() -> None:
    _create_tables()
    _default_pipelines()
    for table in TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    op.execute("DROP TRIGGER leads_stage_totals ON leads")
    op.execute("DROP FUNCTION leads_stage_totals()")
    for table in reversed(TABLES):
        op.drop_table(table)
