"""The answer to a 2.0.1 ``Ended`` carries the session's ``totalCost`` when it is priced
(issue 16), over the wire with the `ocpp` package's ChargePoint."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ocpp.v201 import ChargePoint, call
from websockets.asyncio.client import connect

from tests.e2e.conftest import basic_auth
from tests.payments.conftest import PASSWORD, RFID
from tests.support.server import RunningServer, running_server

BOOT = call.BootNotification(
    charging_station={"model": "E2E", "vendor_name": "Test"}, reason="PowerUp"
)


def instant(minutes: float) -> str:
    """Minutes from now: the tariff is in force from when the fixture published it."""
    at = datetime.now(UTC) + timedelta(minutes=minutes)
    return at.isoformat(timespec="seconds").replace("+00:00", "Z")


def register(kwh: float, at: str, context: str) -> dict[str, Any]:
    value = {"value": kwh, "context": context, "unit_of_measure": {"unit": "kWh"}}
    return {"timestamp": at, "sampled_value": [value]}


async def charge_10_kwh(url: str, station_id: str) -> Any:
    """A session of 10 kWh; returns the answer to its Ended event."""
    t0, t1 = instant(0.1), instant(30)
    async with connect(
        f"{url}/{station_id}",
        subprotocols=["ocpp2.0.1"],  # type: ignore[list-item]
        additional_headers=basic_auth(station_id, PASSWORD),
    ) as ws:
        cp = ChargePoint(station_id, ws)
        runner = asyncio.create_task(cp.start())
        await cp.call(BOOT)
        await cp.call(call.StatusNotification(  # the EVSE the tariff applies to
            timestamp=t0, connector_status="Available", evse_id=1, connector_id=1))  # fmt: skip
        await cp.call(call.TransactionEvent(
            event_type="Started", timestamp=t0, trigger_reason="Authorized", seq_no=0,
            transaction_info={"transaction_id": "TX-COST"}, evse={"id": 1, "connector_id": 1},
            id_token={"id_token": RFID, "type": "ISO14443"},
            meter_value=[register(100.0, t0, "Transaction.Begin")]))  # fmt: skip
        ended = await cp.call(call.TransactionEvent(
            event_type="Ended", timestamp=t1, trigger_reason="EVDeparted", seq_no=1,
            transaction_info={"transaction_id": "TX-COST", "stopped_reason": "EVDisconnected"},
            meter_value=[register(110.0, t1, "Transaction.End")]))  # fmt: skip
        runner.cancel()
    return ended


async def test_ended_carries_the_total_cost(server: RunningServer) -> None:
    ended = await charge_10_kwh(server.ws_url, "PAY-201")
    # 10 kWh at 0.45 + 1.00 session fee = 5.50, plus 8.25 % sales tax = 5.95
    assert ended.total_cost == 5.95


async def test_an_unpriced_session_has_no_total_cost(tmp_path: Path) -> None:
    async with running_server(tmp_path) as server:
        await server.forecourt.services.network.add_station("FREE-1", password=PASSWORD)
        ended = await charge_10_kwh(server.ws_url, "FREE-1")
    assert ended.total_cost is None
