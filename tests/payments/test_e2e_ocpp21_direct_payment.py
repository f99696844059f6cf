"""OCPP 2.1 card terminal at the station (C18-C22), end to end over the wire.

The station is the `ocpp` package's 2.1 ChargePoint (an independent implementation), on the
same endpoint as 1.6 and 2.0.1 stations; payments run on the real server with the real
payments slice. Exactly one settlement is recorded whatever the station repeats.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from ocpp.exceptions import OccurrenceConstraintViolationError, PropertyConstraintViolationError
from ocpp.v21 import ChargePoint, call
from websockets.asyncio.client import connect

from forecourt.domain.money import Money
from forecourt.domain.transactions import PaymentMethod, TransactionState
from forecourt.payments.domain.payments import Payment, PaymentFlow, PaymentState
from forecourt.payments.keys import PAYMENTS
from forecourt.payments.ports import PAYMENT_STORE
from forecourt.services.access import Role
from forecourt.services.core import Services
from tests.e2e.conftest import basic_auth
from tests.payments.conftest import PASSWORD, eventually, prepare_network
from tests.support.process import ServerProcess
from tests.support.server import RunningServer, running_server

pytestmark = pytest.mark.asyncio

STATION = "PAY-21"
T0 = "2026-11-21T10:00:00Z"
T1 = "2026-11-21T10:30:00Z"
T2 = "2026-11-21T10:31:00Z"


@pytest.fixture
async def server(tmp_path: Any) -> AsyncIterator[RunningServer]:
    settings: dict[str, Any] = {"call_timeout": 3.0, "payments_sweep_interval": 0.3}
    async with running_server(tmp_path, **settings) as running:
        await prepare_network(running.forecourt.services, STATION)
        yield running


@asynccontextmanager
async def station(
    server: RunningServer | ServerProcess, station_id: str = STATION
) -> AsyncIterator[ChargePoint]:
    async with connect(
        f"{server.ws_url}/{station_id}",
        subprotocols=["ocpp2.1"],  # type: ignore[list-item]
        additional_headers=basic_auth(station_id, PASSWORD),
    ) as ws:
        assert ws.subprotocol == "ocpp2.1"
        cp = ChargePoint(station_id, ws)
        runner = asyncio.create_task(cp.start())
        try:
            boot = await cp.call(
                call.BootNotification(
                    charging_station={"model": "Terminal21", "vendor_name": "Test"},
                    reason="PowerUp",
                )
            )
            assert boot.status == "Accepted"
            yield cp
        finally:
            runner.cancel()


def direct(psp_ref: str) -> dict[str, str]:
    return {"id_token": psp_ref, "type": "DirectPayment"}


def register(kwh: float, at: str, context: str) -> list[dict[str, Any]]:
    sample = {"value": kwh, "context": context, "unit_of_measure": {"unit": "kWh"}}
    return [{"timestamp": at, "sampled_value": [sample]}]


def started(tx_id: str, psp_ref: str, token: dict[str, str] | None = None) -> call.TransactionEvent:
    """A Started event presenting ``psp_ref`` as a DirectPayment token (or ``token``)."""
    return call.TransactionEvent(
        event_type="Started",
        timestamp=T0,
        trigger_reason="Authorized",
        seq_no=0,
        transaction_info={"transaction_id": tx_id, "charging_state": "Charging"},
        evse={"id": 1, "connector_id": 1},
        id_token=token or direct(psp_ref),
        meter_value=register(100.0, T0, "Transaction.Begin"),
    )


def ended(
    tx_id: str, psp_ref: str, kwh: float = 120.0, token: dict[str, str] | None = None
) -> call.TransactionEvent:
    return call.TransactionEvent(
        event_type="Ended",
        timestamp=T1,
        trigger_reason="StopAuthorized",
        seq_no=1,
        transaction_info={"transaction_id": tx_id, "stopped_reason": "Local"},
        id_token=token or direct(psp_ref),
        meter_value=register(kwh, T1, "Transaction.End"),
    )


def settlement(psp_ref: str, amount: float, status: str = "Settled", **extra: Any) -> Any:
    return call.NotifySettlement(
        psp_ref=psp_ref, settlement_amount=amount, settlement_time=T2, status=status, **extra
    )


async def payments_for(services: Services, psp_ref: str) -> list[Payment]:
    async with services.ctx.uow() as uow:
        return await uow.repository(PAYMENT_STORE).by_token(psp_ref)


async def final_cost(services: Services, psp_ref: str) -> Payment | None:
    found = await payments_for(services, psp_ref)
    return found[0] if found and found[0].final_minor is not None else None


async def test_terminal_payment_settles_once_with_a_receipt(server: RunningServer) -> None:
    services = server.forecourt.services
    async with station(server) as cp:
        start = await cp.call(started("TX-21-1", "PSP-OK-1"))
        assert start.id_token_info["status"] == "Accepted"
        # The hold's prepaid limit (95 % of $50, the same rule the CSMS enforces on 1.6 and
        # 2.0.1): the station is told to stop at it.
        assert start.transaction_limit == {"max_cost": 47.5}
        held = (await payments_for(services, "PSP-OK-1"))[0]
        assert held.flow is PaymentFlow.DIRECT_PAYMENT
        assert held.authorized == Money(5000, "USD")
        end = await cp.call(ended("TX-21-1", "PSP-OK-1"))
        priced = await eventually(lambda: final_cost(services, "PSP-OK-1"))
        assert priced.state is PaymentState.TO_CAPTURE  # the station moves the money, not us
        amount = float(Money(priced.final_minor or 0, "USD").to_decimal())
        assert end.total_cost == amount  # C21: the total the terminal settles
        first = await cp.call(settlement("PSP-OK-1", amount, transaction_id="TX-21-1"))
        again = await cp.call(settlement("PSP-OK-1", amount, transaction_id="TX-21-1"))
        replayed_end = await cp.call(ended("TX-21-1", "PSP-OK-1"))
    assert replayed_end is not None
    payments = await payments_for(services, "PSP-OK-1")
    assert len(payments) == 1
    paid = payments[0]
    assert (paid.state, paid.captured_minor) == (PaymentState.CAPTURED, priced.final_minor)
    assert first.receipt_url.endswith(f"/receipts/{paid.receipt_code}")
    assert again.receipt_url == first.receipt_url  # the replay is answered, not re-recorded
    async with services.ctx.uow() as uow:
        tx = await uow.transactions.get(paid.transaction_id or 0)
    assert tx is not None
    assert (tx.state, tx.payment_method) == (
        TransactionState.ENDED,
        PaymentMethod.CARD_AT_DISPENSER,
    )


async def test_a_used_reference_is_declined(server: RunningServer) -> None:
    services = server.forecourt.services
    async with station(server) as cp:
        await cp.call(started("TX-21-2", "PSP-ONCE"))
        await cp.call(ended("TX-21-2", "PSP-ONCE"))
        await eventually(lambda: final_cost(services, "PSP-ONCE"))
        again = await cp.call(started("TX-21-3", "PSP-ONCE"))
        assert again.id_token_info["status"] != "Accepted"  # one hold, one session
        assert again.transaction_limit is None
        auth = await cp.call(call.Authorize(id_token=direct("PSP-ONCE")))
        assert auth.id_token_info["status"] != "Accepted"
    assert len(await payments_for(services, "PSP-ONCE")) == 1


async def test_cancelled_before_start_releases_the_hold(server: RunningServer) -> None:
    services = server.forecourt.services
    async with station(server) as cp:
        auth = await cp.call(call.Authorize(id_token=direct("PSP-C19")))
        assert auth.id_token_info["status"] == "Accepted"
        answer = await cp.call(settlement("PSP-C19", 0.0, status="Canceled"))
        assert answer.receipt_url is None
        # a terminal cancellation we never saw a token for is recorded too
        await cp.call(settlement("PSP-NEVER-SEEN", 0.0, status="Canceled"))
    (released,) = await payments_for(services, "PSP-C19")
    assert released.state is PaymentState.RELEASED
    (stray,) = await payments_for(services, "PSP-NEVER-SEEN")
    assert stray.state is PaymentState.DECLINED


async def test_cancelled_after_start_settles_what_was_used(server: RunningServer) -> None:
    services = server.forecourt.services
    async with station(server) as cp:
        # C20: the driver cancels at the terminal after the start; the station ends the
        # transaction at once and settles what was used (here the session fee and its tax).
        await cp.call(started("TX-21-C20", "PSP-C20"))
        await cp.call(ended("TX-21-C20", "PSP-C20", kwh=100.0))
        priced = await eventually(lambda: final_cost(services, "PSP-C20"))
        used = float(Money(priced.final_minor or 0, "USD").to_decimal())
        await cp.call(settlement("PSP-C20", used, transaction_id="TX-21-C20"))
        # A "Canceled" settlement for a session that cost something is not silently accepted.
        await cp.call(started("TX-21-C20b", "PSP-C20b"))
        await cp.call(ended("TX-21-C20b", "PSP-C20b", kwh=100.0))
        await eventually(lambda: final_cost(services, "PSP-C20b"))
        await cp.call(settlement("PSP-C20b", 0.0, status="Canceled", transaction_id="TX-21-C20b"))
    (paid,) = await payments_for(services, "PSP-C20")
    assert (paid.state, paid.captured_minor) == (PaymentState.CAPTURED, priced.final_minor)
    (cancelled,) = await payments_for(services, "PSP-C20b")
    assert cancelled.state is PaymentState.ESCALATED
    assert "cancelled a session costing" in cancelled.last_error


@pytest.mark.parametrize("status", ["Rejected", "Failed"])
async def test_rejected_or_failed_settlement_is_escalated(
    server: RunningServer, status: str
) -> None:
    services = server.forecourt.services
    psp = f"PSP-{status.upper()}"
    async with station(server) as cp:
        await cp.call(started(f"TX-{status}", psp))
        await cp.call(ended(f"TX-{status}", psp))
        await eventually(lambda: final_cost(services, psp))
        for _ in range(2):  # replayed: still one escalation
            await cp.call(settlement(psp, 9.99, status=status, status_info="card blocked"))
    (payment,) = await payments_for(services, psp)
    assert payment.state is PaymentState.ESCALATED
    assert status.lower() in payment.last_error
    assert "card blocked" in payment.last_error
    findings = await services.feature(PAYMENTS).reconciliation.run(fix=False)
    assert any(f.public_id == payment.public_id for f in findings)


async def test_settled_amount_that_disagrees_is_escalated(server: RunningServer) -> None:
    services = server.forecourt.services
    async with station(server) as cp:
        await cp.call(started("TX-21-X", "PSP-DIFF"))
        await cp.call(ended("TX-21-X", "PSP-DIFF"))
        await eventually(lambda: final_cost(services, "PSP-DIFF"))
        await cp.call(settlement("PSP-DIFF", 0.01))
    (payment,) = await payments_for(services, "PSP-DIFF")
    assert payment.state is PaymentState.ESCALATED
    assert "settled $0.01" in payment.last_error


async def test_malformed_settlement_is_a_callerror(server: RunningServer) -> None:
    async with station(server) as cp:
        with pytest.raises(PropertyConstraintViolationError, match="settlementAmount"):
            await cp.call(settlement("PSP-BAD", -1.0), suppress=False)
        incomplete = NotifySettlement(status="Settled", settlement_amount=1, settlement_time=T2)
        with pytest.raises(OccurrenceConstraintViolationError, match="pspRef"):
            await cp.call(incomplete, suppress=False, skip_schema_validation=True)


async def _in(services: Services, psp_ref: str, state: PaymentState) -> Payment | None:
    found = await payments_for(services, psp_ref)
    return found[0] if found and found[0].state is state else None


@dataclass
class NotifySettlement:
    """A NotifySettlement without its pspRef (the class name is the action)."""

    status: str
    settlement_amount: float
    settlement_time: str


async def test_a_relayed_settlement_follows_the_same_rule(server: RunningServer) -> None:
    """``POST /api/payments/settlements``: an integration relays what a terminal reported."""
    services = server.forecourt.services
    key = (await services.api_keys.create("relay", Role.OPERATOR))[0]
    auth = {"Authorization": f"Bearer {key}"}
    async with station(server) as cp:
        await cp.call(started("TX-RELAY", "PSP-RELAY"))
        await cp.call(ended("TX-RELAY", "PSP-RELAY"))
        priced = await eventually(lambda: final_cost(services, "PSP-RELAY"))
    body = {
        "psp_ref": "PSP-RELAY",
        "status": "Settled",
        "settlement_amount": Money(priced.final_minor or 0, "USD").amount_text(),
        "settlement_time": T2,
    }
    async with httpx.AsyncClient(base_url=server.http_url, headers=auth) as http:
        first = await http.post("/api/payments/settlements", json=body)
        again = await http.post("/api/payments/settlements", json=body)
        unknown = await http.post("/api/payments/settlements", json={**body, "psp_ref": "NOPE"})
        euros = await http.post("/api/payments/settlements", json={**body, "currency": "EUR"})
    assert first.status_code == again.status_code == 200, first.text
    assert first.json()["state"] == again.json()["state"] == "captured"
    assert unknown.status_code == 404
    assert euros.status_code == 422
    (paid,) = await payments_for(services, "PSP-RELAY")
    assert paid.captured_minor == priced.final_minor


async def test_a_settlement_that_never_comes_is_escalated_and_a_late_one_still_counts(
    tmp_path: Any,
) -> None:
    settings: dict[str, Any] = {
        "call_timeout": 3.0,
        "payments_sweep_interval": 0.2,
        "payments_station_settlement_timeout": 0.5,
    }
    async with running_server(tmp_path, **settings) as server:
        services = server.forecourt.services
        await prepare_network(services, STATION)
        async with station(server) as cp:
            await cp.call(started("TX-SILENT", "PSP-SILENT"))
            end = await cp.call(ended("TX-SILENT", "PSP-SILENT"))
            silent = await eventually(lambda: _in(services, "PSP-SILENT", PaymentState.ESCALATED))
            assert "never reported its settlement" in silent.last_error
            late = await cp.call(settlement("PSP-SILENT", end.total_cost))
        assert late.receipt_url
        (paid,) = await payments_for(services, "PSP-SILENT")
        assert (paid.state, paid.captured_minor) == (PaymentState.CAPTURED, paid.final_minor)


def limit_set(tx_id: str, psp_ref: str, max_cost: float, seq: int) -> call.TransactionEvent:
    """C23 at the station: its terminal grew the card's authorization; the new cost limit."""
    return call.TransactionEvent(
        event_type="Updated",
        timestamp=T1,
        trigger_reason="LimitSet",
        seq_no=seq,
        transaction_info={"transaction_id": tx_id, "transaction_limit": {"max_cost": max_cost}},
        id_token=direct(psp_ref),
    )


