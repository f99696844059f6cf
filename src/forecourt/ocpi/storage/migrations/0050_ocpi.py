"""OCPI: parties (the credentials handshake), the push retry queue, site amenities.

Revision ID: 0050_ocpi
Revises: 0001
Create Date: 2026-12-07

A feature branch off the core schema (``migrate()`` upgrades all heads). Plain column types
on purpose: a revision must not change when application types evolve.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0050_ocpi"
down_revision: str | None = "0001"
branch_labels: tuple[str, ...] | None = ("ocpi",)
depends_on: str | None = None


def _id() -> sa.Column[object]:
    return sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True)


def upgrade() -> None:
    op.create_table(
        "ocpi_parties",
        _id(),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("token_in", sa.Text(), nullable=False),
        sa.Column("token_out", sa.Text(), nullable=False, server_default=""),
        sa.Column("versions_url", sa.Text(), nullable=False, server_default=""),
        sa.Column("version", sa.Text()),
        sa.Column("endpoints", sa.JSON(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("hub_party_id", sa.Text(), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True)),
        sa.Column("last_sync_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ocpi_parties")),
        sa.UniqueConstraint("token_in", name=op.f("uq_ocpi_parties_token_in")),
    )
    op.create_table(
        "ocpi_push_queue",
        _id(),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("module", sa.Text(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text(), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ocpi_push_queue")),
    )
    op.create_index(op.f("ix_ocpi_push_queue_due_at"), "ocpi_push_queue", ["due_at"])
    op.create_table(
        "ocpi_site_amenities",
        sa.Column("site_id", sa.Text(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("site_id", name=op.f("pk_ocpi_site_amenities")),
    )


def downgrade() -> None:
    op.drop_table("ocpi_site_amenities")
    op.drop_index(op.f("ix_ocpi_push_queue_due_at"), table_name="ocpi_push_queue")
    op.drop_table("ocpi_push_queue")
    op.drop_table("ocpi_parties")
