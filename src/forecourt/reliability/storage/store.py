"""Reliability repositories, part two: alert routes and outbox, configuration, report queries;
and the ``SqlReliabilityRepository`` bundle, ``uow.repository(RELIABILITY_STORE)``."""

from __future__ import annotations

import builtins
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, func, or_, select, update

from forecourt.domain.errors import NotFound
from forecourt.reliability.domain.alerts import Alert, AlertRoute, AlertState
from forecourt.reliability.domain.export import SessionRecord
from forecourt.reliability.ports import (
    AlertRepository,
    BaselineRepository,
    ExclusionRepository,
    FaultRepository,
    PortIntervalRepository,
    ReliabilityConfigRepository,
    SessionReportRepository,
    TicketRepository,
    VehicleRuleRepository,
)
from forecourt.reliability.storage.baselines import SqlBaselineRepository
from forecourt.reliability.storage.repositories import (
    SqlExclusionRepository,
    SqlFaultRepository,
    SqlPortIntervalRepository,
    SqlTicketRepository,
)
from forecourt.reliability.storage.tables import (
    reliability_alert_routes as routes_t,
)
from forecourt.reliability.storage.tables import (
    reliability_alerts as alerts_t,
)
from forecourt.reliability.storage.tables import (
    reliability_config as config_t,
)
from forecourt.reliability.storage.vehicles import SqlVehicleRuleRepository
from forecourt.storage.context import DbContext
from forecourt.storage.tables import meter_samples, status_history, transactions

_ROUTE_FIELDS = ("name", "channel", "target", "site_id", "min_severity", "secret", "enabled")
_ALERT_FIELDS = (
    "route_id",
    "group_key",
    "items",
    "state",
    "created_at",
    "send_after",
    "attempts",
    "next_attempt_at",
    "sent_at",
    "error",
)


class SqlAlertRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def add_route(self, route: AlertRoute) -> AlertRoute:
        values = {name: getattr(route, name) for name in _ROUTE_FIELDS}
        statement = routes_t.insert().values(values).returning(routes_t.c.id)
        route.id = int((await self._db.execute(statement)).scalar_one())
        return route

    async def routes(self) -> builtins.list[AlertRoute]:
        rows = await self._db.execute(select(routes_t).order_by(routes_t.c.id))
        return [
            AlertRoute(id=row.id, **{n: getattr(row, n) for n in _ROUTE_FIELDS}) for row in rows
        ]

    async def delete_route(self, route_id: int) -> bool:
        statement = routes_t.delete().where(routes_t.c.id == route_id)
        return bool((await self._db.execute(statement)).rowcount)

    async def add(self, alert: Alert) -> Alert:
        statement = alerts_t.insert().values(_alert_values(alert)).returning(alerts_t.c.id)
        alert.id = int((await self._db.execute(statement)).scalar_one())
        return alert

    async def save(self, alert: Alert) -> None:
        statement = update(alerts_t).where(alerts_t.c.id == alert.id)
        if (await self._db.execute(statement.values(_alert_values(alert)))).rowcount == 0:
            raise NotFound("alert", alert.id)

    async def pending_group(self, group_key: str, now: datetime) -> Alert | None:
        query = (
            select(alerts_t)
            .where(
                alerts_t.c.group_key == group_key,
                alerts_t.c.state == AlertState.PENDING,
                alerts_t.c.attempts == 0,
                alerts_t.c.send_after > now,
            )
            .order_by(alerts_t.c.id.desc())
            .limit(1)
        )
        row = (await self._db.execute(query)).first()
        return None if row is None else _alert(row)

    async def due(self, now: datetime, limit: int = 50) -> builtins.list[Alert]:
        ready = or_(alerts_t.c.next_attempt_at.is_(None), alerts_t.c.next_attempt_at <= now)
        query = (
            select(alerts_t)
            .where(alerts_t.c.state == AlertState.PENDING, alerts_t.c.send_after <= now, ready)
            .order_by(alerts_t.c.id)
            .limit(limit)
        )
        return [_alert(row) for row in await self._db.execute(query)]

    async def list(self, limit: int = 100) -> builtins.list[Alert]:
        query = select(alerts_t).order_by(alerts_t.c.id.desc()).limit(limit)
        return [_alert(row) for row in await self._db.execute(query)]


def _alert_values(alert: Alert) -> dict[str, Any]:
    values = {name: getattr(alert, name) for name in _ALERT_FIELDS}
    values["items"] = list(alert.items)
    return values


def _alert(row: Row[Any]) -> Alert:
    return Alert(id=row.id, **{name: getattr(row, name) for name in _ALERT_FIELDS})


class SqlReliabilityConfigRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def get(self, key: str) -> dict[str, Any] | None:
        query = select(config_t.c.value).where(config_t.c.key == key)
        value = (await self._db.execute(query)).scalar_one_or_none()
        return None if value is None else dict(value)

    async def put(self, key: str, value: dict[str, Any], at: datetime) -> None:
        insert = self._db.insert(config_t).values(key=key, value=value, updated_at=at)
        upsert = insert.on_conflict_do_update(
            index_elements=[config_t.c.key], set_={"value": value, "updated_at": at}
        )
        await self._db.execute(upsert)

    async def with_prefix(self, prefix: str) -> dict[str, dict[str, Any]]:
        query = select(config_t).where(config_t.c.key.startswith(prefix, autoescape=True))
        return {row.key: dict(row.value) for row in await self._db.execute(query)}


