"""The schema, as SQLAlchemy Core tables. Migrations must keep the database equal to this.

History (status_history, transactions, meter_samples) refers to a station's EVSE and connector
by value, never by foreign key to the connector row: connectors get retrofitted (CCS1 -> NACS)
and their history must outlive them.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from forecourt.domain.commands import CommandKind, CommandStatus
from forecourt.domain.connectors import ConnectorType, PowerType
from forecourt.domain.events import StationEventKind
from forecourt.domain.metering import Measurand, ReadingContext
from forecourt.domain.stations import ConnectorStatus, ProtocolVersion, RegistrationStatus
from forecourt.domain.tokens import AuthorizationStatus, TokenKind
from forecourt.domain.transactions import PaymentMethod, StopReason, TransactionState
from forecourt.storage.types import BigId, EnumText, UtcDateTime

# Named constraints keep Alembic (and SQLite batch migrations) deterministic.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

_FALSE = text("false")

sites = Table(
    "sites",
    metadata,
    Column("id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("address", Text, nullable=False, server_default=""),
    Column("timezone", Text, nullable=False, server_default="UTC"),
    Column("latitude", Float),
    Column("longitude", Float),
)

stations = Table(
    "stations",
    metadata,
    Column("id", Text, primary_key=True),
    Column("site_id", Text, ForeignKey("sites.id", ondelete="SET NULL"), index=True),
    Column("registration", EnumText(RegistrationStatus), nullable=False),
    Column("password_hash", Text),
    Column("previous_password_hash", Text),  # until the station uses the rotated one
    Column("vendor", Text, nullable=False, server_default=""),
    Column("model", Text, nullable=False, server_default=""),
    Column("serial_number", Text, nullable=False, server_default=""),
    Column("firmware_version", Text, nullable=False, server_default=""),
    Column("protocol", EnumText(ProtocolVersion)),
    Column("connected", Boolean, nullable=False, server_default=_FALSE),
    Column("last_seen_at", UtcDateTime),
    Column("booted_at", UtcDateTime),
    Column("clock_drift_s", Float),
)

evses = Table(
    "evses",
    metadata,
    Column("station_id", Text, ForeignKey("stations.id", ondelete="CASCADE"), nullable=False),
    Column("evse_id", Integer, nullable=False),
    Column("max_power_w", Float),
    PrimaryKeyConstraint("station_id", "evse_id"),
)

connectors = Table(
    "connectors",
    metadata,
    Column("station_id", Text, nullable=False),
    Column("evse_id", Integer, nullable=False),
    Column("connector_id", Integer, nullable=False),
    Column("type", EnumText(ConnectorType), nullable=False, server_default="unknown"),
    Column("built_in_plug", EnumText(ConnectorType)),
    # The rating is all-or-nothing: power_type NULL means "no rating".
    Column("power_type", EnumText(PowerType)),
    Column("max_voltage_v", Float),
    Column("max_current_a", Float),
    Column("max_power_w", Float),
    Column("cooled_cable", Boolean),
    Column("cable_length_m", Float),
    Column("status", EnumText(ConnectorStatus), nullable=False, server_default="unknown"),
    Column("status_detail", Text, nullable=False, server_default=""),
    Column("error_code", Text, nullable=False, server_default=""),
    Column("status_at", UtcDateTime),
    PrimaryKeyConstraint("station_id", "evse_id", "connector_id"),
    ForeignKeyConstraint(
        ["station_id", "evse_id"], ["evses.station_id", "evses.evse_id"], ondelete="CASCADE"
    ),
)

status_history = Table(
    "status_history",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("station_id", Text, ForeignKey("stations.id", ondelete="CASCADE"), nullable=False),
    Column("evse_id", Integer, nullable=False),
    Column("connector_id", Integer, nullable=False),
    Column("status", EnumText(ConnectorStatus), nullable=False),
    Column("timestamp", UtcDateTime, nullable=False),
    Column("detail", Text, nullable=False, server_default=""),
    Column("error_code", Text, nullable=False, server_default=""),
    Column("info", Text, nullable=False, server_default=""),
    Column("received_at", UtcDateTime, nullable=False),
    Index(None, "station_id", "timestamp"),
)

tokens = Table(
    "tokens",
    metadata,
    Column("value", Text, primary_key=True),
    Column("kind", EnumText(TokenKind), nullable=False),
    Column("blocked", Boolean, nullable=False, server_default=_FALSE),
    Column("expires_at", UtcDateTime),
    Column("group_name", Text, index=True),
    Column("allow_concurrent", Boolean, nullable=False, server_default=_FALSE),
    Column("label", Text, nullable=False, server_default=""),
)

transactions = Table(
    "transactions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),  # the 1.6 wire transactionId
    Column("station_id", Text, ForeignKey("stations.id"), nullable=False),
    Column("evse_id", Integer, nullable=False),
    Column("connector_id", Integer, nullable=False),
    Column("station_tx_id", Text, nullable=False),
    Column("start_key", Text, nullable=False, server_default=""),
    Column("state", EnumText(TransactionState), nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("stopped_at", UtcDateTime),
    Column("updated_at", UtcDateTime),
    Column("id_token", Text),
    Column("stop_id_token", Text),
    Column("auth_status", EnumText(AuthorizationStatus), nullable=False),
    Column("meter_start_wh", Float),
    Column("meter_stop_wh", Float),
    Column("energy_wh", Float, nullable=False, server_default="0"),
    Column("register_resets", Integer, nullable=False, server_default="0"),
    Column("last_register_at", UtcDateTime),
    Column("last_register_wh", Float),
    Column("stop_reason", EnumText(StopReason)),
    Column("last_seq_no", Integer),
    Column("seen_offline", Boolean, nullable=False, server_default=_FALSE),
    Column("remote_start_id", Integer),
    Column("peak_power_w", Float, nullable=False, server_default="0"),
    Column("last_soc", Float),
    Column("charging_state", Text, nullable=False, server_default=""),
    Column("payment_method", EnumText(PaymentMethod)),
    Column("details", JSON, nullable=False),
    UniqueConstraint("station_id", "station_tx_id"),
    # 1.6 replays carry no station transaction id: the start key identifies them.
    Index(
        "uq_transactions_station_id_start_key",
        "station_id",
        "start_key",
        unique=True,
        sqlite_where=text("start_key <> ''"),
        postgresql_where=text("start_key <> ''"),
    ),
    Index(None, "station_id", "evse_id", "state"),
    Index(None, "id_token", "state"),
    Index(None, "started_at"),
)

#: Columns that identify a sample; a replayed sample matches on all of them and is skipped.
#: transaction_id 0 and phase '' stand for "none": NULLs would never compare equal in a key.
METER_SAMPLE_KEY = (
    "transaction_id",
    "timestamp",
    "station_id",
    "evse_id",
    "measurand",
    "phase",
    "context",
    "location",
)

meter_samples = Table(
    "meter_samples",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("station_id", Text, nullable=False),
    Column("evse_id", Integer, nullable=False),
    Column("transaction_id", Integer, nullable=False),
    Column("timestamp", UtcDateTime, nullable=False),
    Column("measurand", EnumText(Measurand), nullable=False),
    Column("phase", Text, nullable=False),
    Column("context", EnumText(ReadingContext), nullable=False),
    Column("location", Text, nullable=False),
    Column("value", Float, nullable=False),
    Column("unit", Text, nullable=False),
    # Leads with (transaction_id, timestamp): also serves per-transaction time-ordered reads.
    UniqueConstraint(*METER_SAMPLE_KEY, name="uq_meter_samples_identity"),
    Index(None, "station_id", "timestamp"),
)

station_events = Table(
    "station_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("station_id", Text, nullable=False),  # no FK: unknown stations get logged too
    Column("kind", EnumText(StationEventKind), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("data", JSON, nullable=False),
    Index(None, "station_id", "at"),
    Index(None, "kind", "at"),
)

commands = Table(
    "commands",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("station_id", Text, nullable=False),
    Column("kind", EnumText(CommandKind), nullable=False),
    Column("params", JSON, nullable=False),
    Column("requested_at", UtcDateTime, nullable=False),
    Column("requested_by", Text, nullable=False, server_default=""),
    Column("status", EnumText(CommandStatus), nullable=False),
    Column("result", JSON, nullable=False),
    Column("error", Text, nullable=False, server_default=""),
    Column("completed_at", UtcDateTime),
    Index(None, "station_id", "requested_at"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False),
    Column("prefix", Text, nullable=False, index=True),
    Column("key_hash", Text, nullable=False),
    Column("role", Text, nullable=False, server_default="admin"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked", Boolean, nullable=False, server_default=_FALSE),
)

# Domain events committed with their change and not yet delivered (ADR 0012, migration 0010).
# ``seq`` orders recovery after a crash; rows are removed once delivered.
event_outbox = Table(
    "event_outbox",
    metadata,
    Column("seq", BigId, primary_key=True, autoincrement=True),
    Column("event_id", Text, nullable=False, index=True),
    Column("topic", Text, nullable=False),
    Column("station_id", Text, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("data", Text, nullable=False),  # orjson: the event's JSON-ready data
)

# Event ids a durable consumer handled, so a redelivery after its restart has no second effect
# (ADR 0012, migration 0012). Rows older than the stream's retention are pruned.
consumed_events = Table(
    "consumed_events",
    metadata,
    Column("consumer", Text, primary_key=True),
    Column("event_id", Text, primary_key=True),
    Column("at", UtcDateTime, nullable=False, index=True),
)
