"""Contract: smart charging's departures and EVSE settings (with their phase), on SQLite and
PostgreSQL (migration 0021_smart_charging_departures on both)."""

from __future__ import annotations

from datetime import timedelta

from forecourt.smart_charging.domain.allocation import EvseRef
from forecourt.smart_charging.ports import SMART_CHARGING_STORE, Departure, EvseSettings
from forecourt.storage import Database

from .factories import T0


async def test_departures_are_one_per_evse_and_replaced(database: Database) -> None:
    ref = EvseRef("CP-1", 2)
    first = Departure(ref, "TX-1", T0 + timedelta(hours=2), 20_000.0, T0, None, "api")
    again = Departure(ref, "TX-1", T0 + timedelta(hours=3), 30_000.0, T0, "2025 Ioniq 5", "cli")
    other = Departure(EvseRef("CP-2", 1), "9", T0 + timedelta(hours=1), 5_000.0, T0)
    async with database.unit_of_work() as uow:
        store = uow.repository(SMART_CHARGING_STORE)
        await store.save_departure(first)
        await store.save_departure(other)
        await store.save_departure(again)
        await uow.commit()
    async with database.unit_of_work() as uow:
        store = uow.repository(SMART_CHARGING_STORE)
        assert await store.departures(["CP-1"]) == [again]
        assert sorted(d.ref for d in await store.departures(["CP-1", "CP-2"])) == [
            EvseRef("CP-1", 2),
            EvseRef("CP-2", 1),
        ]
        assert await store.departures([]) == []


async def test_evse_settings_keep_their_phase(database: Database) -> None:
    wired = EvseSettings(EvseRef("CP-1", 1), 1380.0, 7360.0, 2, phase=3)
    plain = EvseSettings(EvseRef("CP-1", 2))
    async with database.unit_of_work() as uow:
        store = uow.repository(SMART_CHARGING_STORE)
        await store.save_evse_settings(wired)
        await store.save_evse_settings(plain)
        await uow.commit()
    async with database.unit_of_work() as uow:
        found = await uow.repository(SMART_CHARGING_STORE).evse_settings(["CP-1"])
    assert sorted(found, key=lambda s: s.ref) == [wired, plain]
