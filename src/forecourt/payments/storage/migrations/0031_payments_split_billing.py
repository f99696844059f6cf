"""OCPP 2.1: a session billed split at an accepted tariff change (I10), running cost checks,
driver tariffs.

Revision ID: 0031_payments_split_billing
Revises: 0030_payments_tariff_sync
Create Date: 2026-12-07

The changes live beside the pin (``session_tariffs.changes``) so pricing reads both in one
statement. A running cost check (2.1 ``costDetails`` of an Updated event) is stored in the
same table as the final one, marked ``running`` until the session's end replaces it. A
token's own tariff (``driver_tariffs``, 2.1 ``DriverTariff``) outranks every binding. A
counter payment names who took the money (``payments.taken_by``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0031_payments_split_billing"
down_revision: str | None = "0030_payments_tariff_sync"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "driver_tariffs",
        sa.Column("id_token", sa.Text(), nullable=False),
        sa.Column("tariff_code", sa.Text(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id_token", name=op.f("pk_driver_tariffs")),
    )
    with op.batch_alter_table("session_tariffs") as batch:
        batch.add_column(sa.Column("changes", sa.JSON(), server_default="[]", nullable=False))
    with op.batch_alter_table("station_cost_checks") as batch:
        batch.add_column(
            sa.Column("running", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("payments") as batch:
        batch.add_column(sa.Column("taken_by", sa.Text(), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("payments") as batch:
        batch.drop_column("taken_by")
    with op.batch_alter_table("station_cost_checks") as batch:
        batch.drop_column("running")
    with op.batch_alter_table("session_tariffs") as batch:
        batch.drop_column("changes")
    op.drop_table("driver_tariffs")
