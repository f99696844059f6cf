"""Reliability: detector baselines kept across restarts (issue 13).

Revision ID: 0023_reliability_baselines
Revises: 0003_reliability
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0023_reliability_baselines"
down_revision: str | None = "0003_reliability"
branch_labels: tuple[str, ...] | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "reliability_baselines",
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("station_id", name=op.f("pk_reliability_baselines")),
    )


def downgrade() -> None:
    op.drop_table("reliability_baselines")
