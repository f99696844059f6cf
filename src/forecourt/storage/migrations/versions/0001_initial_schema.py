"""Initial schema: every table of Forecourt 0.1.

Revision ID: 0001
Revises:
Create Date: 2026-11-21

Plain column types on purpose: a revision must not change when application types evolve.
Timestamps are ``DateTime(timezone=True)``, enums are ``Text`` holding the enum's value.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

_FALSE = sa.text("false")
_NOT_EMPTY_START_KEY = sa.text("start_key <> ''")


def _id(big: bool = True) -> sa.Column[int]:
    kind = sa.BigInteger().with_variant(sa.Integer(), "sqlite") if big else sa.Integer()
    return sa.Column("id", kind, autoincrement=True, nullable=False)


def _utc(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _text(name: str, default: str | None = None, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.Text(), server_default=default, nullable=nullable)


def upgrade() -> None:
    _create_network()
    _create_status_history()
    _create_tokens()
    _create_transactions()
    _create_meter_samples()
    _create_logs()


def _create_network() -> None:
    op.create_table(
        "sites",
        _text("id"),
        _text("name"),
        _text("address", ""),
        _text("timezone", "UTC"),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
    )
    op.create_table(
        "stations",
        _text("id"),
        _text("site_id", nullable=True),
        _text("registration"),
        _text("password_hash", nullable=True),
        _text("vendor", ""),
        _text("model", ""),
        _text("serial_number", ""),
        _text("firmware_version", ""),
        _text("protocol", nullable=True),
        sa.Column("connected", sa.Boolean(), server_default=_FALSE, nullable=False),
        _utc("last_seen_at"),
        _utc("booted_at"),
        sa.Column("clock_drift_s", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_stations_site_id_sites"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stations")),
    )
    op.create_index(op.f("ix_stations_site_id"), "stations", ["site_id"])
    op.create_table(
        "evses",
        _text("station_id"),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("max_power_w", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["stations.id"],
            name=op.f("fk_evses_station_id_stations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("station_id", "evse_id", name=op.f("pk_evses")),
    )
    op.create_table(
        "connectors",
        _text("station_id"),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        _text("type", "unknown"),
        _text("power_type", nullable=True),
        sa.Column("max_voltage_v", sa.Float(), nullable=True),
        sa.Column("max_current_a", sa.Float(), nullable=True),
        sa.Column("max_power_w", sa.Float(), nullable=True),
        sa.Column("cooled_cable", sa.Boolean(), nullable=True),
        sa.Column("cable_length_m", sa.Float(), nullable=True),
        _text("status", "unknown"),
        _text("status_detail", ""),
        _text("error_code", ""),
        _utc("status_at"),
        sa.ForeignKeyConstraint(
            ["station_id", "evse_id"],
            ["evses.station_id", "evses.evse_id"],
            name=op.f("fk_connectors_station_id_evses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "station_id", "evse_id", "connector_id", name=op.f("pk_connectors")
        ),
    )


def _create_status_history() -> None:
    op.create_table(
        "status_history",
        _id(),
        _text("station_id"),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        _text("status"),
        _utc("timestamp", nullable=False),
        _text("detail", ""),
        _text("error_code", ""),
        _text("info", ""),
        _utc("received_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["stations.id"],
            name=op.f("fk_status_history_station_id_stations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_history")),
    )
    op.create_index(
        op.f("ix_status_history_station_id_timestamp"),
        "status_history",
        ["station_id", "timestamp"],
    )


def _create_tokens() -> None:
    op.create_table(
        "tokens",
        _text("value"),
        _text("kind"),
        sa.Column("blocked", sa.Boolean(), server_default=_FALSE, nullable=False),
        _utc("expires_at"),
        _text("group_name", nullable=True),
        sa.Column("allow_concurrent", sa.Boolean(), server_default=_FALSE, nullable=False),
        _text("label", ""),
        sa.PrimaryKeyConstraint("value", name=op.f("pk_tokens")),
    )
    op.create_index(op.f("ix_tokens_group_name"), "tokens", ["group_name"])


def _create_transactions() -> None:
    op.create_table(
        "transactions",
        _id(big=False),
        _text("station_id"),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        _text("station_tx_id"),
        _text("start_key", ""),
        _text("state"),
        _utc("started_at", nullable=False),
        _utc("stopped_at"),
        _utc("updated_at"),
        _text("id_token", nullable=True),
        _text("stop_id_token", nullable=True),
        _text("auth_status"),
        sa.Column("meter_start_wh", sa.Float(), nullable=True),
        sa.Column("meter_stop_wh", sa.Float(), nullable=True),
        sa.Column("energy_wh", sa.Float(), server_default="0", nullable=False),
        sa.Column("register_resets", sa.Integer(), server_default="0", nullable=False),
        _utc("last_register_at"),
        sa.Column("last_register_wh", sa.Float(), nullable=True),
        _text("stop_reason", nullable=True),
        sa.Column("last_seq_no", sa.Integer(), nullable=True),
        sa.Column("seen_offline", sa.Boolean(), server_default=_FALSE, nullable=False),
        sa.Column("remote_start_id", sa.Integer(), nullable=True),
        sa.Column("peak_power_w", sa.Float(), server_default="0", nullable=False),
        sa.Column("last_soc", sa.Float(), nullable=True),
        _text("charging_state", ""),
        _text("payment_method", nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name=op.f("fk_transactions_station_id_stations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transactions")),
        sa.UniqueConstraint(
            "station_id", "station_tx_id", name=op.f("uq_transactions_station_id_station_tx_id")
        ),
    )
    op.create_index(
        "uq_transactions_station_id_start_key",
        "transactions",
        ["station_id", "start_key"],
        unique=True,
        sqlite_where=_NOT_EMPTY_START_KEY,
        postgresql_where=_NOT_EMPTY_START_KEY,
    )
    op.create_index(
        op.f("ix_transactions_station_id_evse_id_state"),
        "transactions",
        ["station_id", "evse_id", "state"],
    )
    op.create_index(op.f("ix_transactions_id_token_state"), "transactions", ["id_token", "state"])
    op.create_index(op.f("ix_transactions_started_at"), "transactions", ["started_at"])


def _create_meter_samples() -> None:
    op.create_table(
        "meter_samples",
        _id(),
        _text("station_id"),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        _utc("timestamp", nullable=False),
        _text("measurand"),
        _text("phase"),
        _text("context"),
        _text("location"),
        sa.Column("value", sa.Float(), nullable=False),
        _text("unit"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meter_samples")),
        sa.UniqueConstraint(
            "transaction_id",
            "timestamp",
            "station_id",
            "evse_id",
            "measurand",
            "phase",
            "context",
            "location",
            name="uq_meter_samples_identity",
        ),
    )
    op.create_index(
        op.f("ix_meter_samples_station_id_timestamp"), "meter_samples", ["station_id", "timestamp"]
    )


def _create_logs() -> None:
    op.create_table(
        "station_events",
        _id(),
        _text("station_id"),
        _text("kind"),
        _utc("at", nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_station_events")),
    )
    op.create_index(op.f("ix_station_events_station_id_at"), "station_events", ["station_id", "at"])
    op.create_index(op.f("ix_station_events_kind_at"), "station_events", ["kind", "at"])
    op.create_table(
        "commands",
        _id(),
        _text("station_id"),
        _text("kind"),
        sa.Column("params", sa.JSON(), nullable=False),
        _utc("requested_at", nullable=False),
        _text("requested_by", ""),
        _text("status"),
        sa.Column("result", sa.JSON(), nullable=False),
        _text("error", ""),
        _utc("completed_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commands")),
    )
    op.create_index(
        op.f("ix_commands_station_id_requested_at"), "commands", ["station_id", "requested_at"]
    )
    op.create_table(
        "api_keys",
        _id(big=False),
        _text("name"),
        _text("prefix"),
        _text("key_hash"),
        _text("role", "admin"),
        _utc("created_at", nullable=False),
        sa.Column("revoked", sa.Boolean(), server_default=_FALSE, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
    )
    op.create_index(op.f("ix_api_keys_prefix"), "api_keys", ["prefix"])


def downgrade() -> None:
    # Dropping a table drops its indexes; children before parents.
    for table in (
        "api_keys",
        "commands",
        "station_events",
        "meter_samples",
        "transactions",
        "tokens",
        "status_history",
        "connectors",
        "evses",
        "stations",
        "sites",
    ):
        op.drop_table(table)
