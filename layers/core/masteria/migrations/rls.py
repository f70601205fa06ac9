"""Row-level security for tenant tables, used by every migration that creates one."""

from __future__ import annotations

from alembic import op

from masteria.db import TENANT_EXPRESSION


def enable_tenant_rls(table: str, *, column: str = "company_id") -> None:
    """Enable and FORCE row-level security on ``table``, keyed on the transaction's company."""
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant_isolation ON {table} "
        f"USING ({column} = {TENANT_EXPRESSION}) WITH CHECK ({column} = {TENANT_EXPRESSION})"
    )
