"""Offline queueing, replays and raw frames: the hooks for the server's idempotency and
protocol tests."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import orjson

from forecourt.simulator import ProtocolVersion
from tests.simulator.kit import LONG_SESSION, StationFactory, ready_station
from tests.simulator.simcsms import CsmsServer, parse_timestamp, readings


async def test_offline_201_events_are_flushed_in_order_flagged_with_original_timestamps(
    csms: CsmsServer, make_station: StationFactory
) -> None:
    station = await ready_station(make_station, "2.0.1")
    sid = station.config.station_id
    session = station.start_session(1, vehicle=LONG_SESSION)
    assert session is not None
    await csms.recorder.wait_for(sid, "TransactionEvent", count=3)

    await station.go_offline()
    went_offline = datetime.now(UTC)
    await asyncio.sleep(0.5)  # ~5 meter ticks happen while the link is down
    await station.go_online(timeout=5)
    came_back = datetime.now(UTC)
    await station.stop_session(1, timeout=30)
    await station.uplink.wait_outbox_empty(30)

    events = csms.recorder.calls(sid, "TransactionEvent")
    assert [e["seqNo"] for e in events] == list(range(len(events)))  # no gap, no repeat
    offline = [e for e in events if e.get("offline")]
    assert len(offline) >= 2
    for event in offline:
        assert went_offline <= parse_timestamp(event["timestamp"]) <= came_back
    stamps = [parse_timestamp(e["timestamp"]) for e in events]
    assert stamps == sorted(stamps)
    registers = [v for _, _, v in readings(events, "Energy.Active.Import.Register")]
    assert registers == sorted(registers)
    assert csms.connections[sid] == 2
    assert len(csms.recorder.calls(sid, "BootNotification")) == 1  # no reboot, no new boot


async def test_abrupt_drop_mid_call_delivers_that_event_again_after_reconnect(
    csms: CsmsServer, make_station: StationFactory
) -> None:
    station = await ready_station(make_station, "2.0.1")
    sid = station.config.station_id
    session = station.start_session(1, vehicle=LONG_SESSION)
    assert session is not None
    await session.wait_charging(30)
    await station.go_offline(abrupt=True)
    await station.go_online(timeout=5)
    await station.stop_session(1, timeout=30)
    await station.uplink.wait_outbox_empty(30)
    seq_nos = [e["seqNo"] for e in csms.recorder.calls(sid, "TransactionEvent")]
    assert sorted(set(seq_nos)) == list(range(max(seq_nos) + 1))  # duplicates allowed, no gaps
    assert seq_nos == sorted(seq_nos)


async def test_offline_16_start_is_queued_and_later_messages_learn_the_transaction_id(
    csms: CsmsServer, make_station: StationFactory
) -> None:
    station = await ready_station(make_station, "1.6")
    sid = station.config.station_id
    await station.go_offline()
    went_offline = datetime.now(UTC)
    session = station.start_session(1, vehicle=LONG_SESSION)
    assert session is not None
    await session.wait_charging(30)
    await asyncio.sleep(0.4)
    await station.go_online(timeout=5)
    came_back = datetime.now(UTC)
    await station.stop_session(1, timeout=30)
    await station.uplink.wait_outbox_empty(30)

    assert "Authorize" not in csms.recorder.actions(sid)  # authorized locally while offline
    start = csms.recorder.calls(sid, "StartTransaction")[0]
    assert went_offline <= parse_timestamp(start["timestamp"]) <= came_back
    meter_values = csms.recorder.calls(sid, "MeterValues")
    assert len(meter_values) >= 2
    assert {m["transactionId"] for m in meter_values} == {1001}
    stamps = [parse_timestamp(m["meterValue"][0]["timestamp"]) for m in meter_values]
    assert stamps == sorted(stamps)
    assert stamps[1] < came_back
    assert csms.recorder.calls(sid, "StopTransaction")[0]["transactionId"] == 1001


async def test_replay_last_start_sends_the_same_payload_again(
    csms: CsmsServer, make_station: StationFactory, protocol: ProtocolVersion
) -> None:
    station = await ready_station(make_station, protocol)
    session = station.start_session(1, vehicle=LONG_SESSION)
    assert session is not None
    await session.wait_charging(30)
    await station.uplink.wait_outbox_empty(30)
    await station.replay_last_start()
    sid = station.config.station_id
    if protocol == "1.6":
        first, again = csms.recorder.calls(sid, "StartTransaction")
    else:
        started = [
            e for e in csms.recorder.calls(sid, "TransactionEvent") if e["eventType"] == "Started"
        ]
        first, again = started
    assert first == again


async def test_resend_last_call_reuses_the_message_id(
    csms: CsmsServer, make_station: StationFactory, protocol: ProtocolVersion
) -> None:
    station = await ready_station(make_station, protocol)
    last = station.uplink.rpc.last_call if station.uplink.rpc else None
    assert last is not None
    await station.resend_last_call()
    sid = station.config.station_id
    ids = [
        f.message[1]
        for f in csms.recorder.frames
        if f.station_id == sid and f.direction == "to_csms"
    ]
    assert ids.count(last.message_id) == 2


async def test_send_raw_returns_the_csms_reply(
    csms: CsmsServer, make_station: StationFactory, protocol: ProtocolVersion
) -> None:
    station = await ready_station(make_station, protocol)
    csms.exempt_message_ids |= {"raw-2", "raw-3"}

    ok = await station.send_raw('[2,"raw-1","Heartbeat",{}]')
    assert ok is not None
    assert orjson.loads(ok)[:2] == [3, "raw-1"]

    unknown = await station.send_raw('[2,"raw-2","NoSuchAction",{}]')
    assert unknown is not None
    assert orjson.loads(unknown)[:2] == [4, "raw-2"]
    assert orjson.loads(unknown)[2] in ("NotImplemented", "NotSupported")

    bad = await station.send_raw('[2,"raw-3","Heartbeat",{"bogus":1}]')
    assert bad is not None
    # The 1.6 spec spells it FormationViolation; the ocpp package uses the 2.0.1 spelling.
    assert orjson.loads(bad)[:2] == [4, "raw-3"]
    assert orjson.loads(bad)[2] in ("FormationViolation", "FormatViolation")

    silence = await station.send_raw("not json at all", timeout=0.3)
    assert silence is None  # the ocpp package ignores unparsable frames


async def test_sloppy_station_breaks_the_rules_a_lenient_csms_must_tolerate(
    csms: CsmsServer, make_station: StationFactory
) -> None:
    station = make_station("1.6", station_id="SLOPPY", sloppy=True, model="Simulator-Lenient")
    csms.exempt_stations.add("SLOPPY")
    await station.start()
    await station.wait_booted(5)
    await csms.recorder.wait_for("SLOPPY", "StatusNotification")
    assert csms.sockets["SLOPPY"].subprotocol is None
    frames = [f.message for f in csms.recorder.frames if f.direction == "to_csms"]
    assert all(len(message[1]) == 40 for message in frames)
    boot = csms.recorder.calls("SLOPPY", "BootNotification")[0]
    assert "simulatorNote" not in boot  # the boot stays clean: it names the quirks
    status = csms.recorder.calls("SLOPPY", "StatusNotification")[0]
    assert status["status"] == "available"
    assert status["simulatorNote"] == "sloppy"
