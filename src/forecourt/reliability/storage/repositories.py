"""Reliability repositories: port timelines, exclusions, faults and tickets (alerts, config
and report queries live in ``store``). Bundled as ``uow.repository(RELIABILITY_STORE)``."""

from __future__ import annotations

import builtins
import functools
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, Text, and_, cast, func, or_, select, update

from forecourt.domain.errors import NotFound
from forecourt.reliability.domain.model import (
    Condition,
    Exclusion,
    Fault,
    FaultKind,
    PortInterval,
    PortRef,
)
from forecourt.reliability.domain.tickets import Ticket, TicketEvent
from forecourt.reliability.domain.timeline import Transition
from forecourt.reliability.ports import TicketFilter
from forecourt.reliability.storage.tables import (
    reliability_exclusions as exclusions_t,
)
from forecourt.reliability.storage.tables import (
    reliability_faults as faults_t,
)
from forecourt.reliability.storage.tables import (
    reliability_intervals as intervals_t,
)
from forecourt.reliability.storage.tables import (
    reliability_ticket_events as ticket_events_t,
)
from forecourt.reliability.storage.tables import (
    reliability_tickets as tickets_t,
)
from forecourt.storage.context import DbContext


def conditions_text(conditions: frozenset[Condition]) -> str:
    return ",".join(sorted(conditions))


@functools.lru_cache(maxsize=256)
def conditions_of(text: str) -> frozenset[Condition]:
    """Cached: a handful of distinct values over millions of rows (uptime of whole networks)."""
    return frozenset(Condition(part) for part in text.split(",") if part)


@functools.lru_cache(maxsize=200_000)
def _port(station_id: str, evse_id: int) -> PortRef:
    return PortRef(station_id, evse_id)


class SqlPortIntervalRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def apply(self, transitions: Sequence[Transition]) -> None:
        for transition in transitions:
            await self._apply_one(transition)

    async def _apply_one(self, transition: Transition) -> None:
        port, at = transition.port, transition.at
        is_open = and_(
            intervals_t.c.station_id == port.station_id,
            intervals_t.c.evse_id == port.evse_id,
            intervals_t.c.end_at.is_(None),
        )
        text = conditions_text(transition.conditions)
        # An interval opened at this very instant just gets the new conditions.
        same_instant = update(intervals_t).where(is_open, intervals_t.c.start_at == at)
        if (await self._db.execute(same_instant.values(conditions=text))).rowcount:
            return
        await self._db.execute(update(intervals_t).where(is_open).values(end_at=at))
        values = {
            "station_id": port.station_id,
            "evse_id": port.evse_id,
            "start_at": at,
            "end_at": None,
            "conditions": text,
        }
        await self._db.execute(intervals_t.insert().values(values))

    async def open_intervals(self) -> builtins.list[PortInterval]:
        query = select(intervals_t).where(intervals_t.c.end_at.is_(None))
        return [_interval(row) for row in await self._db.execute(query)]

    async def overlapping(
        self,
        start: datetime,
        end: datetime,
        station_ids: Sequence[str] | None = None,
        *,
        down_only: bool = False,
    ) -> builtins.list[PortInterval]:
        condition = and_(
            intervals_t.c.start_at < end,
            or_(intervals_t.c.end_at.is_(None), intervals_t.c.end_at > start),
        )
        query = select(intervals_t).where(condition)
        if down_only:
            query = query.where(intervals_t.c.conditions != "")
        if station_ids is not None:
            query = query.where(intervals_t.c.station_id.in_(list(station_ids)))
        order = (intervals_t.c.station_id, intervals_t.c.evse_id, intervals_t.c.start_at)
        return [_interval(row) for row in await self._db.execute(query.order_by(*order))]

    async def first_seen(self, station_ids: Sequence[str] | None = None) -> dict[PortRef, datetime]:
        query = select(
            intervals_t.c.station_id, intervals_t.c.evse_id, func.min(intervals_t.c.start_at)
        ).group_by(intervals_t.c.station_id, intervals_t.c.evse_id)
        if station_ids is not None:
            query = query.where(intervals_t.c.station_id.in_(list(station_ids)))
        rows: Any = await self._db.execute(query)  # (station_id, evse_id, first start)
        return {_port(station, evse): _utc(first) for station, evse, first in rows}


