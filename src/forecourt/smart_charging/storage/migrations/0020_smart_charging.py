"""Smart charging: site limits and policies, per-EVSE settings, allocations, events.

Revision ID: 0020_smart_charging
Revises: 0001
Create Date: 2026-12-07

A feature branch off the core schema (``migrate()`` upgrades all heads). Plain column types
on purpose: a revision must not change when application types evolve.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0020_smart_charging"
down_revision: str | None = "0001"
branch_labels: tuple[str, ...] | None = ("smart_charging",)
depends_on: str | None = None


def _utc(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "sc_site_limits",
        sa.Column("site_id", sa.Text(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("policy", sa.Text(), nullable=False),
        _utc("updated_at"),
        sa.PrimaryKeyConstraint("site_id", name=op.f("pk_sc_site_limits")),
    )
    op.create_table(
        "sc_evse_settings",
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("min_w", sa.Float()),
        sa.Column("max_w", sa.Float()),
        sa.Column("priority", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("station_id", "evse_id", name=op.f("pk_sc_evse_settings")),
    )
    op.create_table(
        "sc_allocations",
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Text(), nullable=False),
        sa.Column("station_tx_id", sa.Text()),
        sa.Column("planned_w", sa.Float(), nullable=False),
        sa.Column("accepted_w", sa.Float()),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        _utc("at"),
        sa.PrimaryKeyConstraint("station_id", "evse_id", name=op.f("pk_sc_allocations")),
    )
    op.create_table(
        "sc_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("site_id", sa.Text(), nullable=False),
        sa.Column("station_id", sa.Text(), nullable=False, server_default=""),
        sa.Column("evse_id", sa.Integer()),
        sa.Column("kind", sa.Text(), nullable=False),
        _utc("at"),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sc_events")),
    )
    op.create_index(op.f("ix_sc_events_site_id_at"), "sc_events", ["site_id", "at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_sc_events_site_id_at"), table_name="sc_events")
    for table in ("sc_events", "sc_allocations", "sc_evse_settings", "sc_site_limits"):
        op.drop_table(table)
