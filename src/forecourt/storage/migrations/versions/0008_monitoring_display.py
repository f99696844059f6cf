"""Stations' monitors, monitor templates per model, display messages, desired configuration
per model and drift checks (a branch off the core schema; issue 16).

Revision ID: 0008_monitoring_display
Revises: 0002_users
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008_monitoring_display"
down_revision: str | None = "0002_users"
branch_labels: str | None = None
depends_on: str | None = None


def _utc(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "station_monitors",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("monitor_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        _utc("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_station_monitors")),
    )
    op.create_index(
        op.f("ix_station_monitors_station_id_monitor_id"),
        "station_monitors",
        ["station_id", "monitor_id"],
    )
    op.create_table(
        "monitor_templates",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitor_templates")),
    )
    op.create_index(op.f("ix_monitor_templates_model"), "monitor_templates", ["model"])
    op.create_table(
        "display_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("priority", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=True),
        sa.Column("language", sa.Text(), nullable=False),
        sa.Column("start", sa.Text(), nullable=True),
        sa.Column("end", sa.Text(), nullable=True),
        sa.Column("station_tx_id", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        _utc("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_display_messages")),
    )
    op.create_index(
        op.f("ix_display_messages_station_id_message_id"),
        "display_messages",
        ["station_id", "message_id"],
        unique=True,
    )

    op.create_table(
        "desired_settings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desired_settings")),
        sa.UniqueConstraint("model", "key", name=op.f("uq_desired_settings_model_key")),
    )
    op.create_table(
        "drift_checks",
        sa.Column("station_id", sa.Text(), nullable=False),
        _utc("checked_at"),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("station_id", name=op.f("pk_drift_checks")),
    )


def downgrade() -> None:
    op.drop_table("drift_checks")
    op.drop_table("desired_settings")
    op.drop_table("display_messages")
    op.drop_table("monitor_templates")
    op.drop_table("station_monitors")
