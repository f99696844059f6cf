"""Station firmware state and log uploads (the firmware and diagnostics protocol block).

Revision ID: 0007_firmware_state
Revises: 0002_users
Create Date: 2026-12-07

Plain column types on purpose, as in 0001: a revision must not change when application
types evolve.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007_firmware_state"
down_revision: str | None = "0002_users"
branch_labels: str | None = None
depends_on: str | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "station_firmware",
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("target_version", sa.Text(), nullable=False),
        sa.Column("previous_version", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("station_id", name=op.f("pk_station_firmware")),
    )
    op.create_table(
        "log_uploads",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by", sa.Text(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("size_bytes", _BIG_ID, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_uploads")),
        sa.UniqueConstraint("token", name=op.f("uq_log_uploads_token")),
    )
    op.create_index(op.f("ix_log_uploads_station_id"), "log_uploads", ["station_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_log_uploads_station_id"), table_name="log_uploads")
    op.drop_table("log_uploads")
    op.drop_table("station_firmware")
