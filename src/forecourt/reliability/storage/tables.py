"""Tables of the reliability feature, on the shared metadata (revision 0003_reliability).

Port timelines refer to stations by value (no foreign key): history outlives re-provisioning.
``reliability_intervals.conditions`` is a sorted comma list ('' = up).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    Table,
    Text,
    text,
)

from forecourt.reliability.domain.alerts import AlertState, Channel
from forecourt.reliability.domain.model import ExclusionCause, FaultKind, Severity
from forecourt.reliability.domain.tickets import TicketState
from forecourt.storage.tables import metadata
from forecourt.storage.types import BigId, EnumText, UtcDateTime

_TRUE = text("true")

reliability_intervals = Table(
    "reliability_intervals",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("station_id", Text, nullable=False),
    Column("evse_id", Integer, nullable=False),
    Column("start_at", UtcDateTime, nullable=False),
    Column("end_at", UtcDateTime),
    Column("conditions", Text, nullable=False, server_default=""),
    Index(None, "station_id", "evse_id", "start_at"),
    Index(None, "start_at"),
    Index(None, "end_at"),
)

reliability_exclusions = Table(
    "reliability_exclusions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("station_id", Text, nullable=False),
    Column("evse_id", Integer),
    Column("start_at", UtcDateTime, nullable=False),
    Column("end_at", UtcDateTime, nullable=False),
    Column("cause", EnumText(ExclusionCause), nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("created_by", Text, nullable=False, server_default=""),
    Column("created_at", UtcDateTime),
    Index(None, "station_id", "start_at"),
)

reliability_tickets = Table(
    "reliability_tickets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("station_id", Text, nullable=False),
    Column("site_id", Text),
    Column("state", EnumText(TicketState), nullable=False),
    Column("severity", EnumText(Severity), nullable=False),
    Column("title", Text, nullable=False),
    Column("kinds", JSON, nullable=False),
    Column("ports", JSON, nullable=False),
    Column("opened_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime),
    Column("acknowledged_at", UtcDateTime),
    Column("started_at", UtcDateTime),
    Column("resolved_at", UtcDateTime),
    Column("verified_at", UtcDateTime),
    Column("ack_due_at", UtcDateTime),
    Column("resolve_due_at", UtcDateTime),
    Column("assignee", Text, nullable=False, server_default=""),
    Column("reopened", Integer, nullable=False, server_default="0"),
    Column("last_remediation_at", UtcDateTime),
    Index(None, "station_id", "opened_at"),
    Index(None, "state"),
)

reliability_ticket_events = Table(
    "reliability_ticket_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column(
        "ticket_id",
        Integer,
        ForeignKey("reliability_tickets.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("data", JSON, nullable=False),
    Index(None, "ticket_id", "at"),
)

reliability_faults = Table(
    "reliability_faults",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("ticket_id", Integer, ForeignKey("reliability_tickets.id", ondelete="SET NULL")),
    Column("station_id", Text, nullable=False),
    Column("evse_id", Integer),
    Column("kind", EnumText(FaultKind), nullable=False),
    Column("severity", EnumText(Severity), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("explanation", Text, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("first_seen", UtcDateTime, nullable=False),
    Column("last_seen", UtcDateTime, nullable=False),
    Column("occurrences", Integer, nullable=False, server_default="1"),
    Column("active", Boolean, nullable=False, server_default=_TRUE),
    Column("cleared_at", UtcDateTime),
    Index(None, "station_id", "kind"),
    Index(None, "ticket_id"),
)

reliability_alert_routes = Table(
    "reliability_alert_routes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False, server_default=""),
    Column("channel", EnumText(Channel), nullable=False),
    Column("target", Text, nullable=False),
    Column("site_id", Text),
    Column("min_severity", EnumText(Severity), nullable=False),
    Column("secret", Text, nullable=False, server_default=""),
    Column("enabled", Boolean, nullable=False, server_default=_TRUE),
)

reliability_alerts = Table(
    "reliability_alerts",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column(
        "route_id",
        Integer,
        ForeignKey("reliability_alert_routes.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("group_key", Text, nullable=False),
    Column("items", JSON, nullable=False),
    Column("state", EnumText(AlertState), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("send_after", UtcDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UtcDateTime),
    Column("sent_at", UtcDateTime),
    Column("error", Text, nullable=False, server_default=""),
    Index(None, "state", "next_attempt_at"),
    Index(None, "group_key", "state"),
)

reliability_config = Table(
    "reliability_config",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", JSON, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

__all__ = [
    "reliability_alert_routes",
    "reliability_alerts",
    "reliability_config",
    "reliability_exclusions",
    "reliability_faults",
    "reliability_intervals",
    "reliability_ticket_events",
    "reliability_tickets",
]

# What the detectors learned per station (domain/baselines.py), as JSON; migration 0023.
reliability_baselines = Table(
    "reliability_baselines",
    metadata,
    Column("station_id", Text, primary_key=True),
    Column("data", Text, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# Which car it was (domain/vehicles.py): an OUI, an eMAID provider or a driver's token mapped
# to a vehicle; migration 0024.
reliability_vehicle_rules = Table(
    "reliability_vehicle_rules",
    metadata,
    Column("kind", Text, primary_key=True),
    Column("key", Text, primary_key=True),
    Column("vehicle", Text, nullable=False),
    Column("created_by", Text, nullable=False, server_default=""),
    Column("updated_at", UtcDateTime, nullable=False),
)
