"""Issue 16's 2.0.1 administration messages over the wire: GetReport with criteria (its
NotifyReport parts recorded like a base report's), SetNetworkProfile, GetTransactionStatus
(as a command, and sent by Forecourt after an offline Ended with a gap in seqNo)."""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx
from ocpp.routing import on
from ocpp.v201 import ChargePoint, call, call_result
from ocpp.v201.enums import Action
from websockets.asyncio.client import connect

from forecourt.simulator import SimulatedStation, StationConfig
from tests.e2e.conftest import PASSWORD, STATION, TAG, basic_auth, simulated_station, technician_api
from tests.support.server import RunningServer

T0 = "2026-11-21T10:00:00Z"
BOOT = call.BootNotification(
    charging_station={"model": "E2E", "vendor_name": "Test"}, reason="PowerUp"
)


def simulated(server: RunningServer) -> AbstractAsyncContextManager[SimulatedStation]:
    return simulated_station(server, "2.0.1", seed=5, id_tags=[TAG], reconnect_delay_s=0.2)


async def command(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    answer = await client.post(f"/api/stations/{STATION}/commands", json=body)
    assert answer.status_code == 200, answer.text
    record: dict[str, Any] = answer.json()
    return record


async def reports(client: httpx.AsyncClient, request_id: int) -> list[dict[str, Any]]:
    for _ in range(100):
        answer = await client.get(
            f"/api/stations/{STATION}/events", params={"kind": "notify_report"}
        )
        parts = [e for e in answer.json() if e["data"].get("requestId") == request_id]
        if any(not part["data"].get("tbc") for part in parts):  # the last part arrived
            return parts
        await asyncio.sleep(0.05)
    return []


async def test_custom_report_and_network_profile_reach_the_simulator(
    server: RunningServer,
) -> None:
    async with simulated(server) as station, technician_api(server) as client:
        body = {"kind": "get_report", "criteria": ["enabled"], "keys": ["OCPPCommCtrlr"]}
        report = await command(client, {**body, "request_id": 41})
        problems = await command(client, {"kind": "get_report", "criteria": ["problem"]})
        parts = await reports(client, 41)
        profile = await command(
            client,
            {"kind": "set_network_profile", "slot": 2, "csms_url": "wss://csms.example/ocpp",
             "security_profile": 2, "interface": "wireless0"},
        )  # fmt: skip
        bad_slot = await command(
            client, {"kind": "set_network_profile", "slot": 0, "csms_url": "ws://x/ocpp"}
        )
        stored = station.dialect._calls.admin.network_profiles  # type: ignore[attr-defined]
    assert (report["status"], report["result"]["request_id"]) == ("accepted", 41)
    assert (problems["status"], problems["result"]["empty"]) == ("accepted", True)
    variables = [d for part in parts for d in part["data"]["reportData"]]
    assert variables
    assert {d["component"]["name"] for d in variables} == {"OCPPCommCtrlr"}
    assert profile["status"] == "accepted"
    assert bad_slot["status"] == "rejected"
    assert stored[2]["ocppCsmsUrl"] == "wss://csms.example/ocpp"
    assert stored[2]["ocppInterface"] == "Wireless0"


async def test_16_has_no_custom_report(server: RunningServer) -> None:
    config = StationConfig(station_id=STATION, protocol="1.6", url=server.ws_url,
                           password=PASSWORD, id_tags=[TAG])  # fmt: skip
    station = SimulatedStation(config, seed=5)
    await station.start()
    try:
        await station.wait_ready(30)
        async with technician_api(server) as client:
            report = await command(client, {"kind": "get_report", "keys": ["EVSE"]})
            status = await command(client, {"kind": "get_transaction_status"})
    finally:
        await station.stop()
    assert report["status"] == "not_supported"
    assert status["status"] == "not_supported"


class Station201(ChargePoint):  # type: ignore[misc]
    asked: list[dict[str, Any]]

    @on(Action.get_transaction_status)  # type: ignore[untyped-decorator]
    def on_status(self, **kwargs: Any) -> Any:
        self.asked.append(kwargs)
        return call_result.GetTransactionStatus(messages_in_queue=False, ongoing_indicator=False)


def event(kind: str, seq: int, **extra: Any) -> call.TransactionEvent:
    return call.TransactionEvent(
        event_type=kind, timestamp=T0, trigger_reason=extra.pop("trigger", "Authorized"),
        seq_no=seq, transaction_info={"transaction_id": "TX-LOST", **extra.pop("info", {})},
        **extra,
    )  # fmt: skip


async def test_a_gap_before_an_offline_end_asks_for_the_transaction_status(
    server: RunningServer,
) -> None:
    async with connect(
        f"{server.ws_url}/{STATION}",
        subprotocols=["ocpp2.0.1"],  # type: ignore[list-item]
        additional_headers=basic_auth(STATION, PASSWORD),
    ) as ws:
        cp = Station201(STATION, ws)
        cp.asked = []
        runner = asyncio.create_task(cp.start())
        await cp.call(BOOT)
        await cp.call(event("Started", 0, evse={"id": 1, "connector_id": 1},
                            id_token={"id_token": TAG, "type": "ISO14443"}))  # fmt: skip
        await cp.call(event("Updated", 1, trigger="MeterValuePeriodic"))
        # seqNo 2 and 3 were lost while offline; the end comes with seqNo 4
        await cp.call(event("Ended", 4, trigger="EVDeparted", offline=True,
                            info={"stopped_reason": "EVDisconnected"}))  # fmt: skip
        for _ in range(100):
            if cp.asked:
                break
            await asyncio.sleep(0.05)
        async with technician_api(server) as client:
            by_hand = await command(
                client, {"kind": "get_transaction_status", "station_tx_id": "TX-LOST"}
            )
            history = (await client.get(f"/api/stations/{STATION}/commands")).json()
        runner.cancel()
    assert cp.asked[0] == {"transaction_id": "TX-LOST"}
    automatic = [r for r in history if r["requested_by"].startswith("forecourt: seqNo gap")]
    assert len(automatic) == 1
    assert automatic[0]["kind"] == "get_transaction_status"
    assert automatic[0]["result"] == {"messages_in_queue": False, "ongoing": False}
    assert by_hand["result"] == {"messages_in_queue": False, "ongoing": False}


async def test_an_end_in_sequence_asks_nothing(server: RunningServer) -> None:
    async with connect(
        f"{server.ws_url}/{STATION}",
        subprotocols=["ocpp2.0.1"],  # type: ignore[list-item]
        additional_headers=basic_auth(STATION, PASSWORD),
    ) as ws:
        cp = Station201(STATION, ws)
        cp.asked = []
        runner = asyncio.create_task(cp.start())
        await cp.call(BOOT)
        await cp.call(event("Started", 0, evse={"id": 1, "connector_id": 1}))
        await cp.call(event("Ended", 1, trigger="EVDeparted", offline=True,
                            info={"stopped_reason": "EVDisconnected"}))  # fmt: skip
        await server.forecourt.services.ctx.bus.drain()  # type: ignore[attr-defined]
        runner.cancel()
    assert cp.asked == []
