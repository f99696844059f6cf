"""Local authorization lists and reservations (a branch off the core schema).

Revision ID: 0006_local_lists_reservations
Revises: 0002_users
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006_local_lists_reservations"
down_revision: str | None = "0002_users"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "local_list_members",
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("scope_id", sa.Text(), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "scope_id", "token", name=op.f("pk_local_list_members")),
    )
    op.create_index(
        op.f("ix_local_list_members_token"), "local_list_members", ["token"], unique=False
    )
    op.create_table(
        "local_list_states",
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("entries", sa.JSON(), nullable=False),
        sa.Column("sync", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("max_per_message", sa.Integer(), nullable=True),
        sa.Column("auth_cache_enabled", sa.Boolean(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("station_id", name=op.f("pk_local_list_states")),
    )
    op.create_table(
        "reservations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("id_token", sa.Text(), nullable=False),
        sa.Column("group_token", sa.Text(), nullable=True),
        sa.Column("connector_type", sa.Text(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("transaction_id", sa.Integer(), nullable=True),
        sa.Column("requested_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservations")),
    )
    op.create_index(
        op.f("ix_reservations_station_id_state"),
        "reservations",
        ["station_id", "state"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_reservations_station_id_state"), table_name="reservations")
    op.drop_table("reservations")
    op.drop_table("local_list_states")
    op.drop_index(op.f("ix_local_list_members_token"), table_name="local_list_members")
    op.drop_table("local_list_members")