class SqlSessionReportRepository:
    """Read-only queries over the core tables for regulatory reports and KPIs."""

    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def ended_sessions(
        self, start: datetime, end: datetime, station_ids: Sequence[str] | None = None
    ) -> builtins.list[SessionRecord]:
        window = and_(
            transactions.c.state == "ended",
            transactions.c.started_at >= start,
            transactions.c.started_at < end,
        )
        if station_ids is not None:
            window = and_(window, transactions.c.station_id.in_(list(station_ids)))
        query = select(transactions).where(window).order_by(transactions.c.started_at)
        rows = list(await self._db.execute(query))
        socs = await self._soc_bounds(window)
        codes = await self._error_codes(rows, start, end)
        return [_session(row, socs.get(row.id, (None, None)), codes) for row in rows]

    async def _soc_bounds(self, window: Any) -> dict[int, tuple[float | None, float | None]]:
        in_window = select(transactions.c.id).where(window)
        is_soc = and_(
            meter_samples.c.measurand == "soc", meter_samples.c.transaction_id.in_(in_window)
        )
        bounds = (
            select(
                meter_samples.c.transaction_id,
                func.min(meter_samples.c.timestamp).label("first"),
                func.max(meter_samples.c.timestamp).label("last"),
            )
            .where(is_soc)
            .group_by(meter_samples.c.transaction_id)
            .subquery()
        )
        query = (
            select(meter_samples.c.transaction_id, meter_samples.c.timestamp, meter_samples.c.value)
            .join(
                bounds,
                and_(
                    meter_samples.c.transaction_id == bounds.c.transaction_id,
                    or_(
                        meter_samples.c.timestamp == bounds.c.first,
                        meter_samples.c.timestamp == bounds.c.last,
                    ),
                ),
            )
            .where(meter_samples.c.measurand == "soc", meter_samples.c.phase == "")
        )
        found: dict[int, dict[datetime, float]] = defaultdict(dict)
        for row in await self._db.execute(query):
            found[row.transaction_id][row.timestamp] = row.value
        return {tx: (values[min(values)], values[max(values)]) for tx, values in found.items()}

    async def _error_codes(
        self, rows: Sequence[Row[Any]], start: datetime, end: datetime
    ) -> dict[tuple[str, int], list[tuple[datetime, str]]]:
        stations = sorted({row.station_id for row in rows})
        if not stations:
            return {}
        last_stop = max((row.stopped_at or end for row in rows), default=end)
        query = select(
            status_history.c.station_id,
            status_history.c.evse_id,
            status_history.c.timestamp,
            status_history.c.error_code,
        ).where(
            status_history.c.station_id.in_(stations),
            status_history.c.error_code != "",
            status_history.c.timestamp >= start,
            status_history.c.timestamp <= last_stop,
        )
        codes: dict[tuple[str, int], list[tuple[datetime, str]]] = defaultdict(list)
        for row in await self._db.execute(query):
            codes[(row.station_id, row.evse_id)].append((row.timestamp, row.error_code))
        return codes


def _session(
    row: Row[Any],
    soc: tuple[float | None, float | None],
    codes: dict[tuple[str, int], list[tuple[datetime, str]]],
) -> SessionRecord:
    stop = row.stopped_at or row.started_at
    during = [
        code
        for key in ((row.station_id, row.evse_id), (row.station_id, 0))
        for at, code in codes.get(key, [])
        if row.started_at <= at <= stop
    ]
    return SessionRecord(
        transaction_id=row.id,
        station_id=row.station_id,
        evse_id=row.evse_id,
        connector_id=row.connector_id,
        started_at=row.started_at,
        stopped_at=row.stopped_at,
        energy_wh=row.energy_wh,
        peak_power_w=row.peak_power_w,
        stop_reason=row.stop_reason.value if row.stop_reason else None,
        payment_method=row.payment_method.value if row.payment_method else None,
        id_token=row.id_token,
        auth_accepted=row.auth_status.value == "accepted",
        start_soc=soc[0],
        end_soc=soc[1],
        error_codes=tuple(dict.fromkeys(during)),
        vehicle=(row.details or {}).get("vehicle"),
    )


class SqlReliabilityRepository:
    """``uow.repository(RELIABILITY_STORE)``: every reliability repository, on the unit of
    work's connection."""

    def __init__(self, db: DbContext) -> None:
        self.intervals: PortIntervalRepository = SqlPortIntervalRepository(db)
        self.exclusions: ExclusionRepository = SqlExclusionRepository(db)
        self.faults: FaultRepository = SqlFaultRepository(db)
        self.tickets: TicketRepository = SqlTicketRepository(db)
        self.alerts: AlertRepository = SqlAlertRepository(db)
        self.config: ReliabilityConfigRepository = SqlReliabilityConfigRepository(db)
        self.sessions: SessionReportRepository = SqlSessionReportRepository(db)
        self.baselines: BaselineRepository = SqlBaselineRepository(db)
        self.vehicles: VehicleRuleRepository = SqlVehicleRuleRepository(db)
