"""Station PKI: the profile a station was told to switch to, until it reconnects on it.

Revision ID: 0042_pki_profile_target
Revises: 0040_pki
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0042_pki_profile_target"
down_revision: str | None = "0040_pki"
branch_labels: tuple[str, ...] | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("pki_station_profiles") as batch:
        batch.add_column(sa.Column("target_profile", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pki_station_profiles") as batch:
        batch.drop_column("target_profile")
