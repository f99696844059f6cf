"""Reliability: vehicle identification rules for the vehicle × station matrix (issue 19).

Revision ID: 0024_reliability_chargex
Revises: 0023_reliability_baselines
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0024_reliability_chargex"
down_revision: str | None = "0023_reliability_baselines"
branch_labels: tuple[str, ...] | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "reliability_vehicle_rules",
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("vehicle", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Text(), server_default="", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "key", name=op.f("pk_reliability_vehicle_rules")),
    )


def downgrade() -> None:
    op.drop_table("reliability_vehicle_rules")