async def test_the_stations_own_terminal_grows_the_hold(server: RunningServer) -> None:
    services = server.forecourt.services
    async with station(server) as cp:
        start = await cp.call(started("TX-21-C23", "PSP-C23"))
        grown = await cp.call(limit_set("TX-21-C23", "PSP-C23", 100.0, 1))
        lower = await cp.call(limit_set("TX-21-C23", "PSP-C23", 20.0, 2))
        other = await cp.call(limit_set("TX-NONE", "PSP-NONE", 500.0, 0))  # no such hold
        end = await cp.call(ended("TX-21-C23", "PSP-C23", kwh=120.0))
        priced = await eventually(lambda: final_cost(services, "PSP-C23"), timeout=30)
        amount = float(Money(priced.final_minor or 0, "USD").to_decimal())
        await cp.call(settlement("PSP-C23", amount, transaction_id="TX-21-C23"))
    assert start.transaction_limit == {"max_cost": 47.5}  # 95 % of the $50 hold
    assert grown.transaction_limit == {"max_cost": 95.0}  # 95 % of the station's $100
    assert lower.transaction_limit == {"max_cost": 95.0}  # a hold never shrinks
    assert other.transaction_limit is None
    assert end.total_cost == amount
    (paid,) = await payments_for(services, "PSP-C23")
    assert paid.authorized == Money(10000, "USD")
    assert (paid.state, paid.captured_minor) == (PaymentState.CAPTURED, priced.final_minor)
    assert not await payments_for(services, "PSP-NONE")
