"""Ports of the reliability feature: its repositories (one bundle, ``uow.repository(
RELIABILITY_STORE)``). Alerts go out through the core's ``forecourt.ports.delivery``."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from forecourt.ports.keys import Key
from forecourt.reliability.domain.alerts import Alert, AlertRoute
from forecourt.reliability.domain.baselines import StationBaseline
from forecourt.reliability.domain.export import SessionRecord
from forecourt.reliability.domain.model import (
    Exclusion,
    Fault,
    FaultKind,
    PortInterval,
    PortRef,
    Severity,
)
from forecourt.reliability.domain.tickets import Ticket, TicketEvent, TicketState
from forecourt.reliability.domain.timeline import Transition
from forecourt.reliability.domain.vehicles import VehicleRule, VehicleSource


@dataclass(frozen=True, slots=True)
class TicketFilter:
    station_id: str | None = None
    site_id: str | None = None
    states: tuple[TicketState, ...] = ()
    severity: Severity | None = None
    kind: FaultKind | None = None
    since: datetime | None = None  # opened at or after
    limit: int = 100
    offset: int = 0


class PortIntervalRepository(Protocol):
    async def apply(self, transitions: Sequence[Transition]) -> None: ...
    # ^ per transition: close the port's open interval at ``at`` and open one with the new
    #   conditions (an open interval starting exactly at ``at`` is rewritten instead)
    async def open_intervals(self) -> builtins.list[PortInterval]: ...
    async def overlapping(
        self,
        start: datetime,
        end: datetime,
        station_ids: Sequence[str] | None = None,
        *,
        down_only: bool = False,
    ) -> builtins.list[PortInterval]: ...  # intervals touching [start, end), by port and time
    async def first_seen(
        self, station_ids: Sequence[str] | None = None
    ) -> dict[PortRef, datetime]: ...  # when each port's timeline began


class ExclusionRepository(Protocol):
    async def add(self, exclusion: Exclusion) -> Exclusion: ...  # assigns id
    async def get(self, exclusion_id: int) -> Exclusion | None: ...
    async def delete(self, exclusion_id: int) -> bool: ...
    async def list(
        self,
        station_id: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        station_ids: Sequence[str] | None = None,
    ) -> builtins.list[Exclusion]: ...  # overlapping [start, end) when given


class FaultRepository(Protocol):
    async def add(self, fault: Fault) -> Fault: ...  # assigns id
    async def save(self, fault: Fault) -> None: ...
    async def latest(
        self, station_id: str, kind: FaultKind, evse_id: int | None
    ) -> Fault | None: ...
    async def for_ticket(self, ticket_id: int) -> builtins.list[Fault]: ...
    async def list(
        self,
        station_id: str | None = None,
        active: bool | None = None,
        kind: FaultKind | None = None,
        limit: int = 100,
    ) -> builtins.list[Fault]: ...  # newest first


class TicketRepository(Protocol):
    async def add(self, ticket: Ticket) -> Ticket: ...  # assigns id
    async def save(self, ticket: Ticket) -> None: ...
    async def get(self, ticket_id: int) -> Ticket | None: ...
    async def latest_for_station(self, station_id: str) -> Ticket | None: ...
    # ^ the newest ticket of the station that is not verified (None if all are)
    async def list(self, flt: TicketFilter) -> builtins.list[Ticket]: ...  # newest first
    async def count(self, flt: TicketFilter) -> int: ...
    async def add_event(self, event: TicketEvent) -> int: ...
    async def events(self, ticket_id: int) -> builtins.list[TicketEvent]: ...  # oldest first


class AlertRepository(Protocol):
    async def add_route(self, route: AlertRoute) -> AlertRoute: ...  # assigns id
    async def routes(self) -> builtins.list[AlertRoute]: ...
    async def delete_route(self, route_id: int) -> bool: ...
    async def add(self, alert: Alert) -> Alert: ...  # assigns id
    async def save(self, alert: Alert) -> None: ...
    async def pending_group(self, group_key: str, now: datetime) -> Alert | None: ...
    # ^ a pending alert of this group still inside its grouping window (send_after > now)
    async def due(self, now: datetime, limit: int = 50) -> builtins.list[Alert]: ...
    async def list(self, limit: int = 100) -> builtins.list[Alert]: ...  # newest first


class ReliabilityConfigRepository(Protocol):
    async def get(self, key: str) -> dict[str, Any] | None: ...
    async def put(self, key: str, value: dict[str, Any], at: datetime) -> None: ...
    async def with_prefix(self, prefix: str) -> dict[str, dict[str, Any]]: ...


class SessionReportRepository(Protocol):
    async def ended_sessions(
        self, start: datetime, end: datetime, station_ids: Sequence[str] | None = None
    ) -> builtins.list[SessionRecord]: ...

    # ^ ended transactions started in [start, end), with start/end SoC and the error codes
    #   the station reported on that EVSE during each session


class BaselineRepository(Protocol):
    async def all(self) -> builtins.list[StationBaseline]: ...
    async def save(self, baselines: Sequence[StationBaseline], at: datetime) -> None: ...


class VehicleRuleRepository(Protocol):
    async def all(self) -> builtins.list[VehicleRule]: ...
    async def put(self, rule: VehicleRule, at: datetime) -> None: ...
    async def remove(self, kind: VehicleSource, key: str) -> bool: ...  # False: none such


class ReliabilityRepository(Protocol):
    """Everything the reliability feature stores, as one attribute of the unit of work."""

    intervals: PortIntervalRepository
    exclusions: ExclusionRepository
    faults: FaultRepository
    tickets: TicketRepository
    alerts: AlertRepository
    config: ReliabilityConfigRepository
    sessions: SessionReportRepository
    baselines: BaselineRepository
    vehicles: VehicleRuleRepository


#: Its repositories in the unit of work (``Feature.repositories``).
RELIABILITY_STORE: Key[ReliabilityRepository] = Key("reliability.store")