def _utc(value: datetime | str) -> datetime:
    """min() loses the column type on SQLite (text comes back); normalise to aware UTC."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _interval(row: Row[Any]) -> PortInterval:
    return PortInterval(
        _port(row.station_id, row.evse_id),
        row.start_at,
        row.end_at,
        conditions_of(row.conditions),
        row.id,
    )


_EXCLUSION_FIELDS = (
    "station_id",
    "evse_id",
    "cause",
    "evidence",
    "note",
    "created_by",
    "created_at",
)


class SqlExclusionRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def add(self, exclusion: Exclusion) -> Exclusion:
        values = {name: getattr(exclusion, name) for name in _EXCLUSION_FIELDS}
        values.update(start_at=exclusion.start, end_at=exclusion.end)
        values["evidence"] = list(exclusion.evidence)
        statement = exclusions_t.insert().values(values).returning(exclusions_t.c.id)
        exclusion.id = int((await self._db.execute(statement)).scalar_one())
        return exclusion

    async def get(self, exclusion_id: int) -> Exclusion | None:
        query = select(exclusions_t).where(exclusions_t.c.id == exclusion_id)
        row = (await self._db.execute(query)).first()
        return None if row is None else _exclusion(row)

    async def delete(self, exclusion_id: int) -> bool:
        statement = exclusions_t.delete().where(exclusions_t.c.id == exclusion_id)
        return bool((await self._db.execute(statement)).rowcount)

    async def list(
        self,
        station_id: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        station_ids: Sequence[str] | None = None,
    ) -> builtins.list[Exclusion]:
        query = select(exclusions_t).order_by(exclusions_t.c.start_at, exclusions_t.c.id)
        if station_id is not None:
            query = query.where(exclusions_t.c.station_id == station_id)
        if station_ids is not None:
            query = query.where(exclusions_t.c.station_id.in_(list(station_ids)))
        if start is not None:
            query = query.where(exclusions_t.c.end_at > start)
        if end is not None:
            query = query.where(exclusions_t.c.start_at < end)
        return [_exclusion(row) for row in await self._db.execute(query)]


def _exclusion(row: Row[Any]) -> Exclusion:
    values = {name: getattr(row, name) for name in _EXCLUSION_FIELDS}
    return Exclusion(start=row.start_at, end=row.end_at, id=row.id, **values)


_FAULT_FIELDS = (
    "ticket_id",
    "station_id",
    "evse_id",
    "kind",
    "severity",
    "confidence",
    "explanation",
    "evidence",
    "first_seen",
    "last_seen",
    "occurrences",
    "active",
    "cleared_at",
)


class SqlFaultRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def add(self, fault: Fault) -> Fault:
        statement = faults_t.insert().values(_fault_values(fault)).returning(faults_t.c.id)
        fault.id = int((await self._db.execute(statement)).scalar_one())
        return fault

    async def save(self, fault: Fault) -> None:
        statement = update(faults_t).where(faults_t.c.id == fault.id)
        if (await self._db.execute(statement.values(_fault_values(fault)))).rowcount == 0:
            raise NotFound("fault", fault.id)

    async def latest(self, station_id: str, kind: FaultKind, evse_id: int | None) -> Fault | None:
        port = faults_t.c.evse_id.is_(None) if evse_id is None else faults_t.c.evse_id == evse_id
        query = (
            select(faults_t)
            .where(faults_t.c.station_id == station_id, faults_t.c.kind == kind, port)
            .order_by(faults_t.c.id.desc())
            .limit(1)
        )
        row = (await self._db.execute(query)).first()
        return None if row is None else _fault(row)

    async def for_ticket(self, ticket_id: int) -> builtins.list[Fault]:
        query = select(faults_t).where(faults_t.c.ticket_id == ticket_id).order_by(faults_t.c.id)
        return [_fault(row) for row in await self._db.execute(query)]

    async def list(
        self,
        station_id: str | None = None,
        active: bool | None = None,
        kind: FaultKind | None = None,
        limit: int = 100,
    ) -> builtins.list[Fault]:
        query = select(faults_t).order_by(faults_t.c.last_seen.desc(), faults_t.c.id.desc())
        if station_id is not None:
            query = query.where(faults_t.c.station_id == station_id)
        if active is not None:
            query = query.where(faults_t.c.active == active)
        if kind is not None:
            query = query.where(faults_t.c.kind == kind)
        return [_fault(row) for row in await self._db.execute(query.limit(limit))]


def _fault_values(fault: Fault) -> dict[str, Any]:
    values = {name: getattr(fault, name) for name in _FAULT_FIELDS}
    values["evidence"] = dict(fault.evidence)
    return values


def _fault(row: Row[Any]) -> Fault:
    return Fault(id=row.id, **{name: getattr(row, name) for name in _FAULT_FIELDS})


_TICKET_FIELDS = (
    "station_id",
    "site_id",
    "state",
    "severity",
    "title",
    "kinds",
    "ports",
    "opened_at",
    "updated_at",
    "acknowledged_at",
    "started_at",
    "resolved_at",
    "verified_at",
    "ack_due_at",
    "resolve_due_at",
    "assignee",
    "reopened",
    "last_remediation_at",
)


class SqlTicketRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def add(self, ticket: Ticket) -> Ticket:
        statement = tickets_t.insert().values(_ticket_values(ticket)).returning(tickets_t.c.id)
        ticket.id = int((await self._db.execute(statement)).scalar_one())
        return ticket

    async def save(self, ticket: Ticket) -> None:
        statement = update(tickets_t).where(tickets_t.c.id == ticket.id)
        if (await self._db.execute(statement.values(_ticket_values(ticket)))).rowcount == 0:
            raise NotFound("ticket", ticket.id)

    async def get(self, ticket_id: int) -> Ticket | None:
        row = (await self._db.execute(select(tickets_t).where(tickets_t.c.id == ticket_id))).first()
        return None if row is None else _ticket(row)

    async def latest_for_station(self, station_id: str) -> Ticket | None:
        query = (
            select(tickets_t)
            .where(tickets_t.c.station_id == station_id, tickets_t.c.state != "verified")
            .order_by(tickets_t.c.id.desc())
            .limit(1)
        )
        row = (await self._db.execute(query)).first()
        return None if row is None else _ticket(row)

    async def list(self, flt: TicketFilter) -> builtins.list[Ticket]:
        query = _ticket_filter(select(tickets_t), flt).order_by(tickets_t.c.id.desc())
        rows = await self._db.execute(query.limit(flt.limit).offset(flt.offset))
        return [_ticket(row) for row in rows]

    async def count(self, flt: TicketFilter) -> int:
        query = _ticket_filter(select(func.count()).select_from(tickets_t), flt)
        return int((await self._db.execute(query)).scalar_one())

    async def add_event(self, event: TicketEvent) -> int:
        values = {
            "ticket_id": event.ticket_id,
            "at": event.at,
            "actor": event.actor,
            "kind": event.kind,
            "data": dict(event.data),
        }
        statement = ticket_events_t.insert().values(values).returning(ticket_events_t.c.id)
        return int((await self._db.execute(statement)).scalar_one())

    async def events(self, ticket_id: int) -> builtins.list[TicketEvent]:
        query = (
            select(ticket_events_t)
            .where(ticket_events_t.c.ticket_id == ticket_id)
            .order_by(ticket_events_t.c.at, ticket_events_t.c.id)
        )
        return [
            TicketEvent(row.ticket_id, row.at, row.actor, row.kind, row.data, row.id)
            for row in await self._db.execute(query)
        ]


def _ticket_filter(query: Select[Any], flt: TicketFilter) -> Select[Any]:
    conditions: list[ColumnElement[bool]] = []
    if flt.station_id is not None:
        conditions.append(tickets_t.c.station_id == flt.station_id)
    if flt.site_id is not None:
        conditions.append(tickets_t.c.site_id == flt.site_id)
    if flt.states:
        conditions.append(tickets_t.c.state.in_([s.value for s in flt.states]))
    if flt.severity is not None:
        conditions.append(tickets_t.c.severity == flt.severity)
    if flt.since is not None:
        conditions.append(tickets_t.c.opened_at >= flt.since)
    if flt.kind is not None:
        # kinds is a JSON list; a LIKE on its text form works on SQLite and PostgreSQL alike
        kinds_text = cast(tickets_t.c.kinds, Text)
        conditions.append(kinds_text.like(f'%"{flt.kind.value}"%'))
    return query.where(*conditions) if conditions else query


def _ticket_values(ticket: Ticket) -> dict[str, Any]:
    values = {name: getattr(ticket, name) for name in _TICKET_FIELDS}
    values["kinds"], values["ports"] = list(ticket.kinds), list(ticket.ports)
    return values


def _ticket(row: Row[Any]) -> Ticket:
    return Ticket(id=row.id, **{name: getattr(row, name) for name in _TICKET_FIELDS})
