"""Uptime (NEVI), outages and exclusions, session KPIs and the regulatory quarterly export.

Reports read the persisted port timelines and transactions; they are queries, so unlike the
detectors they may scan a period. Months follow each site's own time zone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from forecourt.domain.errors import Conflict, InvalidInput, NotFound
from forecourt.domain.stations import Station
from forecourt.ports.repositories import UnitOfWork
from forecourt.reliability.domain import cec, evchart, nevi
from forecourt.reliability.domain.cec import CecUptime, HourlyPort
from forecourt.reliability.domain.export import (
    SessionRecord,
    evchart_session_row,
    outage_row,
    uptime_row,
)
from forecourt.reliability.domain.kpis import (
    Dimension,
    InteropCell,
    KpiRow,
    KpiSession,
    interop_matrix,
    kpis,
)
from forecourt.reliability.domain.model import Exclusion, PortInterval, PortRef
from forecourt.reliability.domain.nevi import MonthlyUptime, Outage
from forecourt.reliability.domain.sessions import (
    SessionEnd,
    SessionOutcome,
    classify,
    fault_followed,
)
from forecourt.reliability.domain.thresholds import Thresholds
from forecourt.reliability.domain.tickets import Ticket
from forecourt.reliability.domain.vehicles import identify
from forecourt.reliability.ports import RELIABILITY_STORE
from forecourt.reliability.services.config import ReliabilityConfig
from forecourt.reliability.services.vehicles import (
    DriverCarsLookup,
    no_driver_cars,
    rules_with_driver_cars,
)
from forecourt.services.context import ServiceContext

_TZ_SLACK = timedelta(days=1)  # fetch a day more on each side: local months shift by hours


@dataclass(frozen=True, slots=True)
class Scope:
    """The stations a report covers, with the time zone of each one's site."""

    stations: dict[str, Station]
    zones: dict[str, tzinfo]

    @property
    def ids(self) -> list[str]:
        return sorted(self.stations)

    def ports(self, intervals: Sequence[PortInterval]) -> list[PortRef]:
        known = {PortRef(s.id, e.evse_id) for s in self.stations.values() for e in s.evses}
        seen = {i.port for i in intervals if i.port.station_id in self.stations}
        return sorted(known | seen)


@dataclass(frozen=True, slots=True)
class NeviQuarter:
    year: int
    quarter: int
    generated_at: datetime
    uptime: list[MonthlyUptime]
    outages: list[Outage]
    sessions: list[tuple[SessionRecord, SessionOutcome]]
    warnings: list[evchart.Problem] = field(default_factory=list)  # what a person should check

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.quarter}"


