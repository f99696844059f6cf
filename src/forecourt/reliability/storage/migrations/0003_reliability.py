"""Reliability: port timelines, exclusions, faults, tickets, alert routes and outbox, config.

Revision ID: 0003_reliability
Revises: 0001
Create Date: 2026-11-23

A feature branch off the core schema (``migrate()`` upgrades all heads). Plain column types
on purpose, as in 0001: a revision must not change when application types evolve.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003_reliability"
down_revision: str | None = "0001"
branch_labels: tuple[str, ...] | None = ("reliability",)
depends_on: str | None = None

_TRUE = sa.text("true")


def _id(big: bool = True) -> sa.Column[int]:
    kind = sa.BigInteger().with_variant(sa.Integer(), "sqlite") if big else sa.Integer()
    return sa.Column("id", kind, autoincrement=True, nullable=False)


def _utc(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _text(name: str, default: str | None = None, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), server_default=default, nullable=nullable)


def _int(name: str, nullable: bool = False, default: str | None = None) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), server_default=default, nullable=nullable)


def upgrade() -> None:
    _create_timelines()
    _create_tickets()
    _create_alerts()
    op.create_table(
        "reliability_config",
        _text("key"),
        sa.Column("value", sa.JSON(), nullable=False),
        _utc("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_reliability_config")),
    )


def _create_timelines() -> None:
    op.create_table(
        "reliability_intervals",
        _id(),
        _text("station_id"),
        _int("evse_id"),
        _utc("start_at", nullable=False),
        _utc("end_at"),
        _text("conditions", ""),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reliability_intervals")),
    )
    for columns in (["station_id", "evse_id", "start_at"], ["start_at"], ["end_at"]):
        name = op.f(f"ix_reliability_intervals_{'_'.join(columns)}")
        op.create_index(name, "reliability_intervals", columns)
    op.create_table(
        "reliability_exclusions",
        _id(big=False),
        _text("station_id"),
        _int("evse_id", nullable=True),
        _utc("start_at", nullable=False),
        _utc("end_at", nullable=False),
        _text("cause"),
        sa.Column("evidence", sa.JSON(), nullable=False),
        _text("note", ""),
        _text("created_by", ""),
        _utc("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reliability_exclusions")),
    )
    op.create_index(
        op.f("ix_reliability_exclusions_station_id_start_at"),
        "reliability_exclusions",
        ["station_id", "start_at"],
    )


def _create_tickets() -> None:
    op.create_table(
        "reliability_tickets",
        _id(big=False),
        _text("station_id"),
        _text("site_id", nullable=True),
        _text("state"),
        _text("severity"),
        _text("title"),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("ports", sa.JSON(), nullable=False),
        _utc("opened_at", nullable=False),
        *(_utc(name) for name in _TICKET_TIMES),
        _text("assignee", ""),
        _int("reopened", default="0"),
        _utc("last_remediation_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reliability_tickets")),
    )
    op.create_index(
        op.f("ix_reliability_tickets_station_id_opened_at"),
        "reliability_tickets",
        ["station_id", "opened_at"],
    )
    op.create_index(op.f("ix_reliability_tickets_state"), "reliability_tickets", ["state"])
    op.create_table(
        "reliability_ticket_events",
        _id(),
        _int("ticket_id"),
        _utc("at", nullable=False),
        _text("actor"),
        _text("kind"),
        sa.Column("data", sa.JSON(), nullable=False),
        _ticket_fk("reliability_ticket_events", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reliability_ticket_events")),
    )
    op.create_index(
        op.f("ix_reliability_ticket_events_ticket_id_at"),
        "reliability_ticket_events",
        ["ticket_id", "at"],
    )
    _create_faults()


_TICKET_TIMES = (
    "updated_at",
    "acknowledged_at",
    "started_at",
    "resolved_at",
    "verified_at",
    "ack_due_at",
    "resolve_due_at",
)


def _ticket_fk(table: str, on_delete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["ticket_id"],
        ["reliability_tickets.id"],
        name=op.f(f"fk_{table}_ticket_id_reliability_tickets"),
        ondelete=on_delete,
    )


def _create_faults() -> None:
    op.create_table(
        "reliability_faults",
        _id(),
        _int("ticket_id", nullable=True),
        _text("station_id"),
        _int("evse_id", nullable=True),
        _text("kind"),
        _text("severity"),
        sa.Column("confidence", sa.Float(), nullable=False),
        _text("explanation"),
        sa.Column("evidence", sa.JSON(), nullable=False),
        _utc("first_seen", nullable=False),
        _utc("last_seen", nullable=False),
        _int("occurrences", default="1"),
        sa.Column("active", sa.Boolean(), server_default=_TRUE, nullable=False),
        _utc("cleared_at"),
        _ticket_fk("reliability_faults", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reliability_faults")),
    )
    op.create_index(
        op.f("ix_reliability_faults_station_id_kind"), "reliability_faults", ["station_id", "kind"]
    )
    op.create_index(op.f("ix_reliability_faults_ticket_id"), "reliability_faults", ["ticket_id"])


def _create_alerts() -> None:
    op.create_table(
        "reliability_alert_routes",
        _id(big=False),
        _text("name", ""),
        _text("channel"),
        _text("target"),
        _text("site_id", nullable=True),
        _text("min_severity"),
        _text("secret", ""),
        sa.Column("enabled", sa.Boolean(), server_default=_TRUE, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reliability_alert_routes")),
    )
    op.create_table(
        "reliability_alerts",
        _id(),
        _int("route_id"),
        _text("group_key"),
        sa.Column("items", sa.JSON(), nullable=False),
        _text("state"),
        _utc("created_at", nullable=False),
        _utc("send_after", nullable=False),
        _int("attempts", default="0"),
        _utc("next_attempt_at"),
        _utc("sent_at"),
        _text("error", ""),
        sa.ForeignKeyConstraint(
            ["route_id"],
            ["reliability_alert_routes.id"],
            name=op.f("fk_reliability_alerts_route_id_reliability_alert_routes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reliability_alerts")),
    )
    op.create_index(
        op.f("ix_reliability_alerts_state_next_attempt_at"),
        "reliability_alerts",
        ["state", "next_attempt_at"],
    )
    op.create_index(
        op.f("ix_reliability_alerts_group_key_state"), "reliability_alerts", ["group_key", "state"]
    )


def downgrade() -> None:
    # Children before parents; dropping a table drops its indexes.
    for table in (
        "reliability_config",
        "reliability_alerts",
        "reliability_alert_routes",
        "reliability_faults",
        "reliability_ticket_events",
        "reliability_tickets",
        "reliability_exclusions",
        "reliability_intervals",
    ):
        op.drop_table(table)
