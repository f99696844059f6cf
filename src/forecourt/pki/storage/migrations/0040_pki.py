"""Station PKI: authorities, issued station certificates, per-station security profiles.

Revision ID: 0040_pki
Revises: 0001
Create Date: 2026-12-07

A feature branch off the core schema (``migrate()`` upgrades all heads). Plain column types
on purpose, as in 0001: a revision must not change when application types evolve.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0040_pki"
down_revision: str | None = "0001"
branch_labels: tuple[str, ...] | None = ("pki",)
depends_on: str | None = None


def _at(name: str, *, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "pki_authorities",
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("certificate_pem", sa.Text(), nullable=False),
        sa.Column("private_key_pem", sa.Text(), nullable=False),
        _at("created_at", nullable=False),
        sa.PrimaryKeyConstraint("role", name=op.f("pk_pki_authorities")),
    )
    op.create_table(
        "pki_certificates",
        sa.Column("serial", sa.Text(), nullable=False),
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("use", sa.Text(), nullable=False),
        _at("not_before", nullable=False),
        _at("not_after", nullable=False),
        sa.Column("certificate_pem", sa.Text(), nullable=False),
        _at("issued_at", nullable=False),
        _at("revoked_at"),
        sa.Column("revocation_reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("serial", name=op.f("pk_pki_certificates")),
    )
    op.create_index(op.f("ix_pki_certificates_station_id"), "pki_certificates", ["station_id"])
    op.create_index(op.f("ix_pki_certificates_not_after"), "pki_certificates", ["not_after"])
    op.create_table(
        "pki_station_profiles",
        sa.Column("station_id", sa.Text(), nullable=False),
        sa.Column("security_profile", sa.Integer(), nullable=False),
        _at("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("station_id", name=op.f("pk_pki_station_profiles")),
    )


def downgrade() -> None:
    op.drop_table("pki_station_profiles")
    op.drop_index(op.f("ix_pki_certificates_not_after"), table_name="pki_certificates")
    op.drop_index(op.f("ix_pki_certificates_station_id"), table_name="pki_certificates")
    op.drop_table("pki_certificates")
    op.drop_table("pki_authorities")
