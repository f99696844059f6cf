"""Transactions a station never closes: after a reboot that did not resume them, and when a new
start arrives on an occupied EVSE. Real websockets, 1.6 and 2.0.1, one rule for both."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from forecourt.domain.events import DomainEvent, StationEventKind
from forecourt.domain.transactions import StopReason, Transaction, TransactionState
from forecourt.ports.repositories import TransactionFilter
from tests.e2e.conftest import PASSWORD, STATION, TAG, basic_auth
from tests.support.server import RunningServer

_ids = itertools.count()


def ago(minutes: float) -> str:
    at = datetime.now(UTC) - timedelta(minutes=minutes)
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Wire:
    """A station as raw OCPP-J frames over a real websocket."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    async def call(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        message_id = f"m{next(_ids)}"
        await self.ws.send(json.dumps([2, message_id, action, payload]))
        while True:
            frame = json.loads(await self.ws.recv())
            if frame[0] == 2:  # a CALL from the CSMS (prices, triggers): accept it
                await self.ws.send(json.dumps([3, frame[1], {"status": "Accepted"}]))
                continue
            assert frame[:2] == [3, message_id], frame
            result: dict[str, Any] = frame[2]
            return result


@asynccontextmanager
async def station(server: RunningServer, protocol: str) -> AsyncIterator[Wire]:
    """Connect and boot; leaving the block is the station losing power."""
    async with connect(
        f"{server.ws_url}/{STATION}",
        subprotocols=[protocol],  # type: ignore[list-item]
        additional_headers=basic_auth(STATION, PASSWORD),
    ) as ws:
        wire = Wire(ws)
        if protocol == "ocpp1.6":
            boot = {"chargePointVendor": "Test", "chargePointModel": "E2E"}
        else:
            boot = {"chargingStation": {"vendorName": "Test", "model": "E2E"}, "reason": "PowerUp"}
        assert (await wire.call("BootNotification", boot))["status"] == "Accepted"
        yield wire


# -- 1.6 ---------------------------------------------------------------------------------------
async def start16(wire: Wire, at: str, meter: int = 1_000_000) -> int:
    payload = {"connectorId": 1, "idTag": TAG, "meterStart": meter, "timestamp": at}
    return int((await wire.call("StartTransaction", payload))["transactionId"])


async def status16(wire: Wire, status: str) -> None:
    payload = {"connectorId": 1, "errorCode": "NoError", "status": status, "timestamp": ago(0)}
    await wire.call("StatusNotification", payload)


# -- 2.0.1 -------------------------------------------------------------------------------------
async def start201(wire: Wire, tx_id: str, at: str) -> None:
    await wire.call(
        "TransactionEvent",
        {
            "eventType": "Started", "timestamp": at, "triggerReason": "Authorized", "seqNo": 0,
            "transactionInfo": {"transactionId": tx_id}, "evse": {"id": 1, "connectorId": 1},
            "idToken": {"idToken": TAG, "type": "ISO14443"},
        },
    )  # fmt: skip


async def status201(wire: Wire, status: str) -> None:
    payload = {"timestamp": ago(0), "connectorStatus": status, "evseId": 1, "connectorId": 1}
    await wire.call("StatusNotification", payload)


async def transactions(server: RunningServer) -> list[Transaction]:
    items, _ = await server.forecourt.services.history.list(TransactionFilter(station_id=STATION))
    return sorted(items, key=lambda tx: tx.started_at)


async def reconciliation_records(server: RunningServer) -> list[dict[str, Any]]:
    events = await server.forecourt.services.network.station_events(
        STATION, StationEventKind.TRANSACTION_RECONCILED
    )
    return [event.data for event in events]


def active(items: list[Transaction]) -> list[Transaction]:
    return [tx for tx in items if tx.state is TransactionState.ACTIVE]


@pytest.mark.parametrize("protocol", ["ocpp1.6", "ocpp2.0.1"])
async def test_a_reboot_that_does_not_resume_the_transaction_closes_it(
    server: RunningServer, protocol: str
) -> None:
    async with station(server, protocol) as wire:
        if protocol == "ocpp1.6":
            await start16(wire, ago(10))
        else:
            await start201(wire, "TX-A", ago(10))
    # power loss: no StopTransaction ever comes; the station boots and says EVSE 1 is free
    async with station(server, protocol) as wire:
        if protocol == "ocpp1.6":
            await status16(wire, "Available")
        else:
            await status201(wire, "Available")
    [tx] = await transactions(server)
    assert tx.state is TransactionState.ENDED
    assert tx.stop_reason is StopReason.NOT_RESUMED
    [record] = await reconciliation_records(server)
    assert (record["transaction_id"], record["reason"]) == (tx.id, "not_resumed")


