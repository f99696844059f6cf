"""Smart charging's tables, on the shared metadata (migrations 0020_smart_charging,
0021_smart_charging_departures)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, Index, Integer, PrimaryKeyConstraint, Table, Text

from forecourt.storage.tables import metadata
from forecourt.storage.types import BigId, UtcDateTime

#: One row per managed site: its grid limit, daily windows, external signal and policy.
site_limits = Table(
    "sc_site_limits",
    metadata,
    Column("site_id", Text, primary_key=True),
    Column("body", JSON, nullable=False),  # SiteLimit as JSON (codec.site_to_dict)
    Column("policy", Text, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

#: Per-EVSE bounds and priority class an operator set (defaults apply without a row).
evse_settings = Table(
    "sc_evse_settings",
    metadata,
    Column("station_id", Text, nullable=False),
    Column("evse_id", Integer, nullable=False),
    Column("min_w", Float),
    Column("max_w", Float),
    Column("priority", Integer, nullable=False, server_default="0"),
    Column("phase", Integer),  # the site phase a single-phase EVSE (or car) is on (None: L1)
    PrimaryKeyConstraint("station_id", "evse_id"),
)

#: A session's departure and energy need, as the driver or API gave it (2.0.1/2.1 cars say
#: it themselves in NotifyEVChargingNeeds); only for the session it was given for.
departures = Table(
    "sc_departures",
    metadata,
    Column("station_id", Text, nullable=False),
    Column("evse_id", Integer, nullable=False),
    Column("station_tx_id", Text, nullable=False),
    Column("departure_at", UtcDateTime, nullable=False),
    Column("energy_wh", Float, nullable=False),
    Column("vehicle", Text),  # the driver's car, for the compatibility engine's estimate
    Column("source", Text, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("station_id", "evse_id"),
)

#: The last allocation per EVSE: what was planned, and what the station accepted.
allocations = Table(
    "sc_allocations",
    metadata,
    Column("station_id", Text, nullable=False),
    Column("evse_id", Integer, nullable=False),
    Column("site_id", Text, nullable=False),
    Column("station_tx_id", Text),  # the transaction the profile was for (None: idle)
    Column("planned_w", Float, nullable=False),
    Column("accepted_w", Float),  # None: never accepted (rejected, offline, not yet sent)
    Column("reason", Text, nullable=False),
    Column("status", Text, nullable=False),  # the station's answer to the last profile
    Column("at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("station_id", "evse_id"),
)

#: What happened: rebalances, refusals, stations drawing more than they accepted.
events = Table(
    "sc_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("site_id", Text, nullable=False),
    Column("station_id", Text, nullable=False, server_default=""),
    Column("evse_id", Integer),
    Column("kind", Text, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("data", JSON, nullable=False),
    Index(None, "site_id", "at"),
)
