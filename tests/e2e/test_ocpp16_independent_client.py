"""OCPP 1.6J end to end with an independent implementation: the `ocpp` package's ChargePoint."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import websockets
from ocpp.routing import on
from ocpp.v16 import ChargePoint, call, call_result
from ocpp.v16.datatypes import KeyValue
from ocpp.v16.enums import Action
from websockets.asyncio.client import connect

from forecourt.domain.commands import CommandStatus, ConfigKey, GetConfiguration, Reset
from forecourt.domain.events import StationEventKind
from forecourt.domain.transactions import TransactionState
from forecourt.ports.repositories import TransactionFilter
from tests.e2e.conftest import PASSWORD, STATION, TAG, basic_auth
from tests.support.server import RunningServer

T0 = "2026-11-21T10:00:00.000Z"


class Station16(ChargePoint):  # type: ignore[misc]
    """A 1.6 station that accepts resets and reports one configuration key."""

    resets: list[str]

    @on(Action.reset)  # type: ignore[misc]
    def on_reset(self, type: str, **_: Any) -> call_result.Reset:
        self.resets.append(type)
        return call_result.Reset(status="Accepted")

    @on(Action.get_configuration)  # type: ignore[misc]
    def on_get_configuration(self, **_: Any) -> call_result.GetConfiguration:
        setting = KeyValue(key="HeartbeatInterval", readonly=False, value="300")
        return call_result.GetConfiguration(configuration_key=[setting])


@asynccontextmanager
async def station(server: RunningServer, station_id: str = STATION) -> AsyncIterator[Station16]:
    async with connect(
        f"{server.ws_url}/{station_id}",
        subprotocols=["ocpp1.6"],  # type: ignore[list-item]
        additional_headers=basic_auth(station_id, PASSWORD),
    ) as ws:
        cp = Station16(station_id, ws)
        cp.resets = []
        runner = asyncio.create_task(cp.start())
        try:
            yield cp
        finally:
            runner.cancel()


async def boot(cp: Station16) -> Any:
    return await cp.call(
        call.BootNotification(charge_point_model="E2E", charge_point_vendor="Test")
    )


def register(wh: float, at: str) -> dict[str, Any]:
    return {
        "timestamp": at,
        "sampledValue": [
            {
                "value": f"{wh / 1000:.3f}",
                "unit": "kWh",
                "measurand": "Energy.Active.Import.Register",
            },
            {"value": "50000", "unit": "W", "measurand": "Power.Active.Import"},
        ],
    }


async def test_full_session_records_energy(server: RunningServer) -> None:
    async with station(server) as cp:
        assert (await boot(cp)).status == "Accepted"
        await cp.call(
            call.StatusNotification(connector_id=1, error_code="NoError", status="Available")
        )
        assert (await cp.call(call.Authorize(id_tag=TAG))).id_tag_info["status"] == "Accepted"
        started = await cp.call(
            call.StartTransaction(connector_id=1, id_tag=TAG, meter_start=1_000_000, timestamp=T0)
        )
        tx_id = started.transaction_id
        await cp.call(
            call.MeterValues(
                connector_id=1,
                transaction_id=tx_id,
                meter_value=[register(1_005_000, "2026-11-21T10:05:00Z")],
            )
        )
        await cp.call(
            call.StopTransaction(
                meter_stop=1_012_500,
                timestamp="2026-11-21T10:10:00Z",
                transaction_id=tx_id,
                reason="Local",
            )
        )
    detail = await server.forecourt.services.history.detail(tx_id)
    assert detail.transaction.state is TransactionState.ENDED
    assert detail.transaction.energy_wh == pytest.approx(12_500)
    assert detail.transaction.peak_power_w == pytest.approx(50_000)


async def test_coarse_clock_readings_count_once_and_replays_not_at_all(
    server: RunningServer,
) -> None:
    """A station whose clock ticks in minutes stamps two readings alike: the higher register
    is new energy; the same message again (a replay) and an older one arriving late are not."""
    history = server.forecourt.services.history
    coarse = "2026-11-21T10:05:00Z"

    async def send_register(wh: float) -> None:
        meter = call.MeterValues(connector_id=1, transaction_id=tx_id, meter_value=[
            register(wh, coarse)])  # fmt: skip
        await cp.call(meter)

    async def energy() -> float:
        return (await history.detail(tx_id)).transaction.energy_wh

    async with station(server) as cp:
        await boot(cp)
        started = await cp.call(
            call.StartTransaction(connector_id=1, id_tag=TAG, meter_start=1_000_000, timestamp=T0)
        )
        tx_id = started.transaction_id
        await send_register(1_005_000)
        assert await energy() == pytest.approx(5_000)
        await send_register(1_007_000)  # same timestamp, register higher: 2 kWh more
        assert await energy() == pytest.approx(7_000)
        await send_register(1_007_000)  # the same reading again, new message id: a replay
        await send_register(1_005_000)  # the earlier reading again, late
        assert await energy() == pytest.approx(7_000)
        await cp.call(
            call.StopTransaction(
                meter_stop=1_009_000, timestamp="2026-11-21T10:10:00Z", transaction_id=tx_id
            )
        )
    detail = await history.detail(tx_id)
    assert detail.transaction.energy_wh == pytest.approx(9_000)
    registers = [s for s in detail.samples if s.measurand.value == "energy_import_register"]
    assert [s.value for s in registers] == [1_007_000]


async def test_replayed_start_after_reconnect_returns_the_original_transaction(
    server: RunningServer,
) -> None:
    start = call.StartTransaction(connector_id=1, id_tag=TAG, meter_start=500, timestamp=T0)
    async with station(server) as cp:
        await boot(cp)
        first = await cp.call(start)
    async with station(server) as cp:  # reconnect; the station did not get our answer, say
        second = await cp.call(start)
    assert second.transaction_id == first.transaction_id
    _, total = await server.forecourt.services.history.list(TransactionFilter(station_id=STATION))
    assert total == 1


async def test_stop_for_unknown_transaction_is_acknowledged_and_recorded(
    server: RunningServer,
) -> None:
    async with station(server) as cp:
        await boot(cp)
        result = await cp.call(
            call.StopTransaction(meter_stop=10, timestamp=T0, transaction_id=987654, id_tag=TAG)
        )
    assert result.id_tag_info["status"] == "Accepted"
    events = await server.forecourt.services.network.station_events(
        STATION, StationEventKind.ORPHAN_STOP
    )
    assert events[0].data["station_tx_id"] == "987654"


async def test_remote_commands_reach_the_station_and_record_answers(server: RunningServer) -> None:
    remote = server.forecourt.services.remote
    async with station(server) as cp:
        await boot(cp)
        record = await remote.send(STATION, Reset(hard=True), requested_by="test")
        config = await remote.send(STATION, GetConfiguration((ConfigKey("HeartbeatInterval"),)))
    assert record.status is CommandStatus.ACCEPTED
    assert cp.resets == ["Hard"]
    assert config.result["values"] == [
        {"key": "HeartbeatInterval", "value": "300", "readonly": False}
    ]
    stored = await remote.get(record.id)
    assert stored.status is CommandStatus.ACCEPTED
    assert stored.completed_at is not None


async def test_command_to_station_that_never_answers_times_out_without_wedging(
    server: RunningServer,
) -> None:
    async with connect(
        f"{server.ws_url}/{STATION}",
        subprotocols=["ocpp1.6"],  # type: ignore[list-item]
        additional_headers=basic_auth(STATION, PASSWORD),
    ) as ws:
        await ws.send(
            json.dumps(
                [2, "b1", "BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"}]
            )
        )
        assert json.loads(await ws.recv())[2]["status"] == "Accepted"
        record = await server.forecourt.services.remote.send(STATION, Reset(), timeout=0.5)
        assert record.status is CommandStatus.TIMEOUT
        await ws.recv()  # the Reset CALL we ignored
        await ws.send(json.dumps([2, "h1", "Heartbeat", {}]))  # inbound still served
        assert json.loads(await ws.recv())[0] == 3


async def test_malformed_frame_gets_callerror_and_connection_stays_usable(
    server: RunningServer,
) -> None:
    async with connect(
        f"{server.ws_url}/{STATION}",
        subprotocols=["ocpp1.6"],  # type: ignore[list-item]
        additional_headers=basic_auth(STATION, PASSWORD),
    ) as ws:
        await ws.send(
            '[2, "m1", "BootNotification", {"chargePointVendor": 5, "chargePointModel": "M"}]'
        )
        assert json.loads(await ws.recv())[:3] == [4, "m1", "TypeConstraintViolation"]
        await ws.send('[2, "m0", "BootNotification", {"chargePointVendor": "V"}]')
        assert json.loads(await ws.recv())[:3] == [4, "m0", "OccurenceConstraintViolation"]
        await ws.send("this is not json")
        assert json.loads(await ws.recv())[0] == 4
        await ws.send(
            json.dumps(
                [2, "m2", "BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"}]
            )
        )
        assert json.loads(await ws.recv())[:2] == [3, "m2"]


@pytest.mark.parametrize(
    ("headers", "subprotocols", "status"),
    [
        (basic_auth(STATION, "wrong"), ["ocpp1.6"], 401),
        (basic_auth("someone-else", PASSWORD), ["ocpp1.6"], 401),
        ({}, ["ocpp1.6"], 401),
        (basic_auth(STATION, PASSWORD), ["ocpp1.5"], 400),
        (basic_auth(STATION, PASSWORD), [], 400),
    ],
)
async def test_handshake_refusals(
    server: RunningServer, headers: dict[str, str], subprotocols: list[str], status: int
) -> None:
    with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
        async with connect(
            f"{server.ws_url}/{STATION}",
            subprotocols=subprotocols or None,  # type: ignore[arg-type]
            additional_headers=headers,
        ):
            pass
    assert refused.value.response.status_code == status


async def test_unknown_station_is_refused_under_strict_policy(server: RunningServer) -> None:
    with pytest.raises(websockets.exceptions.InvalidStatus):
        async with connect(f"{server.ws_url}/NOBODY", subprotocols=["ocpp1.6"]):  # type: ignore[list-item]
            pass


async def test_newest_connection_wins_and_old_one_is_closed(server: RunningServer) -> None:
    async with station(server) as first:
        await boot(first)
        async with station(server) as second:
            assert (await boot(second)).status == "Accepted"
            with pytest.raises(websockets.exceptions.ConnectionClosed):
                await asyncio.wait_for(first._connection.recv(), 2)
            assert server.forecourt.registry.get(STATION) is not None
        await asyncio.sleep(0.1)
    station_record = await server.forecourt.services.network.station(STATION)
    assert station_record.vendor == "Test"
