"""Compat: the parking stalls each EVSE's cable serves, for stall fit.

Revision ID: 0060_compat_stalls
Revises: 0001
Create Date: 2026-12-07

The compat slice's own branch off the core schema (it had no tables before; ``migrate()``
upgrades all heads).  Plain column types on purpose, as in 0001.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0060_compat_stalls"
down_revision: str | None = "0001"
branch_labels: tuple[str, ...] | None = ("compat",)
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "compat_stalls",
        sa.Column("site_id", sa.Text(), nullable=False),
        sa.Column("stall_id", sa.Text(), nullable=False),
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("layout", sa.Text(), nullable=False),
        sa.Column("post", sa.Text(), nullable=False),
        sa.Column("cable_reach_m", sa.Float(), nullable=False),
        sa.Column("accessible", sa.Boolean(), nullable=False),
        sa.Column("width_m", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("site_id", "stall_id", name=op.f("pk_compat_stalls")),
    )


def downgrade() -> None:
    op.drop_table("compat_stalls")
