"""Connect, boot (Accepted / Pending / Rejected), status and heartbeat, both versions."""

from __future__ import annotations

import base64

from ocpp.v16 import call as call16
from ocpp.v201 import call as call201

from forecourt.simulator import ProtocolVersion, ac_post, dc_dispenser
from tests.simulator.kit import StationFactory
from tests.simulator.simcsms import CsmsServer, Frame, schema_errors


async def test_boot_then_status_of_every_connector_then_heartbeat(
    csms: CsmsServer, make_station: StationFactory, protocol: ProtocolVersion
) -> None:
    station = make_station(protocol, evses=[dc_dispenser(), ac_post()])
    sid = station.config.station_id
    await station.start()
    await station.wait_ready(30)
    await csms.recorder.wait_for(sid, "Heartbeat", timeout=3)

    actions = csms.recorder.actions(sid)
    assert actions[0] == "BootNotification"
    statuses = csms.recorder.calls(sid, "StatusNotification")
    if protocol == "1.6":
        assert [(s["connectorId"], s["status"]) for s in statuses] == [
            (0, "Available"),
            (1, "Available"),
            (2, "Available"),
        ]
    else:
        assert [(s["evseId"], s["connectorId"], s["connectorStatus"]) for s in statuses] == [
            (1, 1, "Available"),
            (1, 2, "Available"),
            (2, 1, "Available"),
        ]
        assert csms.recorder.calls(sid, "BootNotification")[0]["reason"] == "PowerUp"
    assert station.settings.number("HeartbeatInterval") == csms.policy.interval


async def test_basic_auth_header_carries_station_id_and_password(
    csms: CsmsServer, make_station: StationFactory
) -> None:
    station = make_station("1.6", password="s3cret-pass")
    await station.start()
    await station.wait_booted(5)
    expected = base64.b64encode(f"{station.config.station_id}:s3cret-pass".encode()).decode()
    assert csms.auth_headers[station.config.station_id] == f"Basic {expected}"


async def test_pending_boot_answers_csms_calls_and_boots_again_when_triggered(
    csms: CsmsServer, make_station: StationFactory, protocol: ProtocolVersion
) -> None:
    csms.policy.boot_statuses = ["Pending"]
    csms.policy.interval = 60  # the retry would be far away: the trigger must cut it short
    station = make_station(protocol)
    sid = station.config.station_id
    await station.start()
    await csms.recorder.wait_for(sid, "BootNotification")

    if protocol == "1.6":
        config = await csms.call(sid, call16.GetConfiguration(key=["HeartbeatInterval"]))
        assert config.configuration_key[0]["key"] == "HeartbeatInterval"
        await csms.call(sid, call16.TriggerMessage(requested_message="BootNotification"))
    else:
        component = {
            "component": {"name": "OCPPCommCtrlr"},
            "variable": {"name": "HeartbeatInterval"},
        }
        result = await csms.call(sid, call201.GetVariables(get_variable_data=[component]))
        assert result.get_variable_result[0]["attribute_status"] == "Accepted"
        await csms.call(sid, call201.TriggerMessage(requested_message="BootNotification"))

    await station.wait_ready(30)
    assert len(csms.recorder.calls(sid, "BootNotification")) == 2
    assert not station.uplink.outbox


async def test_rejected_boot_is_retried_after_the_interval(
    csms: CsmsServer, make_station: StationFactory, protocol: ProtocolVersion
) -> None:
    csms.policy.boot_statuses = ["Rejected"]
    csms.policy.interval = 1
    station = make_station(protocol)
    await station.start()
    await station.wait_ready(30)
    sid = station.config.station_id
    boots = csms.recorder.calls(sid, "BootNotification")
    assert len(boots) == 2
    assert "StatusNotification" not in csms.recorder.actions(sid)[:2]  # nothing while rejected


def test_the_schema_check_itself_catches_a_bad_frame() -> None:
    """Every test asserts (in the ``csms`` fixture) that the station's frames are
    schema-valid; make sure that check can fail."""
    frames = [
        Frame("X", "to_csms", '[2,"1","StatusNotification",{"connectorId":1,"status":"Fine"}]', 1),
        Frame("X", "to_csms", '[2,"2","Heartbeat",{"at":"2024-01-01T00:00:00Z"}]', 1),
        Frame("X", "to_csms", '[2,"3","Heartbeat",{"timestamp":"2024-01-01T00:00:00Z"}]', 1),
    ]
    errors = schema_errors(frames, "1.6")
    assert any("errorCode" in error for error in errors)
    assert any("'Fine' is not one of" in error for error in errors)
    assert any("bad timestamp" in error for error in errors)
