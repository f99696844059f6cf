"""The simulator against the real server: offline queues, reboots, raw frames, resends."""

from __future__ import annotations

import asyncio
import json
from contextlib import AbstractAsyncContextManager

import pytest

from forecourt.domain.commands import Reset
from forecourt.domain.transactions import StopReason, Transaction, TransactionState
from forecourt.ports.repositories import TransactionFilter
from forecourt.simulator import SimulatedStation
from tests.e2e.conftest import STATION, TAG, simulated_station
from tests.support.server import RunningServer


def simulated(
    server: RunningServer, protocol: str
) -> AbstractAsyncContextManager[SimulatedStation]:
    return simulated_station(
        server,
        protocol,
        seed=7,
        id_tags=[TAG],
        meter_interval_s=0.5,
        speed=60.0,
        think_time_s=0.05,
        reconnect_delay_s=0.2,
        reboot_delay_s=0.2,
    )


async def only_transaction(server: RunningServer) -> Transaction:
    items, total = await server.forecourt.services.history.list(TransactionFilter(STATION))
    assert total == 1
    return items[0]


@pytest.mark.parametrize("protocol", ["1.6", "2.0.1", "2.1"])
async def test_offline_session_is_delivered_in_order_after_reconnect(
    server: RunningServer, protocol: str
) -> None:
    async with simulated(server, protocol) as station:
        session = station.start_session(1)
        assert session is not None
        await session.wait_charging(30)
        await station.go_offline()
        await asyncio.sleep(2)  # meter values queue up while the link is down
        await station.stop_session(1)
        await station.go_online(30)
        await station.wait_ready(30)
        await session.wait_ended(30)
    tx = await only_transaction(server)
    assert tx.state is TransactionState.ENDED
    assert tx.energy_wh == pytest.approx(session.energy_wh, rel=0.01)
    if protocol != "1.6":
        assert tx.seen_offline


@pytest.mark.parametrize("protocol", ["1.6", "2.0.1", "2.1"])
async def test_hard_reset_mid_session_ends_it_and_the_station_reboots(
    server: RunningServer, protocol: str
) -> None:
    async with simulated(server, protocol) as station:
        session = station.start_session(1)
        assert session is not None
        await session.wait_charging(30)
        record = await server.forecourt.services.remote.send(STATION, Reset(hard=True))
        assert record.status.succeeded
        await session.wait_ended(30)
        await station.wait_ready(30)
    tx = await only_transaction(server)
    assert tx.stop_reason in {StopReason.HARD_RESET, StopReason.IMMEDIATE_RESET}
    station_record = await server.forecourt.services.network.station(STATION)
    assert station_record.connected is False  # the simulator stopped at the end of the test


async def test_raw_malformed_frames_and_resends_keep_the_connection_usable(
    server: RunningServer,
) -> None:
    async with simulated(server, "2.0.1") as station:
        reply = await station.send_raw('[2, "x1", "Heartbeat", "not an object"]')
        assert reply is not None
        assert json.loads(reply)[:3] == [4, "x1", "FormatViolation"]
        reply = await station.send_raw("[2, ")
        assert reply is not None
        assert json.loads(reply)[:3] == [4, "-1", "RpcFrameworkError"]
        first = await station.call("Heartbeat", {})
        again = await station.resend_last_call()  # same message id: answered from the cache
        assert again == first
