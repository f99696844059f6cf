"""The simulated 2.0.1 station's monitors refuse what a real station refuses."""

from __future__ import annotations

import pytest
from ocpp.v201 import call

from forecourt.simulator import SimulatedStation, dc_dispenser
from tests.simulator.kit import StationFactory
from tests.simulator.simcsms import CsmsServer


def monitor(component: str, name: str, kind: str, evse: int | None = None) -> dict[str, object]:
    where: dict[str, object] = {"name": component}
    if evse is not None:
        where["evse"] = {"id": evse}
    return {"component": where, "variable": {"name": name}, "type": kind, "value": 5,
            "severity": 4}  # fmt: skip


@pytest.fixture
async def station(make_station: StationFactory) -> SimulatedStation:
    station = make_station("2.0.1", station_id="CS201", evses=[dc_dispenser()])
    await station.start()
    await station.wait_ready(30)
    return station


@pytest.mark.usefixtures("station")
async def test_monitors_are_accepted_only_where_a_station_would(csms: CsmsServer) -> None:
    data = [
        monitor("EVSE", "Power", "UpperThreshold", evse=1),
        monitor("EVSE", "Power", "UpperThreshold", evse=1),  # the same again
        monitor("ChargingStation", "Model", "Delta"),  # text: nothing to compare
        monitor("EVSE", "Power", "Periodic", evse=1),
        monitor("EVSE", "Voltage", "Delta", evse=1),
        monitor("Transformer", "Temperature", "Delta"),
    ]
    result = await csms.call("CS201", call.SetVariableMonitoring(set_monitoring_data=data))
    assert [r["status"] for r in result.set_monitoring_result] == [
        "Accepted",
        "Duplicate",
        "UnsupportedMonitorType",
        "UnsupportedMonitorType",
        "UnknownVariable",
        "UnknownComponent",
    ]
    report = await csms.call("CS201", call.GetMonitoringReport(request_id=3))
    assert report.status == "Accepted"
    cleared = await csms.call("CS201", call.ClearVariableMonitoring(id=[1, 9]))
    assert [r["status"] for r in cleared.clear_monitoring_result] == ["Accepted", "NotFound"]
    empty = await csms.call("CS201", call.GetMonitoringReport(request_id=4))
    assert empty.status == "EmptyResultSet"
    assert (await csms.call("CS201", call.SetMonitoringLevel(severity=12))).status == "Rejected"
