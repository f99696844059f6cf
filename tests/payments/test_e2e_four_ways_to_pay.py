"""Issue 14's "done when": on one server, a 1.6 station with RFID, a 2.0.1 station whose
dispenser terminal's provider sends a webhook, a 2.1 station with its own card reader
(DirectPayment + NotifySettlement) and an attendant's cash prepayment for a port of that 2.1
station (RequestStartTransaction, answered by the `ocpp` package's 2.1 ChargePoint) all charge
and settle, and the reports show each the same way: its payment method on the session, the
session's final cost equal to what was taken, one payment each."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from ocpp.routing import on
from ocpp.v21 import ChargePoint, call, call_result
from websockets.asyncio.client import connect

from forecourt.domain.money import Money
from forecourt.payments.domain.payments import Payment, PaymentState
from forecourt.payments.ports import PAYMENT_STORE, PaymentFilter
from forecourt.services.access import Role
from forecourt.services.core import Services
from forecourt.simulator import SimulatedStation
from tests.e2e.conftest import basic_auth
from tests.payments.conftest import (
    LONG,
    PASSWORD,
    RFID,
    eventually,
    prepare_network,
    station_config,
)
from tests.payments.test_e2e_dispenser import tap_card
from tests.payments.test_e2e_ocpp21_direct_payment import (
    T0,
    T1,
    ended,
    register,
    settlement,
    started,
)
from tests.support.server import RunningServer, running_server

pytestmark = pytest.mark.asyncio

STATION21 = "PAY-21"


class CounterStation(ChargePoint):
    """A 2.1 station that accepts remote starts and hands them to the test."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.starts: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    @on("RequestStartTransaction")
    async def on_request_start(
        self, id_token: dict[str, Any], remote_start_id: int, **rest: Any
    ) -> call_result.RequestStartTransaction:
        await self.starts.put({"id_token": id_token, "remote_start_id": remote_start_id, **rest})
        return call_result.RequestStartTransaction(status="Accepted")


@asynccontextmanager
async def station21(server: RunningServer) -> AsyncIterator[CounterStation]:
    async with connect(
        f"{server.ws_url}/{STATION21}",
        subprotocols=["ocpp2.1"],  # type: ignore[list-item]
        additional_headers=basic_auth(STATION21, PASSWORD),
    ) as ws:
        cp = CounterStation(STATION21, ws)
        runner = asyncio.create_task(cp.start())
        try:
            station = {"model": "Counter21", "vendor_name": "Test"}
            await cp.call(call.BootNotification(charging_station=station, reason="PowerUp"))
            for evse in (1, 2):
                await cp.call(
                    call.StatusNotification(
                        timestamp=T0, connector_status="Available", evse_id=evse, connector_id=1
                    )
                )
            yield cp
        finally:
            runner.cancel()


@pytest.fixture
async def server(tmp_path: Any) -> AsyncIterator[RunningServer]:
    settings: dict[str, Any] = {"call_timeout": 3.0, "payments_sweep_interval": 0.3}
    async with running_server(tmp_path, **settings) as running:
        await prepare_network(running.forecourt.services, "PAY-16", "PAY-201", STATION21)
        yield running


async def settled(services: Services) -> list[Payment]:
    async with services.ctx.uow() as uow:
        return await uow.repository(PAYMENT_STORE).list(
            PaymentFilter(states=(PaymentState.CAPTURED,))
        )


async def rfid_at_16(server: RunningServer) -> None:
    async with SimulatedStation(station_config(server, "PAY-16", "1.6")) as station:
        await station.wait_ready(timeout=30)
        session = station.start_session(2, id_token=RFID, vehicle=LONG)
        assert session is not None
        await eventually(lambda: _energy(session, 300))
        await station.stop_session(2, timeout=30)


async def webhook_at_201(server: RunningServer, http: httpx.AsyncClient) -> None:
    async with SimulatedStation(station_config(server, "PAY-201", "2.0.1")) as station:
        await station.wait_ready(timeout=30)
        await tap_card(http, server, "PAY-201", "TERM4WAY0001", "4242424242424242")
        session = station.start_session(
            1, id_token="TERM4WAY0001", id_token_type="Local", vehicle=LONG
        )
        assert session is not None
        await eventually(lambda: _energy(session, 300))
        await station.stop_session(1, timeout=30)


