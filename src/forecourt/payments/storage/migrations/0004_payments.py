"""Payments and tariffs: holds and captures, provider events, tariff revisions and bindings,
the tariff pinned to each session.

Revision ID: 0004_payments
Revises: 0001
Create Date: 2026-11-24

A branch off the core schema (``migrate()`` upgrades every head). Plain column types on
purpose: a revision must not change when application types evolve.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004_payments"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

_HAS_PROVIDER_REF = sa.text("provider_ref <> ''")


def _id(big: bool = True) -> sa.Column[int]:
    kind = sa.BigInteger().with_variant(sa.Integer(), "sqlite") if big else sa.Integer()
    return sa.Column("id", kind, autoincrement=True, nullable=False)


def _utc(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _text(name: str, default: str | None = None, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), server_default=default, nullable=nullable)


def _minor(name: str, default: str | None = None, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), server_default=default, nullable=nullable)


def upgrade() -> None:
    _create_payments()
    _create_tariffs()


def _create_payments() -> None:
    op.create_table(
        "payments",
        _id(),
        _text("public_id"),
        _text("flow"),
        _text("provider"),
        _text("provider_ref", ""),
        _text("state"),
        _text("currency"),
        _minor("hold_minor"),
        _minor("authorized_minor", "0"),
        _minor("final_minor", nullable=True),
        _minor("captured_minor", "0"),
        _text("id_token", ""),
        _text("station_id", ""),
        sa.Column("evse_id", sa.Integer(), nullable=True),
        sa.Column("transaction_id", sa.Integer(), nullable=True),
        _text("card_brand", ""),
        _text("card_last4", ""),
        _text("email", ""),
        sa.Column("tariff", sa.JSON(), nullable=False),
        sa.Column("breakdown", sa.JSON(), nullable=False),
        _text("message", ""),
        _text("redirect_url", ""),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        _text("last_error", ""),
        _text("receipt_code", ""),
        _utc("created_at", nullable=False),
        _utc("updated_at"),
        _utc("authorized_at"),
        _utc("completed_at"),
        _utc("next_attempt_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("public_id", name=op.f("uq_payments_public_id")),
        sa.UniqueConstraint("transaction_id", name=op.f("uq_payments_transaction_id")),
    )
    op.create_index(
        "uq_payments_provider_provider_ref",
        "payments",
        ["provider", "provider_ref"],
        unique=True,
        sqlite_where=_HAS_PROVIDER_REF,
        postgresql_where=_HAS_PROVIDER_REF,
    )
    op.create_index(op.f("ix_payments_state"), "payments", ["state"])
    op.create_index(op.f("ix_payments_id_token"), "payments", ["id_token"])
    op.create_index(
        op.f("ix_payments_card_last4_created_at"), "payments", ["card_last4", "created_at"]
    )
    op.create_index(op.f("ix_payments_receipt_code"), "payments", ["receipt_code"])
    op.create_table(
        "payment_events",
        _text("provider"),
        _text("event_id"),
        _utc("received_at", nullable=False),
        sa.PrimaryKeyConstraint("provider", "event_id", name=op.f("pk_payment_events")),
    )


def _create_tariffs() -> None:
    op.create_table(
        "tariff_revisions",
        _id(),
        _text("code"),
        sa.Column("revision", sa.Integer(), nullable=False),
        _utc("effective_from", nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tariff_revisions")),
    )
    op.create_index(
        op.f("ix_tariff_revisions_code_revision"),
        "tariff_revisions",
        ["code", "revision"],
        unique=True,
    )
    op.create_index(
        op.f("ix_tariff_revisions_code_effective_from"),
        "tariff_revisions",
        ["code", "effective_from"],
    )
    op.create_table(
        "tariff_bindings",
        _id(big=False),
        _text("scope"),
        _text("tariff_code"),
        _text("site_id", nullable=True),
        _text("station_id", nullable=True),
        sa.Column("evse_id", sa.Integer(), nullable=True),
        _text("connector_type", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tariff_bindings")),
        sa.UniqueConstraint("scope", name=op.f("uq_tariff_bindings_scope")),
    )
    op.create_table(
        "session_tariffs",
        sa.Column("transaction_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("tariff", sa.JSON(), nullable=False),
        _utc("pinned_at", nullable=False),
        sa.PrimaryKeyConstraint("transaction_id", name=op.f("pk_session_tariffs")),
    )


def downgrade() -> None:
    for table in (
        "session_tariffs",
        "tariff_bindings",
        "tariff_revisions",
        "payment_events",
        "payments",
    ):
        op.drop_table(table)
