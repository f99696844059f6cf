"""OCPI 2.3.0 payments: terminals, financial advice confirmations, card authorizations, and
what each station supports (per-station EVSE capabilities), eMSPs' reservation ids.

Revision ID: 0053_ocpi_payments
Revises: 0052_ocpi_cdrs
Create Date: 2026-12-07

Plain column types on purpose: a revision must not change when application types evolve.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0053_ocpi_payments"
down_revision: str | None = "0052_ocpi_cdrs"
branch_labels: tuple[str, ...] | None = None
depends_on: str | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ocpi_terminals",
        sa.Column("terminal_id", sa.Text(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("location_ids", sa.JSON(), nullable=False),
        sa.Column("evse_uids", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("last_updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("terminal_id", name=op.f("pk_ocpi_terminals")),
    )
    op.create_table(
        "ocpi_financial_advice",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("authorization_reference", sa.Text(), nullable=False),
        sa.Column("total", sa.Text(), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("transaction_id", _ID),
        sa.Column("last_updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ocpi_financial_advice")),
    )
    op.create_index(
        op.f("ix_ocpi_financial_advice_authorization_reference"),
        "ocpi_financial_advice",
        ["authorization_reference"],
    )
    op.create_table(
        "ocpi_card_authorizations",
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("evse_number", sa.Integer(), nullable=False),
        sa.Column("terminal_id", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("reference", name=op.f("pk_ocpi_card_authorizations")),
    )
    op.create_table(
        "ocpi_station_features",
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("reservable", sa.Boolean(), nullable=False),
        sa.Column("card_reader", sa.Boolean(), nullable=False),
        sa.Column("plug_and_charge", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("station_id", name=op.f("pk_ocpi_station_features")),
    )
    op.create_table(
        "ocpi_reservations",
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("reservation_id", sa.Text(), nullable=False),
        sa.Column("our_id", _ID, nullable=False),
        sa.PrimaryKeyConstraint("party_id", "reservation_id", name=op.f("pk_ocpi_reservations")),
    )


def downgrade() -> None:
    op.drop_table("ocpi_reservations")
    op.drop_table("ocpi_station_features")
    op.drop_table("ocpi_card_authorizations")
    op.drop_index(
        op.f("ix_ocpi_financial_advice_authorization_reference"),
        table_name="ocpi_financial_advice",
    )
    op.drop_table("ocpi_financial_advice")
    op.drop_table("ocpi_terminals")
