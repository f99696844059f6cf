"""OCPP 2.0.1 CSMS-initiated calls answered by the simulated station."""

from __future__ import annotations

import pytest
from ocpp.exceptions import OCPPError
from ocpp.v201 import call

from forecourt.simulator import SimulatedStation, ac_post, dc_dispenser
from tests.simulator.kit import LONG_SESSION, StationFactory
from tests.simulator.simcsms import CsmsServer


def variable(component: str, name: str, **extra: object) -> dict[str, object]:
    return {"component": {"name": component}, "variable": {"name": name}, **extra}


@pytest.fixture
async def station(make_station: StationFactory) -> SimulatedStation:
    station = make_station("2.0.1", station_id="CS201", evses=[dc_dispenser(), ac_post()])
    await station.start()
    await station.wait_ready(30)
    return station


async def test_get_and_set_variables(csms: CsmsServer, station: SimulatedStation) -> None:
    wanted = [
        variable("OCPPCommCtrlr", "HeartbeatInterval"),
        variable("OCPPCommCtrlr", "Nope"),
        variable("Nope", "Nope"),
        variable("OCPPCommCtrlr", "HeartbeatInterval", attribute_type="Target"),
        {"component": {"name": "EVSE", "evse": {"id": 2}}, "variable": {"name": "Power"}},
    ]
    result = await csms.call("CS201", call.GetVariables(get_variable_data=wanted))
    statuses = [
        (r["attribute_status"], r.get("attribute_value")) for r in result.get_variable_result
    ]
    assert statuses == [
        ("Accepted", "1"),
        ("UnknownVariable", None),
        ("UnknownComponent", None),
        ("NotSupportedAttributeType", None),
        ("Accepted", "11520"),
    ]
    changes = [
        variable("OCPPCommCtrlr", "HeartbeatInterval", attribute_value="30"),
        variable("ChargingStation", "Model", attribute_value="Other"),
        variable("SampledDataCtrlr", "TxUpdatedInterval", attribute_value="never"),
    ]
    result = await csms.call("CS201", call.SetVariables(set_variable_data=changes))
    assert [r["attribute_status"] for r in result.set_variable_result] == [
        "Accepted",
        "Rejected",
        "Rejected",
    ]
    assert station.settings.number("HeartbeatInterval") == 30


@pytest.mark.usefixtures("station")
async def test_base_report_arrives_in_numbered_chunks(csms: CsmsServer) -> None:
    result = await csms.call("CS201", call.GetBaseReport(request_id=7, report_base="FullInventory"))
    assert result.status == "Accepted"
    last = await csms.recorder.wait_for("CS201", "NotifyReport", lambda r: not r["tbc"])
    reports = csms.recorder.calls("CS201", "NotifyReport")
    assert [r["seqNo"] for r in reports] == list(range(len(reports)))
    assert last == reports[-1]
    assert len(reports) > 1
    assert {r["requestId"] for r in reports} == {7}
    names = {d["variable"]["name"] for r in reports for d in r["reportData"]}
    assert {"HeartbeatInterval", "ConnectorType", "AvailabilityState"} <= names


async def test_trigger_message(csms: CsmsServer, station: SimulatedStation) -> None:
    before = len(csms.recorder.calls("CS201", "StatusNotification"))
    trigger = call.TriggerMessage(
        requested_message="StatusNotification", evse={"id": 1, "connector_id": 2}
    )
    assert (await csms.call("CS201", trigger)).status == "Accepted"
    await csms.recorder.wait_for("CS201", "StatusNotification", count=before + 1)
    await csms.call("CS201", call.TriggerMessage(requested_message="MeterValues", evse={"id": 2}))
    sample = await csms.recorder.wait_for("CS201", "MeterValues")
    assert sample["evseId"] == 2
    assert sample["meterValue"][0]["sampledValue"][0]["context"] == "Trigger"
    await csms.call("CS201", call.TriggerMessage(requested_message="Heartbeat"))
    log = call.TriggerMessage(requested_message="LogStatusNotification")
    assert (await csms.call("CS201", log)).status == "NotImplemented"
    unknown_evse = call.TriggerMessage(requested_message="Heartbeat", evse={"id": 9})
    assert (await csms.call("CS201", unknown_evse)).status == "Rejected"

    session = station.start_session(1, vehicle=LONG_SESSION)
    assert session is not None
    await session.wait_charging(30)
    await csms.call("CS201", call.TriggerMessage(requested_message="TransactionEvent"))
    event = await csms.recorder.wait_for(
        "CS201", "TransactionEvent", lambda e: e["triggerReason"] == "Trigger"
    )
    assert event["transactionInfo"]["transactionId"] == session.transaction_id


async def test_unlock_availability_and_misc(csms: CsmsServer, station: SimulatedStation) -> None:
    unlock = await csms.call("CS201", call.UnlockConnector(evse_id=1, connector_id=2))
    assert unlock.status == "Unlocked"
    missing = await csms.call("CS201", call.UnlockConnector(evse_id=1, connector_id=3))
    assert missing.status == "UnknownConnector"
    session = station.start_session(1, vehicle=LONG_SESSION)
    assert session is not None
    await session.wait_charging(30)
    busy = await csms.call(
        "CS201", call.UnlockConnector(evse_id=1, connector_id=session.connector_id)
    )
    assert busy.status == "OngoingAuthorizedTransaction"

    inoperative = call.ChangeAvailability(operational_status="Inoperative", evse={"id": 2})
    assert (await csms.call("CS201", inoperative)).status == "Accepted"
    await csms.recorder.wait_for(
        "CS201",
        "StatusNotification",
        lambda s: (s["evseId"], s["connectorStatus"]) == (2, "Unavailable"),
    )
    assert station.start_session(2) is None
    assert (await csms.call("CS201", call.ClearCache())).status == "Accepted"
    theirs = await csms.call("CS201", call.DataTransfer(vendor_id="Acme"))
    assert theirs.status == "UnknownVendorId"
    nothing = await csms.call("CS201", call.UnpublishFirmware(checksum="0" * 32))
    assert nothing.status == "NoFirmware"  # nothing published yet (L04)
    with pytest.raises(OCPPError) as error:
        await csms.call("CS201", call.GetInstalledCertificateIds())
    assert error.value.code == "NotImplemented"
