"""OCPP 2.1 tariffs: a station's own cost of each session checked against ours; the limits
an operator sets when starting a session.

Revision ID: 0030_payments_tariff_sync
Revises: 0004_payments
Create Date: 2026-12-07

Which tariff each 2.1 station holds needs no table: it is the command log's record of each
SetDefaultTariff. Plain column types on purpose (see 0004_payments).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0030_payments_tariff_sync"
down_revision: str | None = "0004_payments"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "station_cost_checks",
        sa.Column("transaction_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("ours_minor", sa.BigInteger(), nullable=False),
        sa.Column("station_minor", sa.BigInteger(), nullable=True),
        sa.Column("tolerance_minor", sa.BigInteger(), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("transaction_id", name=op.f("pk_station_cost_checks")),
    )

    op.create_table(
        "session_limits",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("id_token", sa.Text(), nullable=False),
        sa.Column("max_cost", sa.Text(), nullable=True),
        sa.Column("max_energy_wh", sa.Float(), nullable=True),
        sa.Column("max_time_s", sa.Integer(), nullable=True),
        sa.Column("max_soc", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_limits")),
    )
    op.create_index(
        op.f("ix_session_limits_station_id_id_token_created_at"),
        "session_limits",
        ["station_id", "id_token", "created_at"],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_session_limits_station_id_id_token_created_at"), "session_limits")
    op.drop_table("session_limits")
    op.drop_table("station_cost_checks")
