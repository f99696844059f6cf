"""Fault injection knobs, seen from the CSMS side of the wire."""

from __future__ import annotations

import asyncio

import pytest
from ocpp.v16 import call as call16
from ocpp.v201 import call as call201

from forecourt.simulator import ProtocolVersion, StopCause
from tests.simulator.kit import LONG_SESSION, StationFactory, ready_station
from tests.simulator.simcsms import CsmsServer


async def test_latch_failure_ends_every_session_within_seconds_with_no_energy(
    csms: CsmsServer, make_station: StationFactory, protocol: ProtocolVersion
) -> None:
    station = await ready_station(make_station, protocol)
    station.evse(1).config.faults.latch_failure = True
    session = station.start_session(1, vehicle=LONG_SESSION)
    assert session is not None
    await session.wait_ended(30)
    await station.uplink.wait_outbox_empty(30)
    assert session.stop_cause is StopCause.LATCH_FAILURE
    assert session.energy_wh == 0
    sid = station.config.station_id
    if protocol == "1.6":
        start = csms.recorder.calls(sid, "StartTransaction")[0]
        stop = csms.recorder.calls(sid, "StopTransaction")[0]
        assert (stop["reason"], stop["meterStop"]) == ("Other", start["meterStart"])
    else:
        ended = csms.recorder.calls(sid, "TransactionEvent")[-1]
        assert ended["triggerReason"] == "EVConnectTimeout"
        assert ended["transactionInfo"]["stoppedReason"] == "Timeout"


async def test_dead_card_reader_never_sends_authorize_but_remote_start_works(
    csms: CsmsServer, make_station: StationFactory, protocol: ProtocolVersion
) -> None:
    station = await ready_station(make_station, protocol)
    station.faults.card_reader_dead = True
    session = station.start_session(1, vehicle=LONG_SESSION)
    assert session is not None
    await session.wait_ended(30)
    sid = station.config.station_id
    assert session.stop_cause is StopCause.CARD_NOT_READ
    assert "Authorize" not in csms.recorder.actions(sid)
    assert "StartTransaction" not in csms.recorder.actions(sid)

    remote = station.start_session(1, vehicle=LONG_SESSION, remote=True, id_token="APP")
    assert remote is not None
    await remote.wait_charging(30)


async def test_half_open_station_ignores_calls_and_pings_but_keeps_heartbeating(
    csms: CsmsServer, make_station: StationFactory
) -> None:
    station = await ready_station(make_station, "1.6")
    sid = station.config.station_id
    csms.stations[sid]._response_timeout = 0.3  # keep the test fast
    station.faults.half_open = True
    with pytest.raises(asyncio.TimeoutError):
        await csms.call(sid, call16.ClearCache())
    pong = await csms.sockets[sid].ping()
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(pong, 0.3)
    beats = len(csms.recorder.calls(sid, "Heartbeat"))
    await csms.recorder.wait_for(sid, "Heartbeat", count=beats + 1, timeout=2)

    station.faults.half_open = False
    assert (await csms.call(sid, call16.ClearCache())).status == "Accepted"


async def test_silent_station_takes_no_sessions(
    csms: CsmsServer, make_station: StationFactory, protocol: ProtocolVersion
) -> None:
    station = await ready_station(make_station, protocol)
    station.faults.silent = True
    sid = station.config.station_id
    assert station.start_session(1) is None
    if protocol == "1.6":
        result = await csms.call(sid, call16.RemoteStartTransaction(id_tag="APP"))
    else:
        token = {"idToken": "APP", "type": "Central"}
        result = await csms.call(
            sid, call201.RequestStartTransaction(id_token=token, remote_start_id=1)
        )
    assert result.status == "Rejected"
    statuses = csms.recorder.calls(sid, "StatusNotification")
    assert all(s.get("status", s.get("connectorStatus")) == "Available" for s in statuses)


async def test_derated_evse_reports_lower_offered_power(
    csms: CsmsServer, make_station: StationFactory
) -> None:
    station = await ready_station(make_station, "2.0.1")
    station.evse(1).config.faults.derate_factor = 0.5
    session = station.start_session(1, vehicle=LONG_SESSION)
    assert session is not None
    await session.wait_charging(30)
    sid = station.config.station_id
    event = await csms.recorder.wait_for(
        sid, "TransactionEvent", lambda e: e["triggerReason"] == "MeterValuePeriodic"
    )
    values = {v["measurand"]: v["value"] for v in event["meterValue"][0]["sampledValue"]}
    assert values["Power.Offered"] == 75_000
    assert values["Power.Active.Import"] <= 75_000
