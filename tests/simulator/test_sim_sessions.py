"""Charging sessions: local, remote, reset mid-session; both OCPP versions."""

from __future__ import annotations

from ocpp.v16 import call as call16
from ocpp.v201 import call as call201

from forecourt.simulator import ProtocolVersion, StopCause
from tests.simulator.kit import LONG_SESSION, SHORT_TOP_UP, StationFactory, ready_station
from tests.simulator.simcsms import CsmsServer, readings

REGISTER = "Energy.Active.Import.Register"


def transaction_payloads(
    csms: CsmsServer, sid: str, protocol: ProtocolVersion
) -> list[dict[str, object]]:
    """Every metered payload of the station in order (1.6: MeterValues, then the
    Transaction.End sample inside StopTransaction)."""
    if protocol == "1.6":
        ends = [
            {"meterValue": stop["transactionData"][-1:]}
            for stop in csms.recorder.calls(sid, "StopTransaction")
        ]
        return csms.recorder.calls(sid, "MeterValues") + ends
    return csms.recorder.calls(sid, "TransactionEvent")


async def test_full_session_meters_a_growing_register_and_soc(
    csms: CsmsServer, make_station: StationFactory, protocol: ProtocolVersion
) -> None:
    station = await ready_station(make_station, protocol)
    sid = station.config.station_id
    start_register = station.evse(1).register_wh
    session = station.start_session(1, vehicle=SHORT_TOP_UP, id_token="TAG-42")
    assert session is not None
    await session.wait_ended(30)
    await station.uplink.wait_outbox_empty(30)

    assert session.stop_cause is StopCause.TARGET_SOC_REACHED
    assert session.soc >= 60
    energy = readings(transaction_payloads(csms, sid, protocol), REGISTER)
    values = [value for _, _, value in energy]
    assert values[0] == round(start_register) > 0  # a lifetime register, not zero per session
    assert values == sorted(values)
    assert values[-1] > values[0]
    contexts = [context for _, context, _ in energy]
    assert contexts[0] == "Transaction.Begin"
    assert contexts[-1] == "Transaction.End"
    assert "Sample.Periodic" in contexts
    soc = [value for _, _, value in readings(transaction_payloads(csms, sid, protocol), "SoC")]
    assert soc == sorted(soc)
    assert soc[-1] > soc[0]
    assert 900 < values[-1] - values[0] < 1300  # 1 kWh into the pack plus charger losses

    if protocol == "1.6":
        assert_16_session_messages(csms, sid, values[0], values[-1])
    else:
        assert_201_session_events(csms, sid, str(session.transaction_id))


def assert_16_session_messages(csms: CsmsServer, sid: str, first: float, last: float) -> None:
    assert csms.recorder.calls(sid, "Authorize") == [{"idTag": "TAG-42"}]
    start = csms.recorder.calls(sid, "StartTransaction")[0]
    stop = csms.recorder.calls(sid, "StopTransaction")[0]
    assert (start["meterStart"], stop["meterStop"]) == (first, last)
    assert (stop["transactionId"], stop["reason"]) == (1001, "EVDisconnected")
    statuses = [s["status"] for s in csms.recorder.calls(sid, "StatusNotification")]
    assert statuses[-4:] == ["Preparing", "Charging", "Finishing", "Available"]


def assert_201_session_events(csms: CsmsServer, sid: str, transaction_id: str) -> None:
    events = csms.recorder.calls(sid, "TransactionEvent")
    assert [e["seqNo"] for e in events] == list(range(len(events)))
    assert {e["transactionInfo"]["transactionId"] for e in events} == {transaction_id}
    assert (events[0]["eventType"], events[0]["triggerReason"]) == ("Started", "CablePluggedIn")
    assert events[1]["triggerReason"] == "Authorized"
    assert events[1]["idToken"] == {"idToken": "TAG-42", "type": "ISO14443"}
    assert events[-1]["eventType"] == "Ended"
    assert not any(e.get("offline") for e in events)
    statuses = [s["connectorStatus"] for s in csms.recorder.calls(sid, "StatusNotification")]
    assert "Occupied" in statuses


async def test_statuses_follow_the_transaction_messages_in_order(
    csms: CsmsServer, make_station: StationFactory
) -> None:
    station = await ready_station(make_station, "1.6")
    session = station.start_session(1, vehicle=SHORT_TOP_UP)
    assert session is not None
    await session.wait_ended(30)
    actions = csms.recorder.actions(station.config.station_id)
    assert actions.index("StartTransaction") < actions.index("MeterValues")
    charging = [i for i, a in enumerate(actions) if a == "StatusNotification"][3]
    assert actions.index("StartTransaction") < charging < actions.index("StopTransaction")


