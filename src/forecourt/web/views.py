"""View models: what pages show, computed from domain objects in one pass (no queries here)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from forecourt.domain.events import StationEvent, StationEventKind
from forecourt.domain.stations import Connector, Evse, Site, Station
from forecourt.domain.transactions import Transaction
from forecourt.ports.faults import FaultSummary
from forecourt.web.status import (
    ALL_STATUSES,
    OUT_OF_ORDER,
    StatusWords,
    Tone,
    connector_status,
    current_kind,
    max_power_w,
    plug_label,
)

#: Station records an operator should look at that are not faults (the rest is routine: boots,
#: connections). Faults (clock drift, meter anomalies, offline ...) come from reliability only.
ALERT_KINDS = (
    StationEventKind.SECURITY,
    StationEventKind.ORPHAN_STOP,
    StationEventKind.METER_ANOMALY,
    StationEventKind.TRANSACTION_RECONCILED,
)


@dataclass(frozen=True, slots=True)
class ConnectorView:
    station: Station
    evse: Evse
    connector: Connector
    status: StatusWords
    plug: str
    max_power_w: float | None
    current: str  # "AC", "DC" or ""

    @property
    def plug_type(self) -> str:
        return self.connector.type.value


def connector_views(station: Station) -> list[ConnectorView]:
    return [
        ConnectorView(
            station,
            evse,
            connector,
            connector_status(station, evse, connector),
            plug_label(connector.type, connector.built_in_plug),
            max_power_w(evse, connector),
            current_kind(connector),
        )
        for evse in station.evses
        for connector in evse.connectors
    ]


@dataclass(slots=True)
class StatusCounts:
    """How many connectors show each status, in a fixed order."""

    counts: Counter[str] = field(default_factory=Counter)

    def add(self, views: Iterable[ConnectorView]) -> None:
        self.counts.update(view.status.key for view in views)

    @property
    def items(self) -> list[tuple[StatusWords, int]]:
        return [
            (status, self.counts[status.key]) for status in ALL_STATUSES if self.counts[status.key]
        ]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(slots=True)
class StationRow:
    station: Station
    site_name: str
    connectors: list[ConnectorView]
    active_sessions: int = 0
    counts: StatusCounts = field(default_factory=StatusCounts)

    def __post_init__(self) -> None:
        self.counts.add(self.connectors)


@dataclass(slots=True)
class SiteRow:
    site: Site
    stations: int = 0
    online: int = 0
    active_sessions: int = 0
    counts: StatusCounts = field(default_factory=StatusCounts)


@dataclass(slots=True)
class NetworkSummary:
    stations: int = 0
    online: int = 0
    active_sessions: int = 0
    energy_today_wh: float = 0.0
    counts: StatusCounts = field(default_factory=StatusCounts)

    @property
    def offline(self) -> int:
        return self.stations - self.online


@dataclass(frozen=True, slots=True)
class Alert:
    at: datetime | None
    station_id: str
    title: str
    detail: str
    tone: Tone


@dataclass(slots=True)
class Overview:
    summary: NetworkSummary
    sites: list[SiteRow]
    stations: list[StationRow]
    alerts: list[Alert]
    open_tickets: int = 0


def build_overview(
    stations: Sequence[Station],
    sites: Sequence[Site],
    active: Sequence[Transaction],
    energy_today_wh: float,
    events: Sequence[StationEvent],
    faults: Sequence[FaultSummary] = (),
    open_tickets: int = 0,
) -> Overview:
    """``faults``: the active faults (``ports.faults``), the one source of truth for what is
    broken."""
    sessions_by_station = Counter(tx.station_id for tx in active)
    site_rows = {site.id: SiteRow(site) for site in sites}
    summary = NetworkSummary(energy_today_wh=energy_today_wh)
    rows = []
    for station in stations:
        site_row = site_rows.get(station.site_id or "")
        row = StationRow(
            station,
            site_row.site.name if site_row else "—",
            connector_views(station),
            sessions_by_station[station.id],
        )
        rows.append(row)
        for bucket in (summary, site_row):
            if bucket is None:
                continue
            bucket.stations += 1
            bucket.online += int(station.connected)
            bucket.active_sessions += row.active_sessions
            bucket.counts.add(row.connectors)
    alerts = [active_fault_alert(fault) for fault in faults]
    alerts += fault_alerts(rows, {(f.station_id, f.evse_id) for f in faults})
    alerts += [event_alert(event) for event in events]
    alerts.sort(key=lambda alert: alert.at.timestamp() if alert.at else 0.0, reverse=True)
    return Overview(summary, list(site_rows.values()), rows, alerts, open_tickets)


def active_fault_alert(fault: FaultSummary) -> Alert:
    port = f" (EVSE {fault.evse_id})" if fault.evse_id else ""
    title = fault.kind.replace("_", " ").capitalize() + port
    return Alert(fault.last_seen, fault.station_id, title, fault.explanation, Tone.BAD)


def fault_alerts(
    rows: Iterable[StationRow], known: Collection[tuple[str, int | None]] = ()
) -> list[Alert]:
    """Connectors the station reports out of order that reliability has no fault for yet."""
    return [
        Alert(
            view.connector.status_at,
            view.station.id,
            f"Connector {view.evse.evse_id}/{view.connector.connector_id} out of order",
            view.connector.error_code or view.connector.status_detail or "Faulted",
            Tone.BAD,
        )
        for row in rows
        for view in row.connectors
        if view.status is OUT_OF_ORDER and (view.station.id, view.evse.evse_id) not in known
    ]


def event_alert(event: StationEvent) -> Alert:
    data = event.data
    match event.kind:
        case StationEventKind.SECURITY:
            title, detail = "Security event", f"{data.get('type', '')} {data.get('techInfo', '')}"
        case StationEventKind.ORPHAN_STOP:
            title = "Stop for an unknown transaction"
            detail = f"station transaction {data.get('station_tx_id', '?')}: reconcile by hand"
        case StationEventKind.CLOCK_DRIFT:
            title, detail = "Station clock drift", f"{data.get('drift_s', '?')} s off"
        case StationEventKind.TRANSACTION_RECONCILED:
            title = "Transaction closed by Forecourt"
            detail = f"transaction {data.get('transaction_id', '?')}: {data.get('why', '')}"
        case StationEventKind.REGISTER_RESET:
            title = "Meter register reset"
            detail = f"during transaction {data.get('transaction_id', '?')}"
        case StationEventKind.METER_ANOMALY:
            title = "Implausible meter reading ignored"
            detail = (
                f"{data.get('count', '?')} reading(s), transaction {data.get('transaction_id')}"
            )
        case _:
            title, detail = event.kind.value.replace("_", " ").capitalize(), ""
    return Alert(event.at, event.station_id, title, detail.strip(), Tone.BAD)
