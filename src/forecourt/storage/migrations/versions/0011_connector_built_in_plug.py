"""A connector's dispenser-integrated adapter: the second plug it presents (OCPP 2.1 cNACS-CCS1).

Revision ID: 0011_connector_built_in_plug
Revises: 0002_users
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0011_connector_built_in_plug"
down_revision: str | None = "0002_users"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("connectors") as batch:
        batch.add_column(sa.Column("built_in_plug", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("connectors") as batch:
        batch.drop_column("built_in_plug")
