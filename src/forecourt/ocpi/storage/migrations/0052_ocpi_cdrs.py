"""OCPI: roaming sessions and their immutable CDRs.

Revision ID: 0052_ocpi_cdrs
Revises: 0051_ocpi_sessions
Create Date: 2026-12-07

Plain column types on purpose: a revision must not change when application types evolve.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0052_ocpi_cdrs"
down_revision: str | None = "0051_ocpi_sessions"
branch_labels: tuple[str, ...] | None = None
depends_on: str | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ocpi_sessions",
        sa.Column("transaction_id", _ID, autoincrement=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.JSON(), nullable=False),
        sa.Column("auth_method", sa.Text(), nullable=False),
        sa.Column("authorization_reference", sa.Text()),
        sa.Column("location_id", sa.Text(), nullable=False),
        sa.Column("evse_uid", sa.Text(), nullable=False),
        sa.Column("connector_id", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("transaction_id", name=op.f("pk_ocpi_sessions")),
    )
    op.create_index(op.f("ix_ocpi_sessions_party_id"), "ocpi_sessions", ["party_id"])
    op.create_table(
        "ocpi_cdrs",
        sa.Column("id", sa.Text()),
        sa.Column("transaction_id", _ID, nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("total", sa.Text(), nullable=False),
        sa.Column("kwh", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("bodies", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ocpi_cdrs")),
        sa.UniqueConstraint("transaction_id", name=op.f("uq_ocpi_cdrs_transaction_id")),
    )
    op.create_index(op.f("ix_ocpi_cdrs_party_id"), "ocpi_cdrs", ["party_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_ocpi_cdrs_party_id"), table_name="ocpi_cdrs")
    op.drop_table("ocpi_cdrs")
    op.drop_index(op.f("ix_ocpi_sessions_party_id"), table_name="ocpi_sessions")
    op.drop_table("ocpi_sessions")
