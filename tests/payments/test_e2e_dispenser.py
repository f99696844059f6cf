"""End to end over the wire: a contactless card at the dispenser's terminal (test-provider
webhook), an RFID fleet card, declines, provider timeouts, replayed stops."""

from __future__ import annotations

import httpx
import pytest

from forecourt.domain.commands import CommandKind
from forecourt.domain.money import Money
from forecourt.domain.transactions import PaymentMethod
from forecourt.payments.domain.payments import PaymentFlow, PaymentState
from forecourt.ports.repositories import TransactionFilter
from forecourt.services.access import Role
from forecourt.simulator import SimulatedStation
from tests.payments.conftest import (
    LONG,
    RFID,
    eventually,
    payment_in_state,
    provider_of,
)
from tests.support.server import RunningServer

pytestmark = pytest.mark.asyncio

_NOT_SHOWN = {"unknown_vendor", "call_error"}


async def tap_card(
    http: httpx.AsyncClient, server: RunningServer, station: str, token: str, card: str
) -> None:
    """The dispenser's terminal pre-authorises the card; its provider notifies Forecourt."""
    body, headers = provider_of(server).terminal_authorize(
        station_id=station, evse_id=1, id_token=token, amount=Money(5000, "USD"), card_number=card
    )
    response = await http.post("/api/payments/webhooks/test", content=body, headers=headers)
    assert response.status_code == 200, response.text
    again = await http.post("/api/payments/webhooks/test", content=body, headers=headers)
    assert again.status_code == 200  # delivered twice: handled once


@pytest.mark.parametrize("protocol", ["1.6", "2.0.1"])
async def test_card_at_dispenser_captures_the_exact_amount_once(
    server: RunningServer,
    http: httpx.AsyncClient,
    station16: SimulatedStation,
    station201: SimulatedStation,
    protocol: str,
) -> None:
    services = server.forecourt.services
    station = station16 if protocol == "1.6" else station201
    token = f"TERM{protocol.replace('.', '')}0001"
    await tap_card(http, server, station.config.station_id, token, "4242424242424242")
    held = await eventually(lambda: payment_in_state(services, PaymentState.AUTHORIZED))
    assert held.flow is PaymentFlow.DISPENSER_TERMINAL
    assert held.card.last4 == "4242"

    session = station.start_session(1, id_token=token, id_token_type="Local", vehicle=LONG)
    assert session is not None
    await eventually(lambda: payment_in_state(services, PaymentState.IN_SESSION))
    await eventually(lambda: _energy_above(server, 500))
    await station.stop_session(1, timeout=30)

    paid = await eventually(lambda: payment_in_state(services, PaymentState.CAPTURED))
    assert paid.final_minor is not None
    assert 0 < paid.final_minor <= paid.authorized_minor
    assert paid.captured_minor == paid.final_minor
    assert provider_of(server).captures_applied(paid.provider_ref) == 1
    async with services.ctx.uow() as uow:
        tx = await uow.transactions.get(paid.transaction_id or 0)
        commands = await uow.commands.list(station.config.station_id)
    assert tx is not None
    assert tx.payment_method is PaymentMethod.CARD_AT_DISPENSER
    # Costs went to the station; this simulator does not display them, so it was asked once.
    costs = [c for c in commands if c.kind is CommandKind.COST_UPDATE]
    assert costs
    assert all(c.status.value in _NOT_SHOWN for c in costs)

    receipt = await http.get(f"/receipts/{paid.receipt_code}")
    assert receipt.status_code == 200
    assert Money(paid.captured_minor, "USD").format() in receipt.text
    charged = str(Money(paid.captured_minor, "USD").to_decimal())
    found = await http.get(
        "/api/receipts",
        params={"last4": "4242", "date": str(tx.started_at.date()), "amount": charged},
    )
    assert found.json()["receipt_code"] == paid.receipt_code


async def _energy_above(server: RunningServer, wh: float) -> bool:
    async with server.forecourt.services.ctx.uow() as uow:
        active = await uow.transactions.list(TransactionFilter(limit=5))
    return any(tx.energy_wh > wh for tx in active)


async def test_declined_card_starts_nothing_and_leaves_the_connector_free(
    server: RunningServer, http: httpx.AsyncClient, station16: SimulatedStation
) -> None:
    services = server.forecourt.services
    await tap_card(http, server, "PAY-16", "TERMDECLINE1", "4000000000000002")
    declined = await eventually(lambda: payment_in_state(services, PaymentState.DECLINED))
    assert "declined" in declined.message

    session = station16.start_session(1, id_token="TERMDECLINE1", vehicle=LONG)
    assert session is not None
    await session.wait_ended(timeout=10)
    async with services.ctx.uow() as uow:
        sessions = await uow.transactions.list(TransactionFilter(id_token="TERMDECLINE1"))
    assert sessions == []  # Authorize said Invalid: no transaction, no money
    assert station16.free_evse(1) is not None  # the connector is not left stuck


async def test_rfid_fleet_session_is_priced_and_billed_per_period(
    server: RunningServer, http: httpx.AsyncClient, station16: SimulatedStation
) -> None:
    services = server.forecourt.services
    session = station16.start_session(2, id_token=RFID, vehicle=LONG)
    assert session is not None
    await eventually(lambda: _energy_above(server, 300))
    await station16.stop_session(2, timeout=30)
    async with services.ctx.uow() as uow:
        (tx,) = await uow.transactions.list(TransactionFilter(id_token=RFID))
    assert tx.payment_method is PaymentMethod.RFID_ACCOUNT
    key = (await services.api_keys.create("billing", Role.VIEWER))[0]
    auth = {"Authorization": f"Bearer {key}"}
    cost = (await http.get(f"/api/transactions/{tx.id}/cost", headers=auth)).json()
    assert cost["final"] is True
    assert cost["total"]["minor"] > 100
    since, until = tx.started_at.replace(hour=0, minute=0).isoformat(), "2100-01-01T00:00:00Z"
    statement = await http.get(
        "/api/statements/FLEET-A", params={"since": since, "until": until}, headers=auth
    )
    assert statement.status_code == 200, statement.text
    assert statement.json()["totals"][0]["minor"] == cost["total"]["minor"]
    assert statement.json()["lines"][0]["id_token"] == "••••" + RFID[-4:]  # a viewer key
