"""Billing accounts: accounts, the tokens they hold, account-billed sites.

Revision ID: 0041_accounts
Revises: 0001
Create Date: 2026-12-07

A feature branch off the core schema (``migrate()`` upgrades all heads). Plain column types
on purpose: a revision must not change when application types evolve.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0041_accounts"
down_revision: str | None = "0001"
branch_labels: tuple[str, ...] | None = ("accounts",)
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "acc_accounts",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acc_accounts")),
    )
    op.create_table(
        "acc_tokens",
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("account_id", sa.Text(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["acc_accounts.id"],
            name=op.f("fk_acc_tokens_account_id_acc_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_acc_tokens")),
    )
    op.create_index("ix_acc_tokens_account_id", "acc_tokens", ["account_id"])
    op.create_table(
        "acc_billed_sites",
        sa.Column("site_id", sa.Text(), nullable=False),
        sa.Column("price_per_kwh", sa.Text(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("site_id", name=op.f("pk_acc_billed_sites")),
    )


def downgrade() -> None:
    op.drop_table("acc_billed_sites")
    op.drop_index("ix_acc_tokens_account_id", table_name="acc_tokens")
    op.drop_table("acc_tokens")
    op.drop_table("acc_accounts")
