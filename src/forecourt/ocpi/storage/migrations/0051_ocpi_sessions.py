"""OCPI: tokens the eMSPs push to us (tokens receiver).

Revision ID: 0051_ocpi_sessions
Revises: 0050_ocpi
Create Date: 2026-12-07

Plain column types on purpose: a revision must not change when application types evolve.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0051_ocpi_sessions"
down_revision: str | None = "0050_ocpi"
branch_labels: tuple[str, ...] | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "ocpi_tokens",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True),
        sa.Column("country_code", sa.Text(), nullable=False),
        sa.Column("party_id", sa.Text(), nullable=False),
        sa.Column("uid", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("contract_id", sa.Text(), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("whitelist", sa.Text(), nullable=False),
        sa.Column("group_id", sa.Text()),
        sa.Column("last_updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ocpi_tokens")),
        sa.UniqueConstraint(
            "country_code",
            "party_id",
            "uid",
            "type",
            name=op.f("uq_ocpi_tokens_country_code_party_id_uid_type"),
        ),
    )


def downgrade() -> None:
    op.drop_table("ocpi_tokens")
