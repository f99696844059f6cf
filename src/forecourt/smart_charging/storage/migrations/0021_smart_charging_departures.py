"""Smart charging: departures (time and energy need per session) and each EVSE's phase.

Revision ID: 0021_smart_charging_departures
Revises: 0020_smart_charging
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0021_smart_charging_departures"
down_revision: str | None = "0020_smart_charging"
branch_labels: tuple[str, ...] | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "sc_departures",
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("station_tx_id", sa.Text(), nullable=False),
        sa.Column("departure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("energy_wh", sa.Float(), nullable=False),
        sa.Column("vehicle", sa.Text()),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("station_id", "evse_id", name=op.f("pk_sc_departures")),
    )
    with op.batch_alter_table("sc_evse_settings") as batch:
        batch.add_column(sa.Column("phase", sa.Integer()))


def downgrade() -> None:
    with op.batch_alter_table("sc_evse_settings") as batch:
        batch.drop_column("phase")
    op.drop_table("sc_departures")