class ReliabilityReports:
    def __init__(
        self,
        ctx: ServiceContext,
        config: ReliabilityConfig,
        driver_cars: DriverCarsLookup = no_driver_cars,
    ) -> None:
        self._ctx = ctx
        self._config = config
        self._driver_cars = driver_cars

    # -- uptime ----------------------------------------------------------------------------------
    async def uptime(
        self, year: int, month: int, *, station_id: str | None = None, site_id: str | None = None
    ) -> list[MonthlyUptime]:
        _check_month(year, month)
        async with self._ctx.uow() as uow:
            scope = await _scope(uow, station_id, site_id)
            start, end = nevi.trailing_window(year, month)
            intervals, exclusions = await _timelines(uow, scope, start, end)
        return _monthly(scope, intervals, exclusions, [(year, month)], self._ctx.clock.now())

    async def outages(
        self, since: datetime, until: datetime, *, station_id: str | None = None
    ) -> list[Outage]:
        async with self._ctx.uow() as uow:
            scope = await _scope(uow, station_id, None)
            intervals, exclusions = await _timelines(uow, scope, since, until)
        return _outages(scope, intervals, exclusions, (since, until), self._ctx.clock.now())

    async def nevi_quarter(
        self, quarter: str, *, station_id: str | None = None, site_id: str | None = None
    ) -> NeviQuarter:
        try:
            year, number = nevi.parse_quarter(quarter)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc
        months = nevi.quarter_months(year, number)
        window = nevi.quarter_window(year, number)
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            scope = await _scope(uow, station_id, site_id)
            start = nevi.trailing_window(*months[0])[0]
            intervals, exclusions = await _timelines(uow, scope, start, window[1])
            records = await uow.repository(RELIABILITY_STORE).sessions.ended_sessions(
                window[0] - _TZ_SLACK, window[1] + _TZ_SLACK, scope.ids
            )
        limits = self._config.current.defaults
        in_quarter = [r for r in records if _in_local_window(r, scope, year, number)]
        report = NeviQuarter(
            year,
            number,
            now,
            _monthly(scope, intervals, exclusions, months, now),
            _outages(scope, intervals, exclusions, window, now),
            _classified(in_quarter, _by_port(intervals), limits),
        )
        problems = _validate(report, scope)
        if any(p.error for p in problems):
            raise Conflict(evchart.refusal(problems))
        report.warnings.extend(problems)
        return report

    async def cec_half(
        self, half: str, *, station_id: str | None = None, site_id: str | None = None
    ) -> list[tuple[CecUptime, tzinfo]]:
        """CEC uptime of every port for one half-year (``2026H1``), with each site's zone."""
        try:
            year, number = cec.parse_half(half)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            scope = await _scope(uow, station_id, site_id)
            start = cec.year_window(year)[0]  # maintenance budget: from 1 January
            intervals, exclusions = await _timelines(uow, scope, start, cec.year_window(year)[1])
        by_port = _by_port(intervals)
        rows = []
        for port in scope.ports(intervals):
            zone = scope.zones.get(port.station_id, UTC)
            mine = by_port.get(port, [])
            row = cec.cec_uptime(port, mine, exclusions, year, number, now, zone)
            rows.append((row, zone))
        return rows

    async def cec_hourly(
        self, day: str, *, station_id: str | None = None, site_id: str | None = None
    ) -> list[HourlyPort]:
        """Per port and local hour of ``day`` (``2026-07-03``): observed, down, excluded."""
        try:
            when = date.fromisoformat(day.strip())
        except ValueError as exc:
            raise InvalidInput(f"a day looks like 2026-07-03, not {day!r}") from exc
        if not 2000 <= when.year <= 2200:
            raise InvalidInput(f"no such day {day!r}")
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            scope = await _scope(uow, station_id, site_id)
            start = cec.year_window(when.year)[0]  # maintenance budget: from 1 January
            end = datetime(when.year, when.month, when.day, tzinfo=UTC) + timedelta(days=1)
            intervals, exclusions = await _timelines(uow, scope, start, end)
        by_port = _by_port(intervals)
        rows: list[HourlyPort] = []
        for port in scope.ports(intervals):
            zone = scope.zones.get(port.station_id, UTC)
            rows += cec.hourly(port, by_port.get(port, []), exclusions, when, now, zone)
        return rows

    async def impact_minutes(self, ticket: Ticket) -> Decimal:
        """Non-excluded outage minutes on the ticket's ports since it opened."""
        end = ticket.verified_at or self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            scope = await _scope(uow, ticket.station_id, None)
            intervals, exclusions = await _timelines(uow, scope, ticket.opened_at, end)
        window = (ticket.opened_at, end)
        total = Decimal(0)
        by_port = _by_port(intervals)
        for port in scope.ports(intervals):
            if 0 not in ticket.ports and port.evse_id not in ticket.ports:
                continue
            mine = by_port.get(port, [])
            totals = nevi.outage_totals(port, mine, exclusions, window, self._ctx.clock.now())
            total += totals.t_outage - totals.t_excluded
        return total

    # -- exclusions (operator classification of outage causes) -------------------------------------
    async def classify(self, exclusion: Exclusion) -> Exclusion:
        if exclusion.end <= exclusion.start:
            raise InvalidInput("an exclusion must end after it starts")
        if (
            exclusion.cause.value == "outside_hours"
            and not exclusion.note
            and not exclusion.evidence
        ):
            raise InvalidInput("say which hours of operation apply (note or evidence)")
        exclusion.created_at = exclusion.created_at or self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            if await uow.stations.get(exclusion.station_id) is None:
                raise NotFound("station", exclusion.station_id)
            exclusion = await uow.repository(RELIABILITY_STORE).exclusions.add(exclusion)
            await uow.commit()
        return exclusion

    async def exclusions(
        self,
        station_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[Exclusion]:
        async with self._ctx.uow() as uow:
            return await uow.repository(RELIABILITY_STORE).exclusions.list(station_id, since, until)

    async def delete_exclusion(self, exclusion_id: int) -> None:
        async with self._ctx.uow() as uow:
            if not await uow.repository(RELIABILITY_STORE).exclusions.delete(exclusion_id):
                raise NotFound("exclusion", exclusion_id)
            await uow.commit()

    # -- KPIs ------------------------------------------------------------------------------------
    async def kpis(
        self,
        dimension: Dimension,
        since: datetime,
        until: datetime,
        *,
        station_id: str | None = None,
        site_id: str | None = None,
    ) -> list[KpiRow]:
        sessions = await self._kpi_sessions(since, until, station_id, site_id)
        return kpis(sessions, dimension, self._config.current.defaults)

    async def interop(
        self,
        since: datetime,
        until: datetime,
        *,
        site_id: str | None = None,
        stations: Collection[str] | None = None,
    ) -> list[InteropCell]:
        """Vehicle × station model/firmware; ``stations``: only these (what a user may see)."""
        sessions = await self._kpi_sessions(since, until, None, site_id)
        if stations is not None:
            sessions = [s for s in sessions if s.session.port.station_id in stations]
        return interop_matrix(sessions, self._config.current.defaults)

    async def _kpi_sessions(
        self, since: datetime, until: datetime, station_id: str | None, site_id: str | None
    ) -> list[KpiSession]:
        if until <= since:
            raise InvalidInput("'until' must be after 'since'")
        limits = self._config.current.defaults
        async with self._ctx.uow() as uow:
            scope = await _scope(uow, station_id, site_id)
            store = uow.repository(RELIABILITY_STORE)
            records = await store.sessions.ended_sessions(since, until, scope.ids)
            stored = await store.vehicles.all()
            after = timedelta(seconds=limits.fault_after_s)
            down = await store.intervals.overlapping(
                since, until + after, scope.ids, down_only=True
            )
        ends = _session_ends(records, _by_port(down), limits)
        tokens = {record.id_token for record in records if record.id_token}
        rules = await rules_with_driver_cars(stored, tokens, self._driver_cars)
        out = []
        for record, end in zip(records, ends, strict=True):
            station = scope.stations[record.station_id]
            found = identify(record.id_token, record.vehicle, rules)
            vehicle = found.vehicle if found else None
            out.append(
                KpiSession(
                    replace(end, vehicle=vehicle),
                    station.site_id,
                    station.vendor,
                    station.model,
                    station.firmware_version,
                    found.source.value if found else "",
                    found.confidence if found else 0.0,
                )
            )
        return out


# -- helpers ---------------------------------------------------------------------------------------
async def _scope(uow: UnitOfWork, station_id: str | None, site_id: str | None) -> Scope:
    if station_id is not None:
        station = await uow.stations.get(station_id)
        if station is None:
            raise NotFound("station", station_id)
        stations = [station]
    else:
        if site_id is not None and await uow.sites.get(site_id) is None:
            raise NotFound("site", site_id)
        stations = await uow.stations.list(site_id)
    sites = {site.id: site for site in await uow.sites.list()}
    zones = {
        s.id: _zone(sites[s.site_id].timezone if s.site_id in sites else "UTC") for s in stations
    }
    return Scope({s.id: s for s in stations}, zones)


async def _timelines(
    uow: UnitOfWork, scope: Scope, start: datetime, end: datetime
) -> tuple[list[PortInterval], list[Exclusion]]:
    """Down intervals, plus one "coverage" interval per port from when its timeline began.

    A timeline has no gaps (each change closes one interval and opens the next), so up-time
    needs no rows of its own: observed = coverage, down = the down intervals. Half the rows.
    """
    lo, hi = start - _TZ_SLACK, end + _TZ_SLACK
    repo = uow.repository(RELIABILITY_STORE).intervals
    down = await repo.overlapping(lo, hi, scope.ids, down_only=True)
    coverage = [
        PortInterval(port, first, None)
        for port, first in (await repo.first_seen(scope.ids)).items()
    ]
    exclusions = await uow.repository(RELIABILITY_STORE).exclusions.list(None, lo, hi, scope.ids)
    return coverage + down, exclusions


def _monthly(
    scope: Scope,
    intervals: list[PortInterval],
    exclusions: list[Exclusion],
    months: Sequence[tuple[int, int]],
    now: datetime,
) -> list[MonthlyUptime]:
    by_port = _by_port(intervals)
    by_station: dict[str, list[Exclusion]] = defaultdict(list)
    for exclusion in exclusions:
        by_station[exclusion.station_id].append(exclusion)
    rows = []
    for port in scope.ports(intervals):
        zone = scope.zones.get(port.station_id, UTC)
        mine, excluded = by_port.get(port, []), by_station.get(port.station_id, [])
        for year, month in months:
            rows.append(nevi.monthly_uptime(port, mine, excluded, year, month, now, zone))
    return rows


def _outages(
    scope: Scope,
    intervals: list[PortInterval],
    exclusions: list[Exclusion],
    window: tuple[datetime, datetime],
    now: datetime,
) -> list[Outage]:
    by_port = _by_port(intervals)
    found: list[Outage] = []
    for port in scope.ports(intervals):
        theirs = [e for e in exclusions if e.covers(port)]
        found += nevi.outages(port, by_port.get(port, []), theirs, window, now)
    return found


def _by_port(intervals: Sequence[PortInterval]) -> dict[PortRef, list[PortInterval]]:
    by_port: dict[PortRef, list[PortInterval]] = defaultdict(list)
    for interval in intervals:
        by_port[interval.port].append(interval)
    return by_port


def _classified(
    records: Sequence[SessionRecord],
    by_port: dict[PortRef, list[PortInterval]],
    limits: Thresholds,
) -> list[tuple[SessionRecord, SessionOutcome]]:
    ends = _session_ends(records, by_port, limits)
    return [(r, classify(end, limits)) for r, end in zip(records, ends, strict=True)]


def _session_ends(
    records: Sequence[SessionRecord],
    by_port: dict[PortRef, list[PortInterval]],
    limits: Thresholds,
) -> list[SessionEnd]:
    """The sessions as the KPIs see them, each with whether its port's next state was Faulted
    (before the port's next session began)."""
    starts: dict[PortRef, list[datetime]] = defaultdict(list)
    for r in records:
        starts[PortRef(r.station_id, r.evse_id)].append(r.started_at)
    out = []
    for r in records:
        port = PortRef(r.station_id, r.evse_id)
        stopped = r.stopped_at or r.started_at
        later = [at for at in starts[port] if at >= stopped and at > r.started_at]
        out.append(_session_end(r, by_port.get(port, []), limits, min(later, default=None)))
    return out


def _session_end(
    record: SessionRecord,
    intervals: Sequence[PortInterval],
    limits: Thresholds,
    next_start: datetime | None,
) -> SessionEnd:
    port = PortRef(record.station_id, record.evse_id)
    stopped = record.stopped_at or record.started_at
    return SessionEnd(
        port=port,
        connector_id=record.connector_id,
        transaction_id=record.transaction_id,
        started_at=record.started_at,
        stopped_at=stopped,
        energy_wh=record.energy_wh,
        peak_power_w=record.peak_power_w,
        stop_reason=record.stop_reason,
        auth_accepted=record.auth_accepted,
        id_token=record.id_token,
        payment_method=record.payment_method,
        faulted_after=fault_followed(stopped, intervals, limits, next_start),
    )


def _validate(report: NeviQuarter, scope: Scope) -> list[evchart.Problem]:
    """Every file of the export, checked before any is written (domain/evchart.py)."""
    rows = [evchart_session_row(r, o) for r, o in report.sessions]
    windows = [
        nevi.quarter_window(report.year, report.quarter, scope.zones.get(r.station_id, UTC))
        for r, _ in report.sessions
    ]
    return [
        *evchart.check_sessions(rows, windows),
        *evchart.check_uptime(uptime_row(u) for u in report.uptime),
        *evchart.check_outages(outage_row(o) for o in report.outages),
    ]


def _in_local_window(record: SessionRecord, scope: Scope, year: int, quarter: int) -> bool:
    start, end = nevi.quarter_window(year, quarter, scope.zones.get(record.station_id, UTC))
    return start <= record.started_at < end


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _check_month(year: int, month: int) -> None:
    if not 1 <= month <= 12 or not 2000 <= year <= 2200:
        raise InvalidInput(f"no such month {year}-{month}")