async def card_reader_and_counter_at_21(server: RunningServer, http: httpx.AsyncClient) -> None:
    services = server.forecourt.services
    key = (await services.api_keys.create("till", Role.ATTENDANT))[0]
    async with station21(server) as cp:
        # The station's own card reader (C18-C22).
        await cp.call(started("TX-4WAY-CARD", "PSP-4WAY"))
        end = await cp.call(ended("TX-4WAY-CARD", "PSP-4WAY"))
        await cp.call(settlement("PSP-4WAY", end.total_cost, transaction_id="TX-4WAY-CARD"))

        # Pay inside: $30 cash for port 2, started remotely.
        body = {"station_id": STATION21, "evse_id": 2, "amount": "30", "method": "cash"}
        auth = {"Authorization": f"Bearer {key}"}
        taken = await http.post("/api/payments/counter", json=body, headers=auth)
        assert taken.status_code == 201, taken.text
        start = await asyncio.wait_for(cp.starts.get(), timeout=10)
        assert start["evse_id"] == 2
        token = start["id_token"]
        answer = await cp.call(
            call.TransactionEvent(
                event_type="Started",
                timestamp=T0,
                trigger_reason="RemoteStart",
                seq_no=0,
                transaction_info={
                    "transaction_id": "TX-4WAY-CASH",
                    "charging_state": "Charging",
                    "remote_start_id": start["remote_start_id"],
                },
                evse={"id": 2, "connector_id": 1},
                id_token=token,
                meter_value=register(100.0, T0, "Transaction.Begin"),
            )
        )
        assert answer.transaction_limit == {"max_cost": 28.5}  # the prepaid limit, told
        await cp.call(
            call.TransactionEvent(
                event_type="Ended",
                timestamp=T1,
                trigger_reason="StopAuthorized",
                seq_no=1,
                transaction_info={"transaction_id": "TX-4WAY-CASH", "stopped_reason": "Local"},
                id_token=token,
                meter_value=register(110.0, T1, "Transaction.End"),
            )
        )


async def _energy(session: Any, wh: float) -> bool:
    return bool(session.energy_wh > wh)


async def test_four_ways_to_pay_settle_alike_on_one_server(server: RunningServer) -> None:
    services = server.forecourt.services
    async with httpx.AsyncClient(base_url=server.http_url, timeout=60) as http:
        await rfid_at_16(server)
        await webhook_at_201(server, http)
        await card_reader_and_counter_at_21(server, http)
        paid = await eventually(lambda: _three_settled(services))

        viewer = (await services.api_keys.create("report", Role.VIEWER))[0]
        auth = {"Authorization": f"Bearer {viewer}"}
        sessions = (await http.get("/api/transactions", headers=auth)).json()["items"]
        methods = {s["station_id"] + "/" + str(s["evse_id"]): s["payment_method"] for s in sessions}
        assert methods == {
            "PAY-16/2": "rfid_account",
            "PAY-201/1": "card_at_dispenser",
            f"{STATION21}/1": "card_at_dispenser",
            f"{STATION21}/2": "attendant_prepay",
        }
        listed = (await http.get("/api/payments", headers=auth)).json()
        assert sorted(p["method"] for p in listed) == [
            "attendant_prepay",
            "card_at_dispenser",
            "card_at_dispenser",
        ]
        for payment in paid:  # what was taken is the session's cost, once
            assert payment.transaction_id is not None
            cost = await http.get(f"/api/transactions/{payment.transaction_id}/cost", headers=auth)
            assert cost.json()["final"] is True
            assert cost.json()["total"]["minor"] == payment.captured_minor
        cash = next(p for p in paid if p.method.value == "attendant_prepay")
        assert cash.change_due == Money(3000, "USD") - Money(cash.captured_minor, "USD")
        rfid = next(s for s in sessions if s["payment_method"] == "rfid_account")
        cost = await http.get(f"/api/transactions/{rfid['id']}/cost", headers=auth)
        assert cost.json()["final"] is True
        assert cost.json()["total"]["minor"] > 0  # billed to the fleet (statement)
    assert len(await _all_payments(services)) == 3


async def _three_settled(services: Services) -> list[Payment] | None:
    found = await settled(services)
    return found if len(found) == 3 else None


async def _all_payments(services: Services) -> list[Payment]:
    async with services.ctx.uow() as uow:
        return await uow.repository(PAYMENT_STORE).list(PaymentFilter())
