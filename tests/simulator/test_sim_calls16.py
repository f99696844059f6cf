"""OCPP 1.6 CSMS-initiated calls answered by the simulated station."""

from __future__ import annotations

import asyncio

import pytest
from ocpp.exceptions import OCPPError
from ocpp.v16 import call

from forecourt.simulator import SimulatedStation
from tests.simulator.kit import LONG_SESSION, StationFactory
from tests.simulator.simcsms import CsmsServer


@pytest.fixture
async def station(make_station: StationFactory) -> SimulatedStation:
    station = make_station("1.6", station_id="CP16")
    await station.start()
    await station.wait_ready(30)
    return station


async def test_configuration_keys_read_change_and_unknown(
    csms: CsmsServer, station: SimulatedStation
) -> None:
    result = await csms.call("CP16", call.GetConfiguration(key=["HeartbeatInterval", "Nope"]))
    assert result.configuration_key == [
        {"key": "HeartbeatInterval", "readonly": False, "value": "1"}
    ]
    assert result.unknown_key == ["Nope"]
    everything = await csms.call("CP16", call.GetConfiguration())
    keys = {entry["key"] for entry in everything.configuration_key}
    assert {"MeterValueSampleInterval", "NumberOfConnectors"} <= keys

    async def change(key: str, value: str) -> str:
        return str((await csms.call("CP16", call.ChangeConfiguration(key=key, value=value))).status)

    assert await change("MeterValueSampleInterval", "5") == "Accepted"
    assert station.meter_interval() == 5
    assert await change("HeartbeatInterval", "soon") == "Rejected"
    assert await change("NumberOfConnectors", "4") == "Rejected"  # read-only
    assert await change("Nope", "1") == "NotSupported"


@pytest.mark.usefixtures("station")
async def test_misc_calls_and_not_implemented(csms: CsmsServer) -> None:
    assert (await csms.call("CP16", call.ClearCache())).status == "Accepted"
    ours = await csms.call("CP16", call.DataTransfer(vendor_id="Forecourt", data="ping"))
    assert (ours.status, ours.data) == ("Accepted", "ping")
    theirs = await csms.call("CP16", call.DataTransfer(vendor_id="Acme"))
    assert theirs.status == "UnknownVendorId"
    certificates = call.GetInstalledCertificateIds(certificate_type="CentralSystemRootCertificate")
    with pytest.raises(OCPPError) as error:  # certificates are issue 18's
        await csms.call("CP16", certificates)
    assert error.value.code == "NotImplemented"


@pytest.mark.usefixtures("station")
async def test_diagnostics_to_an_unreachable_url_report_upload_failed(csms: CsmsServer) -> None:
    answer = await csms.call("CP16", call.GetDiagnostics(location="http://127.0.0.1:9/nowhere"))
    assert answer.file_name.startswith("CP16-")
    for _ in range(100):
        calls = csms.recorder.calls("CP16", "DiagnosticsStatusNotification")
        statuses = [c["status"] for c in calls]
        if "UploadFailed" in statuses:
            break
        await asyncio.sleep(0.05)
    assert statuses == ["Uploading", "UploadFailed"]


@pytest.mark.usefixtures("station")
async def test_trigger_message_sends_the_requested_message(csms: CsmsServer) -> None:
    statuses = len(csms.recorder.calls("CP16", "StatusNotification"))
    trigger = call.TriggerMessage(requested_message="StatusNotification", connector_id=1)
    assert (await csms.call("CP16", trigger)).status == "Accepted"
    status = await csms.recorder.wait_for("CP16", "StatusNotification", count=statuses + 1)
    assert status["connectorId"] == 1

    await csms.call("CP16", call.TriggerMessage(requested_message="MeterValues", connector_id=1))
    sample = await csms.recorder.wait_for("CP16", "MeterValues")
    assert sample["meterValue"][0]["sampledValue"][0]["context"] == "Trigger"

    for requested in ("Heartbeat", "DiagnosticsStatusNotification", "FirmwareStatusNotification"):
        await csms.call("CP16", call.TriggerMessage(requested_message=requested))
        await csms.recorder.wait_for("CP16", requested)
    bad = call.TriggerMessage(requested_message="Heartbeat", connector_id=7)
    assert (await csms.call("CP16", bad)).status == "Rejected"


async def test_unlock_and_change_availability(csms: CsmsServer, station: SimulatedStation) -> None:
    assert (await csms.call("CP16", call.UnlockConnector(connector_id=1))).status == "Unlocked"
    assert (await csms.call("CP16", call.UnlockConnector(connector_id=9))).status == "NotSupported"

    inoperative = call.ChangeAvailability(connector_id=1, type="Inoperative")
    assert (await csms.call("CP16", inoperative)).status == "Accepted"
    await csms.recorder.wait_for(
        "CP16", "StatusNotification", lambda s: s["status"] == "Unavailable"
    )
    assert station.start_session(1) is None
    operative = call.ChangeAvailability(connector_id=0, type="Operative")
    assert (await csms.call("CP16", operative)).status == "Accepted"
    assert station.start_session(1, vehicle=LONG_SESSION) is not None


async def test_unlock_during_a_session_stops_it(
    csms: CsmsServer, station: SimulatedStation
) -> None:
    session = station.start_session(1, vehicle=LONG_SESSION)
    assert session is not None
    await session.wait_charging(30)
    busy = call.ChangeAvailability(connector_id=1, type="Inoperative")
    assert (await csms.call("CP16", busy)).status == "Scheduled"
    assert (await csms.call("CP16", call.UnlockConnector(connector_id=1))).status == "Unlocked"
    stop = await csms.recorder.wait_for("CP16", "StopTransaction")
    assert stop["reason"] == "UnlockCommand"
    await csms.recorder.wait_for(
        "CP16", "StatusNotification", lambda s: s["status"] == "Unavailable"
    )
