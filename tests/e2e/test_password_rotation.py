"""Password rotation over the wire (issue 16): the station (the `ocpp` package's ChargePoint)
gets a generated password, Forecourt stores it only on Accepted, the old password works
until the station has connected with the new one and is refused afterwards."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import websockets
from ocpp.routing import on
from ocpp.v16 import ChargePoint as ChargePoint16
from ocpp.v16 import call_result as result16
from ocpp.v16.enums import Action as Action16
from ocpp.v201 import ChargePoint as ChargePoint201
from ocpp.v201 import call_result as result201
from ocpp.v201.enums import Action as Action201
from websockets.asyncio.client import connect

from forecourt.simulator import SimulatedStation, StationConfig
from tests.e2e.conftest import PASSWORD, STATION, basic_auth, technician_api
from tests.support.server import RunningServer

SUBPROTOCOL = {"1.6": "ocpp1.6", "2.0.1": "ocpp2.0.1"}


class Station16(ChargePoint16):  # type: ignore[misc]
    answer = "Accepted"
    new_password: str | None = None

    @on(Action16.change_configuration)  # type: ignore[untyped-decorator]
    def on_change(self, key: str, value: str) -> Any:
        assert key == "AuthorizationKey"
        self.new_password = value
        return result16.ChangeConfiguration(status=self.answer)


class Station201(ChargePoint201):  # type: ignore[misc]
    answer = "Accepted"
    new_password: str | None = None

    @on(Action201.set_variables)  # type: ignore[untyped-decorator]
    def on_set(self, set_variable_data: list[dict[str, Any]]) -> Any:
        (item,) = set_variable_data
        assert item["component"] == {"name": "SecurityCtrlr"}
        assert item["variable"] == {"name": "BasicAuthPassword"}
        self.new_password = item["attribute_value"]
        result = {**item, "attribute_status": self.answer}
        del result["attribute_value"]
        return result201.SetVariables(set_variable_result=[result])


@asynccontextmanager
async def station(server: RunningServer, version: str, password: str) -> AsyncIterator[Any]:
    async with connect(
        f"{server.ws_url}/{STATION}",
        subprotocols=[SUBPROTOCOL[version]],  # type: ignore[list-item]
        additional_headers=basic_auth(STATION, password),
    ) as ws:
        cp = Station16(STATION, ws) if version == "1.6" else Station201(STATION, ws)
        runner = asyncio.create_task(cp.start())
        try:
            yield cp
        finally:
            runner.cancel()


async def can_connect(server: RunningServer, version: str, password: str) -> bool:
    try:
        async with station(server, version, password):
            return True
    except websockets.exceptions.InvalidStatus:
        return False


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_rotation_keeps_the_station_connected(server: RunningServer, version: str) -> None:
    async with technician_api(server) as client:
        async with station(server, version, PASSWORD) as cp:
            rotated = await client.post(f"/api/stations/{STATION}/password-rotation")
        assert rotated.status_code == 200, rotated.text
        record = rotated.json()
        new_password = cp.new_password
        assert record["status"] == "accepted"
        assert record["kind"] == "set_station_password"
        assert new_password is not None
        assert len(new_password) == 32
        assert new_password not in rotated.text  # never shown, nor in the command log
        log = await client.get(f"/api/stations/{STATION}/commands")
        assert new_password not in log.text
    # until the station has used the new password, the old one still works
    assert await can_connect(server, version, PASSWORD)
    assert await can_connect(server, version, new_password)
    # the station has switched: the old password is refused from now on
    assert not await can_connect(server, version, PASSWORD)
    assert await can_connect(server, version, new_password)


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_a_refused_rotation_changes_nothing(server: RunningServer, version: str) -> None:
    async with technician_api(server) as client:
        async with station(server, version, PASSWORD) as cp:
            cp.answer = "Rejected"
            rotated = await client.post(f"/api/stations/{STATION}/password-rotation")
        assert rotated.json()["status"] == "rejected"
    assert cp.new_password is not None
    assert not await can_connect(server, version, cp.new_password)
    assert await can_connect(server, version, PASSWORD)
    assert await can_connect(server, version, PASSWORD)  # still valid, not a previous one


@pytest.mark.parametrize("key", ["AuthorizationKey", "SecurityCtrlr.BasicAuthPassword"])
async def test_the_generic_command_refuses_password_keys(server: RunningServer, key: str) -> None:
    async with technician_api(server) as client, station(server, "2.0.1", PASSWORD):
        body = {"kind": "set_configuration", "key": key, "value": "guessable-password"}
        answer = await client.post(f"/api/stations/{STATION}/commands", json=body)
    assert answer.status_code == 422
    assert "rotate-password" in answer.json()["detail"]
    assert await can_connect(server, "2.0.1", PASSWORD)


async def test_an_offline_station_keeps_its_password(server: RunningServer) -> None:
    async with technician_api(server) as client:
        rotated = await client.post(f"/api/stations/{STATION}/password-rotation")
        unknown = await client.post("/api/stations/NOPE/password-rotation")
    assert rotated.json()["status"] == "offline"
    assert unknown.status_code == 404
    assert await can_connect(server, "1.6", PASSWORD)


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_the_simulator_switches_and_reconnects(server: RunningServer, version: str) -> None:
    config = StationConfig(
        station_id=STATION,
        protocol=version,  # type: ignore[arg-type]
        url=server.ws_url,
        password=PASSWORD,
        reconnect_delay_s=0.1,
    )
    simulated = SimulatedStation(config, seed=2)
    await simulated.start()
    try:
        await simulated.wait_ready(30)
        async with technician_api(server) as client:
            rotated = (await client.post(f"/api/stations/{STATION}/password-rotation")).json()
        assert rotated["status"] == "accepted"
        for _ in range(200):  # until the station has connected with the new password
            station = await server.forecourt.services.network.station(STATION)
            if station.previous_password_hash is None and station.connected:
                break
            await asyncio.sleep(0.05)
        assert station.previous_password_hash is None
        assert config.password != PASSWORD
        assert not await can_connect(server, version, PASSWORD)
    finally:
        await simulated.stop()
