"""Firmware campaigns: images, campaigns and their per-station targets.

Revision ID: 0016_firmware
Revises: 0001
Create Date: 2026-12-07

A feature branch off the core schema (``migrate()`` upgrades all heads). Plain column types
on purpose, as in 0001: a revision must not change when application types evolve.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0016_firmware"
down_revision: str | None = "0001"
branch_labels: tuple[str, ...] | None = ("firmware",)
depends_on: str | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _at(name: str, *, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "firmware_images",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("version", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("size_bytes", _BIG_ID, nullable=False),
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("signing_certificate", sa.Text(), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        _at("created_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_firmware_images")),
    )
    op.create_table(
        "firmware_campaigns",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("image_id", _BIG_ID, nullable=False),
        sa.Column("selection", sa.JSON(), nullable=False),
        sa.Column("canary_percent", sa.Integer(), nullable=False),
        sa.Column("wave_size", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("retry_delay_s", sa.Integer(), nullable=False),
        sa.Column("failure_threshold", sa.Integer(), nullable=False),
        sa.Column("window", sa.JSON(), nullable=True),
        sa.Column("progress_timeout_s", sa.Integer(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=False),
        sa.Column("rollback_of", _BIG_ID, nullable=True),
        sa.Column("created_by", sa.Text(), nullable=False),
        _at("created_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["image_id"],
            ["firmware_images.id"],
            name=op.f("fk_firmware_campaigns_image_id_firmware_images"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_firmware_campaigns")),
    )
    op.create_table(
        "firmware_campaign_targets",
        sa.Column("campaign_id", _BIG_ID, nullable=False),
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("wave", sa.Integer(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("firmware_state", sa.Text(), nullable=False),
        sa.Column("previous_version", sa.Text(), nullable=False),
        _at("next_attempt_at"),
        _at("updated_at"),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["firmware_campaigns.id"],
            name=op.f("fk_firmware_campaign_targets_campaign_id_firmware_campaigns"),
        ),
        sa.PrimaryKeyConstraint(
            "campaign_id", "station_id", name=op.f("pk_firmware_campaign_targets")
        ),
    )
    op.create_index(
        op.f("ix_firmware_campaign_targets_status"), "firmware_campaign_targets", ["status"]
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_firmware_campaign_targets_status"), table_name="firmware_campaign_targets"
    )
    op.drop_table("firmware_campaign_targets")
    op.drop_table("firmware_campaigns")
    op.drop_table("firmware_images")
