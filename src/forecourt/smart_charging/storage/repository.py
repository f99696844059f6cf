"""Smart charging's rows: managed sites, EVSE settings, departures, allocations, events."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, and_, select

from forecourt.smart_charging.domain.allocation import EvseRef, Policy, Reason
from forecourt.smart_charging.domain.codec import site_from_dict, site_to_dict
from forecourt.smart_charging.ports import (
    Departure,
    EvseSettings,
    ManagedSite,
    SiteEvent,
    StoredAllocation,
)
from forecourt.smart_charging.storage.tables import (
    allocations,
    departures,
    events,
    evse_settings,
    site_limits,
)
from forecourt.storage.context import DbContext


class SqlSmartChargingRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def site(self, site_id: str) -> ManagedSite | None:
        query = select(site_limits).where(site_limits.c.site_id == site_id)
        row = (await self._db.execute(query)).mappings().first()
        return None if row is None else _site(row)

    async def sites(self) -> builtins.list[ManagedSite]:
        query = select(site_limits).order_by(site_limits.c.site_id)
        return [_site(row) for row in (await self._db.execute(query)).mappings()]

    async def save_site(self, site: ManagedSite) -> None:
        values = {
            "body": site_to_dict(site.limit),
            "policy": site.policy.value,
            "updated_at": site.updated_at,
        }
        insert = self._db.insert(site_limits).values(site_id=site.limit.site_id, **values)
        upsert = insert.on_conflict_do_update(index_elements=[site_limits.c.site_id], set_=values)
        await self._db.execute(upsert)

    async def delete_site(self, site_id: str) -> bool:
        statement = site_limits.delete().where(site_limits.c.site_id == site_id)
        removed = (await self._db.execute(statement)).rowcount > 0
        await self._db.execute(allocations.delete().where(allocations.c.site_id == site_id))
        return removed

    async def evse_settings(self, station_ids: Sequence[str]) -> builtins.list[EvseSettings]:
        query = select(evse_settings).where(evse_settings.c.station_id.in_(list(station_ids)))
        return [
            EvseSettings(
                EvseRef(row["station_id"], row["evse_id"]),
                row["min_w"],
                row["max_w"],
                row["priority"],
                row["phase"],
            )
            for row in (await self._db.execute(query)).mappings()
        ]

    async def save_evse_settings(self, settings: EvseSettings) -> None:
        values = {
            "min_w": settings.min_w,
            "max_w": settings.max_w,
            "priority": settings.priority,
            "phase": settings.phase,
        }
        await self._upsert_evse_row(evse_settings, settings.ref, values)

    async def departures(self, station_ids: Sequence[str]) -> builtins.list[Departure]:
        query = select(departures).where(departures.c.station_id.in_(list(station_ids)))
        return [
            Departure(
                EvseRef(row["station_id"], row["evse_id"]),
                row["station_tx_id"],
                row["departure_at"],
                row["energy_wh"],
                row["at"],
                row["vehicle"],
                row["source"],
            )
            for row in (await self._db.execute(query)).mappings()
        ]

    async def save_departure(self, departure: Departure) -> None:
        values = {
            "station_tx_id": departure.station_tx_id,
            "departure_at": departure.departure_at,
            "energy_wh": departure.energy_wh,
            "vehicle": departure.vehicle,
            "source": departure.source,
            "at": departure.at,
        }
        await self._upsert_evse_row(departures, departure.ref, values)

    async def allocations(self, site_id: str) -> builtins.list[StoredAllocation]:
        query = (
            select(allocations)
            .where(allocations.c.site_id == site_id)
            .order_by(allocations.c.station_id, allocations.c.evse_id)
        )
        return [_allocation(row) for row in (await self._db.execute(query)).mappings()]

    async def allocation(self, ref: EvseRef) -> StoredAllocation | None:
        query = select(allocations).where(
            and_(allocations.c.station_id == ref.station_id, allocations.c.evse_id == ref.evse_id)
        )
        row = (await self._db.execute(query)).mappings().first()
        return None if row is None else _allocation(row)

    async def save_allocation(self, allocation: StoredAllocation) -> None:
        values = {
            "site_id": allocation.site_id,
            "station_tx_id": allocation.station_tx_id,
            "planned_w": allocation.planned_w,
            "accepted_w": allocation.accepted_w,
            "reason": allocation.reason.value,
            "status": allocation.status,
            "at": allocation.at,
        }
        await self._upsert_evse_row(allocations, allocation.ref, values)

    async def _upsert_evse_row(self, table: Table, ref: EvseRef, values: dict[str, Any]) -> None:
        """One row per EVSE (key station_id, evse_id): insert, or replace its values."""
        insert = self._db.insert(table).values(
            station_id=ref.station_id, evse_id=ref.evse_id, **values
        )
        key = [table.c.station_id, table.c.evse_id]
        await self._db.execute(insert.on_conflict_do_update(index_elements=key, set_=values))

    async def add_event(self, event: SiteEvent) -> None:
        await self._db.execute(
            events.insert().values(
                site_id=event.site_id,
                station_id=event.station_id,
                evse_id=event.evse_id,
                kind=event.kind,
                at=event.at,
                data=event.data,
            )
        )

    async def events(self, site_id: str, limit: int = 50) -> builtins.list[SiteEvent]:
        query = (
            select(events)
            .where(events.c.site_id == site_id)
            .order_by(events.c.at.desc(), events.c.id.desc())
            .limit(limit)
        )
        return [
            SiteEvent(
                row["site_id"],
                row["kind"],
                row["at"],
                row["station_id"],
                row["evse_id"],
                row["data"],
                row["id"],
            )
            for row in (await self._db.execute(query)).mappings()
        ]


def _site(row: Any) -> ManagedSite:
    return ManagedSite(site_from_dict(row["body"]), Policy(row["policy"]), row["updated_at"])


def _allocation(row: Any) -> StoredAllocation:
    return StoredAllocation(
        EvseRef(row["station_id"], row["evse_id"]),
        row["site_id"],
        row["station_tx_id"],
        row["planned_w"],
        row["accepted_w"],
        Reason(row["reason"]),
        row["status"],
        row["at"],
    )
