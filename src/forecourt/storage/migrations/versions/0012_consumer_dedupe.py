"""Consumer de-duplication: the event ids each durable consumer handled (ADR 0012).

Revision ID: 0012_consumer_dedupe
Revises: 0011_connector_built_in_plug
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0012_consumer_dedupe"
down_revision: str | None = "0011_connector_built_in_plug"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "consumed_events",
        sa.Column("consumer", sa.Text(), nullable=False),
        sa.Column("event_id", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id", name=op.f("pk_consumed_events")),
    )
    op.create_index(op.f("ix_consumed_events_at"), "consumed_events", ["at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_consumed_events_at"), table_name="consumed_events")
    op.drop_table("consumed_events")
