"""Implausible meter readings over a real websocket never reach money (issue 9).

A value that is not a finite number in a 1.6 MeterValues is refused with a CALLERROR; inside a
Start/Stop/TransactionEvent it is accepted and quarantined (a ``meter_anomaly`` event), so the
transaction still ends, priced from the last plausible reading, and the card is captured once.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from forecourt.domain.connectors import ConnectorRating, ConnectorType, PowerType
from forecourt.domain.events import StationEventKind
from forecourt.domain.transactions import Transaction, TransactionState
from forecourt.payments.domain.payments import Payment, PaymentState
from forecourt.services.access import Role
from forecourt.services.core import Services
from forecourt.services.network import ConnectorSpec
from tests.payments.conftest import PASSWORD, eventually, payments_in, provider_of
from tests.payments.raw16 import stamp
from tests.payments.test_e2e_dispenser import tap_card
from tests.support.server import RunningServer

pytestmark = pytest.mark.asyncio

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
ENERGY = "Energy.Active.Import.Register"


class Raw:
    """A bare station of either version that shows CALLERRORs instead of failing on them."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.ids = itertools.count(1)

    async def call(self, action: str, payload: dict[str, Any]) -> list[Any]:
        mid = f"m{next(self.ids)}"
        await self.ws.send(json.dumps([2, mid, action, payload]))
        while True:
            frame = json.loads(await asyncio.wait_for(self.ws.recv(), 10))
            if frame[0] == 2:  # the CSMS calls us meanwhile (costs, display messages)
                await self.ws.send(json.dumps([4, frame[1], "NotSupported", "", {}]))
            elif frame[1] == mid:
                return list(frame)

    async def ok(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        frame = await self.call(action, payload)
        assert frame[0] == 3, frame
        answer: dict[str, Any] = frame[2]
        return answer


@asynccontextmanager
async def raw(server: RunningServer, station_id: str, subprotocol: str) -> AsyncIterator[Raw]:
    token = base64.b64encode(f"{station_id}:{PASSWORD}".encode()).decode()
    async with connect(
        f"{server.ws_url}/{station_id}",
        subprotocols=[subprotocol],  # type: ignore[list-item]
        additional_headers={"Authorization": f"Basic {token}"},
    ) as ws:
        yield Raw(ws)


def mv16(minute: int, value: str, measurand: str = ENERGY, unit: str = "Wh") -> dict[str, Any]:
    sampled = {"value": value, "unit": unit, "measurand": measurand}
    return {"timestamp": stamp(T0 + timedelta(minutes=minute)), "sampledValue": [sampled]}


def mv201(minute: int, value: float, multiplier: int = 0, **extra: Any) -> dict[str, Any]:
    sampled = {"value": value, "unitOfMeasure": {"unit": "Wh", "multiplier": multiplier}, **extra}
    return {"timestamp": stamp(T0 + timedelta(minutes=minute)), "sampledValue": [sampled]}


async def anomalies(services: Services, station_id: str) -> list[dict[str, Any]]:
    async with services.ctx.uow() as uow:
        events = await uow.events.list(station_id)
    return [e.data for e in events if e.kind is StationEventKind.METER_ANOMALY]


async def captured(services: Services) -> Payment | None:
    found = await payments_in(services, PaymentState.CAPTURED)
    return found[0] if found else None


async def transaction(services: Services, tx_id: int) -> Transaction:
    async with services.ctx.uow() as uow:
        tx = await uow.transactions.get(tx_id)
    assert tx is not None
    return tx


async def test_16_non_finite_values_refused_or_quarantined_and_the_card_captured_once(
    server: RunningServer, http: httpx.AsyncClient
) -> None:
    services = server.forecourt.services
    rating = ConnectorRating.from_limits(PowerType.AC_1_PHASE, 240, 32)  # 7.68 kW
    await services.network.set_connector("PAY-16", ConnectorSpec(1, 1, ConnectorType.J1772, rating))
    await tap_card(http, server, "PAY-16", "TERM16BAD", "4242424242424242")
    async with raw(server, "PAY-16", "ocpp1.6") as st:
        await st.ok("BootNotification", {"chargePointVendor": "Raw", "chargePointModel": "R1"})
        start = {"connectorId": 1, "idTag": "TERM16BAD", "meterStart": 1000}
        started = await st.ok("StartTransaction", {**start, "timestamp": stamp(T0)})
        tx_id = started["transactionId"]
        for bad in ("Infinity", "1e999", "NaN", "12,5"):
            frame = await st.call(
                "MeterValues",
                {"connectorId": 1, "transactionId": tx_id, "meterValue": [mv16(1, bad)]},
            )
            assert frame[0] == 4, frame
            assert frame[2] == "PropertyConstraintViolation", frame
            assert frame[4] == {"field": "meterValue[0].sampledValue[0].value"}
        # well-formed but implausible: accepted at the wire, quarantined
        power = "Power.Active.Import"
        odd = [mv16(2, "-5"), mv16(3, "7000", power, "W"), mv16(3, "100000", power, "W")]
        odd.append(mv16(4, "6000"))
        await st.ok("MeterValues", {"connectorId": 1, "transactionId": tx_id, "meterValue": odd})
        # the stop carries an absurd register and an unreadable sample, and still ends it
        stop = {"transactionId": tx_id, "meterStop": 10**15, "reason": "Local"}
        data = [mv16(5, "Infinity")]
        at = stamp(T0 + timedelta(minutes=6))
        await st.ok("StopTransaction", {**stop, "timestamp": at, "transactionData": data})

    tx = await transaction(services, tx_id)
    assert not tx.active
    assert tx.meter_stop_wh == 6000  # the last plausible reading closes the ledger
    assert tx.energy_wh == 5000
    assert tx.peak_power_w == 7000  # 100 kW on a 7.68 kW connector is a meter fault
    paid = await eventually(lambda: captured(services))
    assert paid.captured_minor == paid.final_minor
    assert provider_of(server).captures_applied(paid.provider_ref) == 1
    reasons = [r["reason"] for a in await anomalies(services, "PAY-16") for r in a["readings"]]
    assert "negative register" in reasons
    assert "not a finite number" in reasons
    assert "power above 76800 W" in reasons
    assert any(r.startswith("register above") for r in reasons)  # meterStop
    auth = {"Authorization": f"Bearer {(await services.api_keys.create('v', Role.VIEWER))[0]}"}
    cost = await http.get(f"/api/transactions/{tx_id}/cost", headers=auth)
    assert cost.status_code == 200, cost.text
    assert cost.json()["energy_wh"] == 5000


async def test_201_overflowing_values_quarantined_and_the_transaction_ends(
    server: RunningServer, http: httpx.AsyncClient
) -> None:
    services = server.forecourt.services
    await tap_card(http, server, "PAY-201", "TERM201BAD", "4242424242424242")
    info = {"transactionId": "TX-BAD-1"}
    token = {"idToken": "TERM201BAD", "type": "Local"}
    async with raw(server, "PAY-201", "ocpp2.0.1") as st:
        boot = {"chargingStation": {"model": "R2", "vendorName": "Raw"}, "reason": "PowerUp"}
        await st.ok("BootNotification", boot)

        async def event(kind: str, seq: int, minute: int, values: list[Any]) -> None:
            at = stamp(T0 + timedelta(minutes=minute))
            body = {"eventType": kind, "timestamp": at, "triggerReason": "MeterValuePeriodic"}
            extra = {"idToken": token, "evse": {"id": 1, "connectorId": 1}} if seq == 0 else {}
            payload = {**body, "seqNo": seq, "transactionInfo": info, "meterValue": values}
            await st.ok("TransactionEvent", {**payload, **extra})

        begin = mv201(0, 1000, context="Transaction.Begin")
        await event("Started", 0, 0, [begin, mv201(1, 1e300, multiplier=10)])
        power = mv201(2, 9e9, measurand="Power.Active.Import")
        power["sampledValue"][0]["unitOfMeasure"] = {"unit": "W"}
        await event("Updated", 1, 2, [power, mv201(3, 4000), mv201(3, -1e308, multiplier=1)])
        await event("Ended", 2, 4, [mv201(4, 1e13, context="Transaction.End")])
        # a MeterValues outside a transaction: well-formed JSON number, accepted, quarantined
        await st.ok("MeterValues", {"evseId": 1, "meterValue": [mv201(5, 1e299, multiplier=9)]})

    paid = await eventually(lambda: captured(services))
    tx = await transaction(services, paid.transaction_id or 0)
    assert not tx.active
    assert tx.meter_start_wh == 1000
    assert tx.energy_wh == 3000
    assert math.isfinite(tx.energy_wh)
    assert tx.peak_power_w < 1e6
    assert provider_of(server).captures_applied(paid.provider_ref) == 1
    found = await anomalies(services, "PAY-201")
    assert sum(a["count"] for a in found) == 5  # 2 infinite, 1 power, 1 huge end, 1 outside


async def test_a_payment_that_cannot_settle_is_escalated_and_the_sweep_goes_on(
    server: RunningServer, http: httpx.AsyncClient
) -> None:
    """Two ended sessions whose "ended" event was lost; the newer one (swept first) was stored
    with infinite energy before the plausibility rule existed."""
    services = server.forecourt.services
    ids = {}
    async with raw(server, "PAY-16", "ocpp1.6") as st:
        await st.ok("BootNotification", {"chargePointVendor": "R", "chargePointModel": "R"})
        for connector, token in ((1, "TERMHEALTHY"), (2, "TERMBROKEN1")):
            await tap_card(http, server, "PAY-16", token, "4242424242424242")
            body = {"connectorId": connector, "idTag": token, "meterStart": 1000}
            started = await st.ok("StartTransaction", {**body, "timestamp": stamp(T0)})
            ids[token] = started["transactionId"]
            await eventually(lambda n=connector: _in_session(services, n))
    async with services.ctx.uow() as uow:
        for token, energy in (("TERMHEALTHY", 2000.0), ("TERMBROKEN1", math.inf)):
            tx = await uow.transactions.get_for_update(ids[token])
            assert tx is not None
            tx.state, tx.stopped_at = TransactionState.ENDED, T0 + timedelta(minutes=10)
            tx.energy_wh, tx.meter_stop_wh = energy, 3000
            await uow.transactions.save(tx)
        await uow.commit()

    admin = (await services.api_keys.create("ops", Role.ADMIN))[0]
    auth = {"Authorization": f"Bearer {admin}"}
    sweep = await http.post("/api/payments/recover", headers=auth)
    assert sweep.status_code == 200, sweep.text
    healthy = await eventually(lambda: captured(services))
    assert healthy.transaction_id == ids["TERMHEALTHY"]
    assert provider_of(server).captures_applied(healthy.provider_ref) == 1
    escalated = await eventually(lambda: payments_in(services, PaymentState.ESCALATED))
    assert [p.transaction_id for p in escalated] == [ids["TERMBROKEN1"]]
    assert "settlement failed" in escalated[0].last_error
    assert escalated[0].captured_minor == 0  # the hold waits for an operator, untouched
    again = await http.post("/api/payments/recover", headers=auth)
    assert again.status_code == 200
    assert again.json()["escalated"] == 0  # handed over once
    cost = await http.get(f"/api/transactions/{ids['TERMBROKEN1']}/cost", headers=auth)
    assert cost.status_code == 409, cost.text
    assert cost.headers["content-type"].startswith("application/problem+json")
    shown = await http.get(f"/api/transactions/{ids['TERMBROKEN1']}", headers=auth)
    assert shown.status_code == 200, shown.text


async def _in_session(services: Services, count: int) -> bool:
    return len(await payments_in(services, PaymentState.IN_SESSION)) >= count
