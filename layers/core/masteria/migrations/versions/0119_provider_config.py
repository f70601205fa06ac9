"""Connections keep their provider's settings in one sealed configuration, and a connection may be SMS.

``channel_connections`` gets ``config`` (the provider's configuration model as JSON, sealed by masteria.crypto
and bound to the row's ``config``) in place of Meta's five sealed columns; ``provider`` allows ``sms_aws``.

A migration has no company keys (the deploy step reaches the database only), so today's sealed values cannot be
opened and sealed again here. Each row's five ciphertexts are carried over as they are, still sealed and bound
to their old columns, in a *carried-over* ``config``: a zero byte, then JSON of each column's ciphertext in hex.
``channels.connections.config`` opens either form; the connection's next write (an update, the scheduled token
check) seals it as one configuration.

Downgrade restores the five columns of every row still carried over; it refuses while an SMS connection exists
or a row was sealed as one configuration (that needs the company keys: open such rows with the application).

Revision ID: 0119
Revises: 0118
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0119"
down_revision = "0118"
branch_labels = None
depends_on = None

COLUMNS = ("phone_number_id", "waba_id", "access_token", "app_secret", "verify_token")
TABLE = "channel_connections"


def _owner_sees_every_row(see: bool) -> None:
    # RLS is FORCEd on the table: its owner (who migrates) sees no row outside a company's transaction otherwise
    op.execute(f"ALTER TABLE {TABLE} {'NO FORCE' if see else 'FORCE'} ROW LEVEL SECURITY")


def upgrade() -> None:
    op.add_column(TABLE, sa.Column("config", sa.LargeBinary))
    _owner_sees_every_row(True)
    pairs = ", ".join(f"'{c}', encode({c}, 'hex')" for c in COLUMNS)
    op.execute(f"UPDATE {TABLE} SET config = '\\x00'::bytea || convert_to(json_build_object({pairs})::text, 'UTF8')")
    _owner_sees_every_row(False)
    op.alter_column(TABLE, "config", nullable=False)
    for column in COLUMNS:
        op.drop_column(TABLE, column)
    op.drop_constraint("provider", TABLE, type_="check")
    op.create_check_constraint("provider", TABLE, "provider IN ('meta_cloud', 'sms_aws')")


def downgrade() -> None:
    _owner_sees_every_row(True)
    bind = op.get_bind()
    sms = bind.execute(sa.text(f"SELECT count(*) FROM {TABLE} WHERE provider <> 'meta_cloud'")).scalar_one()
    sealed = bind.execute(sa.text(f"SELECT count(*) FROM {TABLE} WHERE get_byte(config, 0) <> 0")).scalar_one()
    if sms or sealed:
        raise RuntimeError(
            f"cannot downgrade 0119: {sms} connection(s) of another provider than meta_cloud (delete them first) and "
            f"{sealed} sealed as one configuration (only the application, with the company keys, can open them)"
        )
    for column in COLUMNS:
        op.add_column(TABLE, sa.Column(column, sa.LargeBinary))
    carried = "convert_from(substring(config FROM 2), 'UTF8')::json"
    op.execute(f"UPDATE {TABLE} SET " + ", ".join(f"{c} = decode({carried} ->> '{c}', 'hex')" for c in COLUMNS))
    _owner_sees_every_row(False)
    for column in COLUMNS:
        op.alter_column(TABLE, column, nullable=False)
    op.drop_column(TABLE, "config")
    op.drop_constraint("provider", TABLE, type_="check")
    op.create_check_constraint("provider", TABLE, "provider IN ('meta_cloud')")
