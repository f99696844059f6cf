"""Clock drift and meter anomalies end to end: the simulator puts raw frames on the wire."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

from forecourt.reliability.domain.model import FaultKind
from forecourt.reliability.domain.tickets import TicketState
from forecourt.reliability.keys import RELIABILITY
from tests.reliability.conftest import (
    TRUCK,
    add_dc_station,
    eventually,
    simulated,
    tickets_of,
    wait_ticket,
)
from tests.support.server import RunningServer


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _status(message_id: str, at: datetime) -> str:
    payload = {
        "connectorId": 1,
        "errorCode": "NoError",
        "status": "Available",
        "timestamp": _stamp(at),
    }
    return json.dumps([2, message_id, "StatusNotification", payload])


async def test_station_clock_drift_opens_and_clears(server: RunningServer) -> None:
    services = server.forecourt.services
    await add_dc_station(services, "CS-CLOCK")
    async with simulated(server, "CS-CLOCK", "1.6") as station:
        ahead = datetime.now(UTC) + timedelta(minutes=5)
        assert await station.send_raw(_status("drift-1", ahead)) is not None
        ticket = await wait_ticket(services, "CS-CLOCK", FaultKind.CLOCK_DRIFT)
        (fault,) = await services.feature(RELIABILITY).tickets.faults("CS-CLOCK", active=True)
        assert 290 < fault.evidence["drift_s"] < 310
        assert ticket.severity.value == "minor"

        assert await station.send_raw(_status("drift-2", datetime.now(UTC))) is not None

        async def resolved() -> bool:
            (current,) = await tickets_of(services, "CS-CLOCK")
            return current.state is TicketState.RESOLVED

        await eventually(resolved)


async def test_energy_register_going_backwards_is_a_meter_anomaly(server: RunningServer) -> None:
    services = server.forecourt.services
    await add_dc_station(services, "CS-METER")
    async with simulated(server, "CS-METER", "1.6") as station:
        session = station.start_session(1, vehicle=TRUCK)
        assert session is not None
        await session.wait_charging(30)

        async def transaction_id() -> object:
            return session.transaction_id

        tx_id = await eventually(transaction_id)
        await asyncio.sleep(0.3)  # a reading after the start reading: a reset, not a jump back
        value = {
            "timestamp": _stamp(datetime.now(UTC)),
            "sampledValue": [
                {"value": "1000", "unit": "Wh", "measurand": "Energy.Active.Import.Register"}
            ],
        }
        frame = [
            2,
            "reset-1",
            "MeterValues",
            {"connectorId": 1, "transactionId": tx_id, "meterValue": [value]},
        ]
        assert await station.send_raw(json.dumps(frame)) is not None
        ticket = await wait_ticket(services, "CS-METER", FaultKind.METER_ANOMALY)
        assert ticket.ports == [1]
        (fault,) = await services.feature(RELIABILITY).tickets.faults("CS-METER", active=True)
        assert fault.evidence["resets"] == 1
        assert fault.evidence["transaction_id"] == tx_id
        await station.stop_session(1, timeout=30)
