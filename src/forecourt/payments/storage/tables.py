"""Payment and tariff tables, on the shared metadata (migration 0004_payments)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
    false,
)
from sqlalchemy import text as sql_text

from forecourt.payments.domain.payments import PaymentFlow, PaymentState
from forecourt.storage.tables import metadata
from forecourt.storage.types import BigId, EnumText, UtcDateTime

_HAS_PROVIDER_REF = sql_text("provider_ref <> ''")

payments = Table(
    "payments",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("public_id", Text, nullable=False, unique=True),
    Column("flow", EnumText(PaymentFlow), nullable=False),
    Column("provider", Text, nullable=False),
    Column("provider_ref", Text, nullable=False, server_default=""),
    Column("state", EnumText(PaymentState), nullable=False),
    Column("currency", Text, nullable=False),
    Column("hold_minor", BigInteger, nullable=False),
    Column("authorized_minor", BigInteger, nullable=False, server_default="0"),
    Column("final_minor", BigInteger),
    Column("captured_minor", BigInteger, nullable=False, server_default="0"),
    Column("id_token", Text, nullable=False, server_default=""),
    Column("station_id", Text, nullable=False, server_default=""),
    Column("evse_id", Integer),
    Column("transaction_id", Integer, unique=True),  # one payment per session, at most
    Column("card_brand", Text, nullable=False, server_default=""),
    Column("card_last4", Text, nullable=False, server_default=""),
    Column("email", Text, nullable=False, server_default=""),
    Column("tariff", JSON, nullable=False),
    Column("breakdown", JSON, nullable=False),
    Column("message", Text, nullable=False, server_default=""),
    Column("redirect_url", Text, nullable=False, server_default=""),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text, nullable=False, server_default=""),
    Column("receipt_code", Text, nullable=False, server_default=""),
    # who took the money at the counter (migration 0031_payments_split_billing)
    Column("taken_by", Text, nullable=False, server_default=""),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime),
    Column("authorized_at", UtcDateTime),
    Column("completed_at", UtcDateTime),
    Column("next_attempt_at", UtcDateTime),
    # A provider's hold is one payment: a webhook delivered twice never makes a second one.
    Index(
        "uq_payments_provider_provider_ref",
        "provider",
        "provider_ref",
        unique=True,
        sqlite_where=_HAS_PROVIDER_REF,
        postgresql_where=_HAS_PROVIDER_REF,
    ),
    Index(None, "state"),
    Index(None, "id_token"),
    Index(None, "card_last4", "created_at"),
    Index(None, "receipt_code"),
)

#: Provider notifications already handled (webhooks arrive at least once).
payment_events = Table(
    "payment_events",
    metadata,
    Column("provider", Text, nullable=False),
    Column("event_id", Text, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("provider", "event_id"),
)

tariff_revisions = Table(
    "tariff_revisions",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("code", Text, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("effective_from", UtcDateTime, nullable=False),
    Column("body", JSON, nullable=False),
    Index(None, "code", "revision", unique=True),
    Index(None, "code", "effective_from"),
)

tariff_bindings = Table(
    "tariff_bindings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scope", Text, nullable=False, unique=True),  # site|station|evse|connector type
    Column("tariff_code", Text, nullable=False),
    Column("site_id", Text),
    Column("station_id", Text),
    Column("evse_id", Integer),
    Column("connector_type", Text),
)

#: The tariff fixed for a session when it started (NEVI: the price cannot change mid-session).
session_tariffs = Table(
    "session_tariffs",
    metadata,
    Column("transaction_id", Integer, primary_key=True, autoincrement=False),
    Column("tariff", JSON, nullable=False),
    Column("pinned_at", UtcDateTime, nullable=False),
    # Accepted ChangeTransactionTariff (OCPP 2.1 I10): [{"at", "tariff"}], oldest first
    # (migration 0031_payments_split_billing); read with the pin, one statement.
    Column("changes", JSON, nullable=False, server_default="[]"),
)

#: A driver's own tariff (OCPP 2.1 DriverTariff): the token's sessions are billed by it and a
#: 2.1 station gets it in the Authorize answer (migration 0031_payments_split_billing).
driver_tariffs = Table(
    "driver_tariffs",
    metadata,
    Column("id_token", Text, primary_key=True),
    Column("tariff_code", Text, nullable=False),
    Column("set_at", UtcDateTime, nullable=False),
)

#: A 2.1 station's own cost of a session against ours (migration 0030_payments_tariff_sync).
station_cost_checks = Table(
    "station_cost_checks",
    metadata,
    Column("transaction_id", Integer, primary_key=True, autoincrement=False),
    Column("station_id", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("ours_minor", BigInteger, nullable=False),
    Column("station_minor", BigInteger),
    Column("tolerance_minor", BigInteger, nullable=False),
    Column("flagged", Boolean, nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("checked_at", UtcDateTime, nullable=False),
    # A running session's mismatch (Updated costDetails), until the final check replaces it
    # (migration 0031_payments_split_billing).
    Column("running", Boolean, nullable=False, server_default=false()),
)

#: Limits an operator set when starting a session remotely (migration 0030_payments_tariff_sync).
session_limits = Table(
    "session_limits",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("station_id", Text, nullable=False),
    Column("id_token", Text, nullable=False),
    Column("max_cost", Text),  # decimal string, major units
    Column("max_energy_wh", Float),
    Column("max_time_s", Integer),
    Column("max_soc", Integer),
    Column("created_at", UtcDateTime, nullable=False),
    Index(None, "station_id", "id_token", "created_at"),
)
