"""Local lists and reservations end to end: the real server, the simulator over a real
websocket, 1.6 and 2.0.1 (tests/e2e/test_local_auth_independent.py uses the ``ocpp`` client)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from forecourt.domain.errors import Conflict
from forecourt.domain.local_auth import ListSync, ReservationState
from forecourt.domain.tokens import TokenRecord
from forecourt.services.core import Services
from forecourt.simulator import SimulatedStation, StationConfig
from forecourt.simulator.session import StopCause
from tests.e2e.conftest import PASSWORD, STATION, TAG
from tests.support.harness import ShiftedClock
from tests.support.server import RunningServer, running_server

OTHER = "RFID-0002"
THIRD = "RFID-0003"


@pytest.fixture
def clock() -> ShiftedClock:
    return ShiftedClock()


@pytest.fixture
async def server(tmp_path: Path, clock: ShiftedClock) -> AsyncIterator[RunningServer]:
    async with running_server(
        tmp_path, clock=clock, call_timeout=3.0, local_auth_sweep_interval=0.3
    ) as run:
        services = run.forecourt.services
        await services.network.add_station(STATION, password=PASSWORD)
        for tag in (TAG, OTHER, THIRD):
            await services.network.add_token(TokenRecord(tag))
        yield run


async def simulated(server: RunningServer, protocol: str) -> SimulatedStation:
    config = StationConfig(
        station_id=STATION,
        protocol=protocol,  # type: ignore[arg-type]
        url=server.ws_url,
        password=PASSWORD,
        id_tags=[TAG],
        meter_interval_s=0.5,
        speed=60.0,
        think_time_s=0.05,
        reconnect_delay_s=0.2,
    )
    station = SimulatedStation(config, seed=3)
    await station.start()
    await station.wait_ready(30)
    return station


async def eventually(check: Callable[[], object], timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


def local_list(station: SimulatedStation) -> tuple[int, dict[str, str]]:
    store = station.dialect.local  # type: ignore[attr-defined]
    return store.version, dict(store.entries)


@pytest.mark.parametrize("protocol", ["1.6", "2.0.1"])
async def test_local_list_full_differential_blocked_and_version_mismatch(
    server: RunningServer, protocol: str
) -> None:
    services: Services = server.forecourt.services
    station = await simulated(server, protocol)
    try:
        await services.local_lists.set_members("station", STATION, [TAG, OTHER])
        assert local_list(station) == (1, {TAG: "Accepted", OTHER: "Accepted"})  # full

        await services.local_lists.set_members("station", STATION, [TAG, OTHER, THIRD])
        assert local_list(station) == (2, {TAG: "Accepted", OTHER: "Accepted", THIRD: "Accepted"})

        await services.network.update_token(OTHER, blocked=True)  # leaves the list by itself
        await eventually(lambda: local_list(station) == (3, {TAG: "Accepted", THIRD: "Accepted"}))

        async def recorded() -> bool:  # the station answers before the server records it
            state = (await services.local_lists.view(STATION)).state
            return (state.version, state.sync) == (3, ListSync.IN_SYNC)

        await eventually_async(recorded)
        view = await services.local_lists.view(STATION)
        assert sorted(view.state.entries) == [TAG, THIRD]

        station.dialect.local.version = 40  # type: ignore[attr-defined]  # the station lost it
        station.dialect.local.entries.clear()  # type: ignore[attr-defined]
        state = await services.local_lists.sync(STATION)
        assert state.version == 41
        assert local_list(station) == (41, {TAG: "Accepted", THIRD: "Accepted"})  # full again
    finally:
        await station.stop()


@pytest.mark.parametrize("protocol", ["1.6", "2.0.1"])
async def test_list_changes_while_offline_are_sent_on_reconnect(
    server: RunningServer, protocol: str
) -> None:
    services: Services = server.forecourt.services
    station = await simulated(server, protocol)
    try:
        await services.local_lists.set_members("station", STATION, [TAG])
        await station.go_offline()
        await eventually(lambda: not services.local_lists.is_connected(STATION))
        await services.local_lists.set_members("station", STATION, [TAG, OTHER])
        assert (await services.local_lists.view(STATION)).state.sync is ListSync.PENDING
        await station.go_online(30)
        await eventually(lambda: local_list(station) == (2, {TAG: "Accepted", OTHER: "Accepted"}))
    finally:
        await station.stop()


@pytest.mark.parametrize("protocol", ["1.6", "2.0.1"])
async def test_reservation_refuses_others_is_used_by_its_token(
    server: RunningServer, protocol: str
) -> None:
    services: Services = server.forecourt.services
    station = await simulated(server, protocol)
    reservations = services.core.reservations
    until = datetime.now(UTC) + timedelta(minutes=5)
    try:
        held = await reservations.reserve(STATION, TAG, until, evse_id=1)
        assert held.state is ReservationState.ACTIVE
        with pytest.raises(Conflict, match="already reserved"):
            await reservations.reserve(STATION, OTHER, until, evse_id=1)

        intruder = station.start_session(1, id_token=OTHER)
        assert intruder is not None
        await intruder.wait_ended(30)
        assert intruder.stop_cause is StopCause.NOT_AUTHORIZED
        if protocol == "1.6":  # 2.0.1 opens its transaction at plug-in, before the card
            assert not intruder.transaction_open
        await eventually(lambda: station.free_evse(1) is not None)

        session = station.start_session(1, id_token=TAG)
        assert session is not None
        await session.wait_charging(30)

        async def used() -> bool:
            return (await reservations.get(held.id)).state is ReservationState.USED

        await eventually_async(used)
        assert (await reservations.get(held.id)).transaction_id is not None
        await station.stop_session(1)
        await session.wait_ended(30)
    finally:
        await station.stop()


@pytest.mark.parametrize("protocol", ["1.6", "2.0.1"])
async def test_reservation_expires_and_is_cancelled(server: RunningServer, protocol: str) -> None:
    services: Services = server.forecourt.services
    station = await simulated(server, protocol)
    reservations = services.core.reservations
    try:
        soon = datetime.now(UTC) + timedelta(seconds=6)  # still ahead once the station answered
        expiring = await reservations.reserve(STATION, TAG, soon, evse_id=1)
        assert expiring.state is ReservationState.ACTIVE

        async def expired() -> bool:
            return (await reservations.get(expiring.id)).state is ReservationState.EXPIRED

        await eventually_async(expired)
        if protocol == "2.0.1":  # the station said so (or the sweep was first): both end it
            await eventually(lambda: not station.dialect.local.reservations)  # type: ignore[attr-defined]

        later = datetime.now(UTC) + timedelta(minutes=5)
        kept = await reservations.reserve(STATION, OTHER, later, evse_id=1)
        assert station.dialect.local.reservations  # type: ignore[attr-defined]
        cancelled = await reservations.cancel(kept.id)
        assert (cancelled.state, cancelled.answer) == (ReservationState.CANCELLED, "accepted")
        assert not station.dialect.local.reservations  # type: ignore[attr-defined]
        with pytest.raises(Conflict, match="already ended"):
            await reservations.cancel(kept.id)
    finally:
        await station.stop()


async def test_an_occupied_connector_refuses_the_reservation(server: RunningServer) -> None:
    services: Services = server.forecourt.services
    station = await simulated(server, "2.0.1")
    try:
        session = station.start_session(1, id_token=TAG)
        assert session is not None
        await session.wait_charging(30)
        until = datetime.now(UTC) + timedelta(minutes=5)
        refused = await services.core.reservations.reserve(STATION, OTHER, until, evse_id=1)
        assert (refused.state, refused.answer) == (ReservationState.REFUSED, "occupied")
        await station.stop_session(1)
        await session.wait_ended(30)
    finally:
        await station.stop()


async def eventually_async(check: Callable[[], object], timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():  # type: ignore[misc]
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


async def test_an_expiring_token_leaves_the_list_by_itself(
    server: RunningServer, clock: ShiftedClock
) -> None:
    services: Services = server.forecourt.services
    station = await simulated(server, "1.6")
    try:
        await services.local_lists.set_members("station", STATION, [TAG, OTHER])
        # The expiry is passed by moving the server's clock, not by waiting for it: a real
        # deadline raced the resend of version 2 on a loaded machine (built after it: no sweep).
        soon = clock.now() + timedelta(seconds=30)
        await services.network.update_token(OTHER, expires_at=soon)  # still on, with its expiry
        both = {TAG: "Accepted", OTHER: "Accepted"}
        await eventually(lambda: local_list(station) == (2, both))
        clock.advance(31)  # no token changes now: only the sweep can see the expiry
        await eventually(lambda: local_list(station) == (3, {TAG: "Accepted"}))
    finally:
        await station.stop()
