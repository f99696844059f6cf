"""Compat: the car each driver chose for their token ("my car").

Revision ID: 0061_compat_driver_cars
Revises: 0060_compat_stalls
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0061_compat_driver_cars"
down_revision: str | None = "0060_compat_stalls"
branch_labels: tuple[str, ...] | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "compat_driver_cars",
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("vehicle_id", sa.Text(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_compat_driver_cars")),
    )


def downgrade() -> None:
    op.drop_table("compat_driver_cars")
