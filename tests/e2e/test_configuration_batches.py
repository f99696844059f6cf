"""Many configuration items at once (issue 16): split to the station's per-message limits,
results merged per item; over the wire with the `ocpp` package's ChargePoint."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

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

LIMITS = {("ItemsPerMessage", "GetVariables"): "2", ("ItemsPerMessage", "SetVariables"): "2",
          ("BytesPerMessage", "SetVariables"): "4000"}  # fmt: skip


class Station201(ChargePoint201):  # type: ignore[misc]
    gets: list[list[str]]
    sets: list[list[str]]

    @on(Action201.get_variables)  # type: ignore[untyped-decorator]
    def on_get(self, get_variable_data: list[dict[str, Any]]) -> Any:
        results = []
        names = []
        for item in get_variable_data:
            variable = item["variable"]
            names.append(variable["name"])
            limit = LIMITS.get((variable["name"], variable.get("instance", "")))
            value = limit if item["component"]["name"] == "DeviceDataCtrlr" else "7"
            status = "Accepted" if value else "UnknownVariable"
            result = {"attribute_status": status, "component": item["component"],
                      "variable": variable}  # fmt: skip
            if value:
                result["attribute_value"] = value
            results.append(result)
        self.gets.append(names)
        return result201.GetVariables(get_variable_result=results)

    @on(Action201.set_variables)  # type: ignore[untyped-decorator]
    def on_set(self, set_variable_data: list[dict[str, Any]]) -> Any:
        self.sets.append([item["variable"]["name"] for item in set_variable_data])
        results = [
            {"attribute_status": "Rejected" if item["attribute_value"] == "bad" else "Accepted",
             "component": item["component"], "variable": item["variable"]}
            for item in set_variable_data
        ]  # fmt: skip
        return result201.SetVariables(set_variable_result=results)


class Station16(ChargePoint16):  # type: ignore[misc]
    gets: list[list[str]]
    sets: list[list[str]]

    @on(Action16.get_configuration)  # type: ignore[untyped-decorator]
    def on_get(self, key: list[str] | None = None) -> Any:
        self.gets.append(key or [])
        known = [
            {"key": k, "readonly": False, "value": "2" if k == "GetConfigurationMaxKeys" else "7"}
            for k in key or []
        ]
        return result16.GetConfiguration(configuration_key=known)

    @on(Action16.change_configuration)  # type: ignore[untyped-decorator]
    def on_change(self, key: str, **_: Any) -> Any:
        self.sets.append([key])
        return result16.ChangeConfiguration(status="Accepted")


@asynccontextmanager
async def station(server: RunningServer, version: str) -> AsyncIterator[Any]:
    subprotocol = "ocpp1.6" if version == "1.6" else "ocpp2.0.1"
    async with connect(
        f"{server.ws_url}/{STATION}",
        subprotocols=[subprotocol],  # type: ignore[list-item]
        additional_headers=basic_auth(STATION, PASSWORD),
    ) as ws:
        cp = Station16(STATION, ws) if version == "1.6" else Station201(STATION, ws)
        cp.gets, cp.sets = [], []
        runner = asyncio.create_task(cp.start())
        try:
            yield cp
        finally:
            runner.cancel()


URL = f"/api/stations/{STATION}/configuration"
KEYS = [f"OCPPCommCtrlr.V{n}" for n in range(5)]


async def test_201_reads_and_writes_in_chunks_of_its_items_per_message(
    server: RunningServer,
) -> None:
    async with technician_api(server) as client, station(server, "2.0.1") as cp:
        read = (await client.post(URL, json={"get": KEYS})).json()
        wrote = await client.post(URL, json={"set": {"A.X": "1", "A.Y": "bad", "A.Z": "3"}})
    limits = ["ItemsPerMessage", "ItemsPerMessage", "BytesPerMessage", "BytesPerMessage"]
    assert cp.gets == [limits, ["V0", "V1"], ["V2", "V3"], ["V4"], limits]
    assert cp.sets == [["X", "Y"], ["Z"]]
    assert [(i["key"], i["value"]) for i in read["items"]] == [(k, "7") for k in KEYS]
    assert (read["status"], len(read["commands"])) == ("accepted", 3)
    assert [(i["key"], i["status"]) for i in wrote.json()["items"]] == [
        ("A.X", "accepted"), ("A.Y", "rejected"), ("A.Z", "accepted"),
    ]  # fmt: skip


async def test_16_reads_by_its_max_keys_and_changes_one_key_per_message(
    server: RunningServer,
) -> None:
    async with technician_api(server) as client, station(server, "1.6") as cp:
        read = (await client.post(URL, json={"get": ["A", "B", "C"]})).json()
        wrote = (await client.post(URL, json={"set": {"A": "1", "B": "2"}})).json()
    assert cp.gets == [["GetConfigurationMaxKeys"], ["A", "B"], ["C"], ["GetConfigurationMaxKeys"]]
    assert cp.sets == [["A"], ["B"]]
    assert [i["key"] for i in read["items"]] == ["A", "B", "C"]
    assert [i["status"] for i in wrote["items"]] == ["accepted", "accepted"]


async def test_password_keys_and_bad_bodies_are_refused(server: RunningServer) -> None:
    async with technician_api(server) as client, station(server, "2.0.1") as cp:
        password = await client.post(URL, json={"set": {"SecurityCtrlr.BasicAuthPassword": "x"}})
        both = await client.post(URL, json={"get": ["A.B"], "set": {"A.B": "1"}})
    assert password.status_code == 422
    assert "rotate-password" in password.json()["detail"]
    assert both.status_code == 422
    assert cp.gets == cp.sets == []  # nothing was sent


async def test_a_station_without_limits_gets_messages_of_the_default_size(
    server: RunningServer,
) -> None:
    config = StationConfig(STATION, "2.0.1", url=server.ws_url, password=PASSWORD)
    simulated = SimulatedStation(config, seed=4)
    await simulated.start()
    try:
        await simulated.wait_ready(30)
        async with technician_api(server) as client:
            changes = {"OCPPCommCtrlr.HeartbeatInterval": "30", "Nope.Nope": "1"}
            wrote = (await client.post(URL, json={"set": changes})).json()
            read = (await client.post(URL, json={"get": list(changes)})).json()
    finally:
        await simulated.stop()
    assert [i["status"] for i in wrote["items"]] == ["accepted", "not_supported"]
    assert len(wrote["commands"]) == 1
    assert read["items"][0]["value"] == "30"
    assert simulated.settings.number("HeartbeatInterval") == 30