async def test_a_transaction_resumed_after_a_reboot_stays_active(server: RunningServer) -> None:
    async with station(server, "ocpp1.6") as wire:
        await start16(wire, ago(10))
    async with station(server, "ocpp1.6") as wire:
        await status16(wire, "Charging")  # resumed (1.6 §4.8): the EVSE is still occupied
    assert len(active(await transactions(server))) == 1
    assert await reconciliation_records(server) == []


@pytest.mark.parametrize("protocol", ["ocpp1.6", "ocpp2.0.1"])
async def test_a_new_start_on_an_occupied_evse_closes_the_older_one(
    server: RunningServer, protocol: str
) -> None:
    async with station(server, protocol) as wire:
        for minutes, tx_id in ((30, "TX-A"), (20, "TX-B"), (10, "TX-C")):
            if protocol == "ocpp1.6":
                await start16(wire, ago(minutes))
            else:
                await start201(wire, tx_id, ago(minutes))
    items = await transactions(server)
    assert [tx.id for tx in active(items)] == [items[-1].id]
    assert [tx.stop_reason for tx in items[:2]] == [StopReason.SUPERSEDED] * 2
    records = await reconciliation_records(server)
    assert sorted(r["transaction_id"] for r in records) == [items[0].id, items[1].id]


async def test_a_late_offline_start_does_not_close_the_newer_transaction(
    server: RunningServer,
) -> None:
    async with station(server, "ocpp1.6") as wire:
        newer = await start16(wire, ago(5))
        late = await start16(wire, ago(50))  # queued while offline, delivered after
    by_id = {tx.id: tx for tx in await transactions(server)}
    assert by_id[newer].state is TransactionState.ACTIVE
    assert by_id[late].stop_reason is StopReason.SUPERSEDED


async def test_the_stations_own_stop_replaces_a_reconciled_close(server: RunningServer) -> None:
    topics: list[tuple[str, object]] = []

    async def note(event: DomainEvent) -> None:
        topics.append((event.topic, event.data["transaction_id"]))

    server.forecourt.services.ctx.bus.subscribe("transaction.", note)
    async with station(server, "ocpp1.6") as wire:
        first = await start16(wire, ago(30), meter=1_000_000)
        await start16(wire, ago(10), meter=1_020_000)
        # the queued stop of the first session arrives late: the station's word wins
        stop = {"transactionId": first, "meterStop": 1_015_000, "timestamp": ago(20),
                "reason": "EVDisconnected"}  # fmt: skip
        await wire.call("StopTransaction", stop)
    tx = next(tx for tx in await transactions(server) if tx.id == first)
    assert tx.stop_reason is StopReason.EV_DISCONNECTED
    assert tx.energy_wh == pytest.approx(15_000)
    assert tx.reconciled_why is None
    # ended once (when reconciled); the station's stop is a correction, not a second end
    assert topics.count(("transaction.ended", first)) == 1
    assert ("transaction.corrected", first) in topics


async def test_a_201_transaction_placed_on_an_occupied_evse_later_closes_the_older_one(
    server: RunningServer,
) -> None:
    """2.0.1 may start before the EVSE is known (E02): the rule applies once it is."""
    async with station(server, "ocpp2.0.1") as wire:
        await start201(wire, "TX-A", ago(30))
        await wire.call(
            "TransactionEvent",
            {"eventType": "Started", "timestamp": ago(10), "triggerReason": "CablePluggedIn",
             "seqNo": 0, "transactionInfo": {"transactionId": "TX-B"}},
        )  # fmt: skip
        assert len(active(await transactions(server))) == 2  # TX-B's EVSE is not known yet
        await wire.call(
            "TransactionEvent",
            {"eventType": "Updated", "timestamp": ago(9), "triggerReason": "Authorized",
             "seqNo": 1, "transactionInfo": {"transactionId": "TX-B"},
             "evse": {"id": 1, "connectorId": 1},
             "idToken": {"idToken": TAG, "type": "ISO14443"}},
        )  # fmt: skip
    older, newer = await transactions(server)
    assert (older.station_tx_id, older.stop_reason) == ("TX-A", StopReason.SUPERSEDED)
    assert (newer.station_tx_id, newer.state) == ("TX-B", TransactionState.ACTIVE)
