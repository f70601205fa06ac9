"""Knowledge bases, their documents and chunks with embeddings and full-text (issue 18).

Chunks keep an untyped ``vector`` with its ``dimensions`` and model; one partial HNSW index (cosine) per common
length on ``embedding::vector(N)``, and a generated ``tsvector`` (portuguese and english, accents folded) with GIN.
The job sweeper lists documents and knowledge bases in hand across companies under ``app.job_sweep`` (ids only).

Revision ID: 0125
Revises: 0124
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from pgvector.sqlalchemy import Vector
from sqlalchemy.dialects import postgresql

from masteria.db import JOB_SWEEP_SETTING
from masteria.knowledge.models import (
    BASE_STATES,
    DOCUMENT_STATUSES,
    FORMATS,
    HNSW_EF_CONSTRUCTION,
    HNSW_M,
    INDEXED_DIMENSIONS,
    MAX_DIMENSIONS,
    SEARCH_VECTOR,
    SOURCES,
    hnsw_index_name,
)
from masteria.migrations.columns import TS, UUID, company_column, created_column, id_column
from masteria.migrations.rls import enable_tenant_rls

revision = "0125"
down_revision = "0124"
branch_labels = None
depends_on = None

TABLES = ("knowledge_bases", "knowledge_documents", "knowledge_chunks")
LISTING = f"current_setting('{JOB_SWEEP_SETTING}', true) = 'on'"


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _updated() -> sa.Column[object]:
    return sa.Column("updated_at", TS, nullable=False, server_default=sa.func.now())


def _created_by() -> sa.Column[object]:
    return sa.Column("created_by", UUID, sa.ForeignKey("users.id", ondelete="SET NULL"))


def _int(name: str, default: str = "0") -> sa.Column[object]:
    return sa.Column(name, sa.Integer, nullable=False, server_default=default)


def upgrade() -> None:
    op.create_table(
        "knowledge_bases",
        id_column(),
        company_column(),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("description", sa.String(1000), nullable=False, server_default=""),
        sa.Column("embedding_model", sa.String(120), nullable=False),
        sa.Column("dimensions", sa.Integer, nullable=False),
        sa.Column("state", sa.String(16), nullable=False, server_default="ready"),
        _int("generation", "1"),
        _int("reembed_total"),
        _int("reembed_processed"),
        _int("reembed_attempt"),
        _int("reembed_stalls"),
        sa.Column("reembed_expires_at", TS),
        _created_by(),
        created_column(),
        _updated(),
        sa.CheckConstraint(f"state IN ({_in(BASE_STATES)})", name="state"),
        sa.CheckConstraint(f"dimensions BETWEEN 1 AND {MAX_DIMENSIONS}", name="dimensions"),
    )
    op.create_index(
        "uq_knowledge_bases_company_id_name", "knowledge_bases", ["company_id", sa.text("lower(name)")], unique=True
    )
    op.create_table(
        "knowledge_documents",
        id_column(),
        company_column(),
        sa.Column("knowledge_base_id", UUID, sa.ForeignKey("knowledge_bases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("filename", sa.String(255)),
        sa.Column("url", sa.String(2048)),
        sa.Column("content_type", sa.String(255)),
        _int("size_bytes"),
        sa.Column("object_key", sa.String(300)),
        sa.Column("status", sa.String(16), nullable=False, server_default="queued"),
        sa.Column("error_code", sa.String(64)),
        sa.Column("error_message", sa.String(500)),
        sa.Column("pages", sa.Integer),
        sa.Column("total_chunks", sa.Integer),
        _int("processed_chunks"),
        _int("chunk_count"),
        _int("version", "1"),
        _int("attempt"),
        _int("stalls"),
        sa.Column("expires_at", TS),
        sa.Column("ingested_at", TS),
        _created_by(),
        created_column(),
        _updated(),
        sa.CheckConstraint(f"status IN ({_in(DOCUMENT_STATUSES)})", name="status"),
        sa.CheckConstraint(f"format IN ({_in(FORMATS)})", name="format"),
        sa.CheckConstraint(f"source IN ({_in(SOURCES)})", name="source"),
    )
    op.create_index(
        "ix_knowledge_documents_knowledge_base_id_created_at",
        "knowledge_documents",
        ["knowledge_base_id", "created_at", "id"],
    )
    op.create_index(
        "ix_knowledge_documents_in_hand",
        "knowledge_documents",
        ["expires_at"],
        postgresql_where=sa.text("status IN ('queued', 'processing')"),
    )
    op.create_table(
        "knowledge_chunks",
        id_column(),
        company_column(),
        sa.Column("knowledge_base_id", UUID, sa.ForeignKey("knowledge_bases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("document_id", UUID, sa.ForeignKey("knowledge_documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("heading", sa.Text, nullable=False, server_default=""),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("token_count", sa.Integer, nullable=False),
        sa.Column("embedding", Vector(), nullable=False),
        sa.Column("dimensions", sa.Integer, nullable=False),
        sa.Column("embedding_model", sa.String(120), nullable=False),
        sa.Column("search", postgresql.TSVECTOR, sa.Computed(SEARCH_VECTOR, persisted=True), nullable=False),
        created_column(),
        sa.CheckConstraint("vector_dims(embedding) = dimensions", name="dimensions"),
    )
    op.create_index("ix_knowledge_chunks_document_id_position", "knowledge_chunks", ["document_id", "position"])
    op.create_index("ix_knowledge_chunks_knowledge_base_id", "knowledge_chunks", ["knowledge_base_id"])
    op.create_index("ix_knowledge_chunks_search", "knowledge_chunks", ["search"], postgresql_using="gin")
    for n in INDEXED_DIMENSIONS:
        op.execute(
            f"CREATE INDEX {hnsw_index_name(n)} ON knowledge_chunks USING hnsw ((embedding::vector({n}))"
            f" vector_cosine_ops) WITH (m = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION}) WHERE dimensions = {n}"
        )
    for table in TABLES:
        enable_tenant_rls(table)
    for table in ("knowledge_bases", "knowledge_documents"):
        op.execute(f"CREATE POLICY job_sweep_list ON {table} FOR SELECT USING ({LISTING})")


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
