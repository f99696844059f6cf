"""Smart charging's repository protocol and its key in the unit of work."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from forecourt.ports.keys import Key
from forecourt.smart_charging.domain.allocation import EvseRef, Policy, Reason
from forecourt.smart_charging.domain.site import SiteLimit


@dataclass(frozen=True, slots=True)
class ManagedSite:
    limit: SiteLimit
    policy: Policy
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class EvseSettings:
    ref: EvseRef
    min_w: float | None = None  # None: the default (6 A on AC, 0 on DC)
    max_w: float | None = None  # None: the EVSE's rating
    priority: int = 0
    phase: int | None = None  # the site phase a single-phase EVSE or car loads (None: L1)


@dataclass(frozen=True, slots=True)
class Departure:
    """When a session's driver leaves and the energy the car needs by then."""

    ref: EvseRef
    station_tx_id: str
    departure_at: datetime
    energy_wh: float
    at: datetime
    vehicle: str | None = None  # what the driver says the car is (compat estimates with it)
    source: str = "api"  # api | cli | car (NotifyEVChargingNeeds)


@dataclass(frozen=True, slots=True)
class StoredAllocation:
    ref: EvseRef
    site_id: str
    station_tx_id: str | None
    planned_w: float
    accepted_w: float | None
    reason: Reason
    status: str  # the station's answer to the last profile (a CommandStatus value)
    at: datetime  # since when the accepted allocation holds (its last change)


@dataclass(frozen=True, slots=True)
class SiteEvent:
    site_id: str
    kind: str  # rebalanced, rejected, call_error, timeout, offline, exceeded
    at: datetime
    station_id: str = ""
    evse_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    id: int = 0


class SmartChargingRepository(Protocol):
    async def site(self, site_id: str) -> ManagedSite | None: ...
    async def sites(self) -> list[ManagedSite]: ...
    async def save_site(self, site: ManagedSite) -> None: ...
    async def delete_site(self, site_id: str) -> bool: ...
    async def evse_settings(self, station_ids: Sequence[str]) -> list[EvseSettings]: ...
    async def save_evse_settings(self, settings: EvseSettings) -> None: ...
    async def departures(self, station_ids: Sequence[str]) -> list[Departure]: ...
    async def save_departure(self, departure: Departure) -> None: ...
    async def allocations(self, site_id: str) -> list[StoredAllocation]: ...
    async def allocation(self, ref: EvseRef) -> StoredAllocation | None: ...
    async def save_allocation(self, allocation: StoredAllocation) -> None: ...
    async def add_event(self, event: SiteEvent) -> None: ...
    async def events(self, site_id: str, limit: int = 50) -> list[SiteEvent]: ...


#: ``uow.repository(SMART_CHARGING_STORE)``.
SMART_CHARGING_STORE: Key[SmartChargingRepository] = Key("smart_charging.store")
