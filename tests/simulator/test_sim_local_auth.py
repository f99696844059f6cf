"""The simulated station's local list, authorization cache and reservations, driven by the
``ocpp`` package as the CSMS (1.6) and through the store itself."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from ocpp.v16 import call

from forecourt.simulator import SimulatedStation
from forecourt.simulator.local_auth import LocalAuthStore
from tests.simulator.kit import StationFactory
from tests.simulator.simcsms import CsmsServer


@pytest.fixture
async def station(make_station: StationFactory) -> SimulatedStation:
    station = make_station("1.6", station_id="CP16")
    await station.start()
    await station.wait_ready(30)
    return station


def _entry(tag: str, status: str | None = "Accepted") -> dict[str, object]:
    return {"id_tag": tag, "id_tag_info": {"status": status}} if status else {"id_tag": tag}


async def test_list_versions_full_differential_and_mismatch(
    csms: CsmsServer, station: SimulatedStation
) -> None:
    async def send(version: int, kind: str, items: list[dict[str, object]]) -> str:
        request = call.SendLocalList(
            list_version=version, update_type=kind, local_authorization_list=items
        )
        return str((await csms.call("CP16", request)).status)

    assert await send(5, "Full", [_entry("A"), _entry("B", "Blocked")]) == "Accepted"
    assert await send(5, "Differential", [_entry("C")]) == "VersionMismatch"  # not forward
    assert await send(6, "Differential", [_entry("A", None), _entry("C")]) == "Accepted"
    assert (await csms.call("CP16", call.GetLocalListVersion())).list_version == 6
    store: LocalAuthStore = station.dialect.local  # type: ignore[attr-defined]
    assert store.entries == {"B": "Blocked", "C": "Accepted"}
    assert not store.offline_verdict("B")
    assert store.offline_verdict("C")
    assert not store.offline_verdict("UNKNOWN")  # a list in use is authoritative offline


async def test_reserve_occupied_cancel(csms: CsmsServer, station: SimulatedStation) -> None:
    until = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()

    async def reserve(reservation_id: int, connector: int) -> str:
        request = call.ReserveNow(
            connector_id=connector, expiry_date=until, id_tag="A", reservation_id=reservation_id
        )
        return str((await csms.call("CP16", request)).status)

    assert await reserve(1, 1) == "Accepted"
    assert await reserve(2, 1) == "Occupied"
    assert await reserve(3, 9) == "Rejected"
    store: LocalAuthStore = station.dialect.local  # type: ignore[attr-defined]
    assert store.admits(1, "A")
    assert not store.admits(1, "B")
    assert (await csms.call("CP16", call.CancelReservation(reservation_id=1))).status == "Accepted"
    assert (await csms.call("CP16", call.CancelReservation(reservation_id=1))).status == "Rejected"
    assert store.admits(1, "B")


async def test_cache_remembers_online_answers_while_enabled() -> None:
    enabled = [True]
    store = LocalAuthStore(cache_enabled=lambda: enabled[0])
    store.update(1, True, [("LISTED", "Accepted")])
    store.remember("SEEN", "Accepted")
    assert store.offline_verdict("SEEN")
    enabled[0] = False
    assert not store.offline_verdict("SEEN")  # the cache is off: only the list counts
    store.remember("LATER", "Accepted")
    assert "LATER" not in store.cache


async def test_a_reservation_expires_by_itself(csms: CsmsServer, station: SimulatedStation) -> None:
    soon = (datetime.now(UTC) + timedelta(seconds=0.3)).isoformat()
    request = call.ReserveNow(connector_id=1, expiry_date=soon, id_tag="A", reservation_id=4)
    assert (await csms.call("CP16", request)).status == "Accepted"
    store: LocalAuthStore = station.dialect.local  # type: ignore[attr-defined]
    assert not store.admits(1, "B")
    await asyncio.sleep(0.6)
    assert store.admits(1, "B")
    assert not store.reservations