async def test_remote_start_and_remote_stop(
    csms: CsmsServer, make_station: StationFactory, protocol: ProtocolVersion
) -> None:
    station = await ready_station(make_station, protocol)
    sid = station.config.station_id
    if protocol == "1.6":
        started = await csms.call(
            sid, call16.RemoteStartTransaction(id_tag="APP-1", connector_id=1)
        )
        assert started.status == "Accepted"
        start = await csms.recorder.wait_for(sid, "StartTransaction")
        assert start["idTag"] == "APP-1"
        await csms.recorder.wait_for(sid, "MeterValues")
        stopped = await csms.call(sid, call16.RemoteStopTransaction(transaction_id=1001))
        assert stopped.status == "Accepted"
        stop = await csms.recorder.wait_for(sid, "StopTransaction")
        assert stop["reason"] == "Remote"
        assert stop["transactionId"] == 1001
        assert csms.recorder.calls(sid, "Authorize") == []  # AuthorizeRemoteTxRequests=false
        unknown = await csms.call(sid, call16.RemoteStopTransaction(transaction_id=999))
        assert unknown.status == "Rejected"
    else:
        token = {"idToken": "APP-1", "type": "Central"}
        request = call201.RequestStartTransaction(id_token=token, remote_start_id=42, evse_id=1)
        assert (await csms.call(sid, request)).status == "Accepted"
        started = await csms.recorder.wait_for(sid, "TransactionEvent")
        assert started["triggerReason"] == "RemoteStart"
        assert started["transactionInfo"]["remoteStartId"] == 42
        assert started["idToken"] == token
        tx_id = started["transactionInfo"]["transactionId"]
        await csms.recorder.wait_for(sid, "TransactionEvent", count=3)
        stop = call201.RequestStopTransaction(transaction_id=tx_id)
        assert (await csms.call(sid, stop)).status == "Accepted"
        ended = await csms.recorder.wait_for(
            sid, "TransactionEvent", lambda e: e["eventType"] == "Ended"
        )
        assert ended["triggerReason"] == "RemoteStop"
        assert ended["transactionInfo"]["stoppedReason"] == "Remote"


async def test_reset_mid_session_ends_it_with_the_reset_reason_then_reboots(
    csms: CsmsServer, make_station: StationFactory, protocol: ProtocolVersion
) -> None:
    station = await ready_station(make_station, protocol)
    sid = station.config.station_id
    session = station.start_session(1, vehicle=LONG_SESSION)
    assert session is not None
    await session.wait_charging(30)
    register_before = station.evse(1).register_wh

    if protocol == "1.6":
        assert (await csms.call(sid, call16.Reset(type="Hard"))).status == "Accepted"
        stop = await csms.recorder.wait_for(sid, "StopTransaction")
        assert stop["reason"] == "HardReset"
    else:
        assert (await csms.call(sid, call201.Reset(type="Immediate"))).status == "Accepted"
        ended = await csms.recorder.wait_for(
            sid, "TransactionEvent", lambda e: e["eventType"] == "Ended"
        )
        assert ended["triggerReason"] == "ResetCommand"
        assert ended["transactionInfo"]["stoppedReason"] == "ImmediateReset"

    second_boot = await csms.recorder.wait_for(sid, "BootNotification", count=2)
    if protocol == "2.0.1":
        assert second_boot["reason"] == "RemoteReset"
    await station.wait_ready(30)
    assert csms.connections[sid] == 2
    assert session.stop_cause is StopCause.HARD_RESET
    assert station.evse(1).register_wh >= register_before  # registers survive a reboot
    assert station.start_session(1, vehicle=SHORT_TOP_UP) is not None


async def test_soft_reset_16_uses_soft_reset_reason(
    csms: CsmsServer, make_station: StationFactory
) -> None:
    station = await ready_station(make_station, "1.6")
    sid = station.config.station_id
    session = station.start_session(1, vehicle=LONG_SESSION)
    assert session is not None
    await session.wait_charging(30)
    await csms.call(sid, call16.Reset(type="Soft"))
    stop = await csms.recorder.wait_for(sid, "StopTransaction")
    assert stop["reason"] == "SoftReset"
    await csms.recorder.wait_for(sid, "BootNotification", count=2)


async def test_on_idle_reset_201_waits_for_the_session(
    csms: CsmsServer, make_station: StationFactory
) -> None:
    station = await ready_station(make_station, "2.0.1")
    sid = station.config.station_id
    session = station.start_session(1, vehicle=LONG_SESSION)
    assert session is not None
    await session.wait_charging(30)
    assert (await csms.call(sid, call201.Reset(type="OnIdle"))).status == "Scheduled"
    await station.stop_session(1, timeout=30)
    await csms.recorder.wait_for(sid, "BootNotification", count=2)
    assert session.stop_cause is StopCause.LOCAL


async def test_rejected_token_never_starts_a_transaction(
    csms: CsmsServer, make_station: StationFactory, protocol: ProtocolVersion
) -> None:
    csms.policy.token_status = "Invalid"
    station = await ready_station(make_station, protocol)
    session = station.start_session(1, vehicle=SHORT_TOP_UP)
    assert session is not None
    await session.wait_ended(30)
    assert session.stop_cause is StopCause.NOT_AUTHORIZED
    assert session.energy_wh == 0
    sid = station.config.station_id
    assert "StartTransaction" not in csms.recorder.actions(sid)
