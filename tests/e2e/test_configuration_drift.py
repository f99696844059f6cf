"""Configuration drift against the simulator on 1.6 and 2.0.1: read back after boot, the
difference found, corrected with ChangeConfiguration / SetVariables, and read back clean; a
key the model refuses to change is shown, never corrected."""

from __future__ import annotations

import asyncio

import pytest

from forecourt.domain.drift import DriftState
from forecourt.domain.stations import BootInfo
from tests.e2e.conftest import STATION
from tests.e2e.test_simulator_against_server import simulated
from tests.support.server import RunningServer

#: (heartbeat key, a read-only key) in each version's words.
KEYS = {
    "1.6": ("HeartbeatInterval", "SupportedFeatureProfiles"),
    "2.0.1": ("OCPPCommCtrlr.HeartbeatInterval", "ChargingStation.Model"),
}


@pytest.mark.parametrize("protocol", ["1.6", "2.0.1"])
async def test_drift_is_found_after_boot_and_corrected(
    server: RunningServer, protocol: str
) -> None:
    services = server.forecourt.services
    heartbeat, readonly = KEYS[protocol]
    async with simulated(server, protocol) as station:
        model = (await services.network.station(STATION)).model
        assert model
        await services.drift.set_desired(model, heartbeat, "77")
        await services.drift.set_desired(model, readonly, "Something else")
        await services.drift.set_desired(model, "NoSuchKey" if protocol == "1.6" else "X.Y", "1")
        check = await services.drift.check(STATION)
        states = {i.key: (i.state, i.fixed) for i in check.items}
        assert states[heartbeat] == (DriftState.DIFFERS, False)
        assert states[readonly] == (DriftState.DIFFERS, True)
        missing = "NoSuchKey" if protocol == "1.6" else "X.Y"
        assert states[missing] == (DriftState.MISSING, False)

        records, after = await services.drift.correct(STATION)

        assert [r.kind.value for r in records] == ["set_configuration"]
        assert records[0].status.succeeded
        assert station.settings.number("HeartbeatInterval") == 77
        fixed = {i.key: i.state for i in after.items}
        assert fixed[heartbeat] is DriftState.MATCHES
        assert fixed[readonly] is DriftState.DIFFERS  # shown, never corrected
        assert (await services.drift.latest(STATION)) == after


async def test_a_boot_reads_the_configuration_back(server: RunningServer) -> None:
    services = server.forecourt.services
    await services.drift.set_desired("SimDC-150", "HeartbeatInterval", "60")
    async with simulated(server, "1.6"):

        async def checked() -> bool:
            return await services.drift.latest(STATION) is not None

        deadline = asyncio.get_running_loop().time() + 15
        while not await checked():
            assert asyncio.get_running_loop().time() < deadline
            await asyncio.sleep(0.05)
        assert await services.drift.check_connected() == 1
    check = await services.drift.latest(STATION)
    assert check is not None
    assert [(i.key, i.state) for i in check.items] == [("HeartbeatInterval", DriftState.DIFFERS)]


async def test_an_unreachable_station_is_an_error_not_a_drift(server: RunningServer) -> None:
    services = server.forecourt.services
    never = await services.drift.check(STATION)  # never booted: no model, nothing to compare
    assert (never.items, never.error) == ([], "")
    await services.core.provisioning.boot(STATION, BootInfo("Forecourt", "SimDC-150"))
    await services.drift.set_desired("SimDC-150", "HeartbeatInterval", "60")

    check = await services.drift.check(STATION)  # it booted once, but is not connected now

    assert check.items == []
    assert check.error == "could not read the configuration: offline (station is not connected)"
    assert await services.drift.check_connected() == 0
