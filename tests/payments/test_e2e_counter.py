"""Paying away from the dispenser, end to end: the attendant's counter (cash, or a card on the
counter terminal) and a stand-alone card terminal (OCPP 2.1 C24), over the HTTP API, with
simulated 1.6 and 2.0.1 stations started remotely over real websockets and settled by the
real outbox (the built-in test provider is the card terminal)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from click.testing import Result
from typer.testing import CliRunner

from forecourt.cli.main import app
from forecourt.domain.transactions import PaymentMethod
from forecourt.payments.domain.payments import Payment, PaymentFlow, PaymentState
from forecourt.payments.keys import PAYMENTS
from forecourt.payments.providers.test_provider import TIMEOUT_CARD
from forecourt.services.access import Role
from forecourt.services.core import Services
from forecourt.simulator import SimulatedStation
from tests.payments.conftest import LONG, eventually, provider_of
from tests.support.server import RunningServer

pytestmark = pytest.mark.asyncio


async def key_for(services: Services, role: Role) -> dict[str, str]:
    key = (await services.api_keys.create(f"{role.value} key", role))[0]
    return {"Authorization": f"Bearer {key}"}


async def settled(services: Services, public_id: str) -> Payment | None:
    payment = await services.feature(PAYMENTS).holds.get(public_id)
    return payment if payment.state in (PaymentState.CAPTURED, PaymentState.RELEASED) else None


async def charge_and_stop(station: SimulatedStation, evse_id: int, wh: float = 300) -> None:
    async def charging() -> bool:
        session = station.evses[evse_id - 1].session
        if session is not None:
            session.vehicle = LONG
        return session is not None and session.energy_wh > wh

    await eventually(charging)
    await station.stop_session(evse_id, timeout=30)


async def method_of(services: Services, payment: Payment) -> PaymentMethod | None:
    async with services.ctx.uow() as uow:
        tx = await uow.transactions.get(payment.transaction_id or 0)
    return None if tx is None else tx.payment_method


async def test_cash_prepayment_starts_the_port_and_gives_change(
    server: RunningServer, http: httpx.AsyncClient, station201: SimulatedStation
) -> None:
    services = server.forecourt.services
    auth = await key_for(services, Role.ATTENDANT)
    body = {"station_id": "PAY-201", "evse_id": 1, "amount": "40.00", "method": "cash"}
    taken = await http.post("/api/payments/counter", json=body, headers=auth)
    assert taken.status_code == 201, taken.text
    assert taken.json()["state"] == "authorized"
    assert taken.json()["method"] == "attendant_prepay"
    public_id = taken.json()["public_id"]

    await charge_and_stop(station201, 1)
    paid = await eventually(lambda: settled(services, public_id))
    assert paid.state is PaymentState.CAPTURED
    assert paid.flow is PaymentFlow.ATTENDANT_CASH
    assert paid.final_minor is not None
    assert 0 < paid.final_minor < 4000
    assert paid.captured_minor == paid.final_minor  # the till keeps what it cost
    assert paid.change_due.minor == 4000 - paid.final_minor
    assert await method_of(services, paid) is PaymentMethod.ATTENDANT_PREPAY
    shown = (await http.get(f"/api/payments/{public_id}", headers=auth)).json()
    assert shown["change_due"]["minor"] == 4000 - paid.final_minor
    assert shown["receipt_code"] == paid.receipt_code
    # Who took the money: on the record, the API and the receipt.
    assert paid.taken_by == shown["taken_by"] == "api key attendant key"
    receipt = await http.get(f"/receipts/{paid.receipt_code}")
    assert "Taken by api key attendant key" in receipt.text

    # Replays of the outbox and the recovery pass change nothing: one settlement.
    payments = services.feature(PAYMENTS)
    await payments.settlement.execute(paid.id)
    await payments.recovery.sweep()
    again = await payments.holds.get(public_id)
    assert (again.state, again.captured_minor) == (paid.state, paid.captured_minor)


async def test_card_on_the_counter_terminal_settles_at_the_terminal(
    server: RunningServer, http: httpx.AsyncClient, station16: SimulatedStation
) -> None:
    services = server.forecourt.services
    auth = await key_for(services, Role.ATTENDANT)
    body = {"station_id": "PAY-16", "evse_id": 1, "amount": "30", "method": "card"}
    body["terminal_id"] = "counter-2"
    taken = await http.post("/api/payments/counter", json=body, headers=auth)
    assert taken.status_code == 201, taken.text
    assert taken.json()["card_last4"] == "4242"
    public_id = taken.json()["public_id"]

    await charge_and_stop(station16, 1)
    paid = await eventually(lambda: settled(services, public_id))
    assert paid.flow is PaymentFlow.ATTENDANT_CARD
    assert paid.captured_minor == paid.final_minor
    assert paid.change_due.minor == 3000 - paid.captured_minor  # released to the card
    provider = provider_of(server)
    assert provider.captures_applied(paid.provider_ref) == 1
    held = next(h for h in provider.holds() if h.provider_ref == paid.provider_ref)
    assert held.metadata["terminal_id"] == "counter-2"
    assert held.metadata["session"] == str(paid.transaction_id)  # the terminal's 2nd step
    assert await method_of(services, paid) is PaymentMethod.ATTENDANT_PREPAY


async def test_stand_alone_terminal_c24(
    server: RunningServer, http: httpx.AsyncClient, station201: SimulatedStation
) -> None:
    services = server.forecourt.services
    auth = await key_for(services, Role.ATTENDANT)
    body = {"station_id": "PAY-201", "evse_id": 2, "amount": "25.00"}
    taken = await http.post("/api/payments/terminals/kiosk-1/payments", json=body, headers=auth)
    assert taken.status_code == 201, taken.text
    public_id = taken.json()["public_id"]
    assert taken.json()["method"] == "card_terminal"

    await charge_and_stop(station201, 2)
    paid = await eventually(lambda: settled(services, public_id))
    assert paid.flow is PaymentFlow.STANDALONE_TERMINAL
    assert paid.state is PaymentState.CAPTURED
    assert provider_of(server).captures_applied(paid.provider_ref) == 1
    assert await method_of(services, paid) is PaymentMethod.CARD_TERMINAL


@pytest.mark.parametrize(
    ("card", "message"),
    [("4000000000000002", "declined"), (TIMEOUT_CARD, "not answering")],
)
async def test_declined_or_silent_terminal_starts_nothing(
    server: RunningServer,
    http: httpx.AsyncClient,
    station201: SimulatedStation,
    card: str,
    message: str,
) -> None:
    services = server.forecourt.services
    auth = await key_for(services, Role.ATTENDANT)
    provider_of(server).tap("kiosk-9", card)
    body = {"station_id": "PAY-201", "evse_id": 1, "amount": "25.00"}
    taken = await http.post("/api/payments/terminals/kiosk-9/payments", json=body, headers=auth)
    assert taken.status_code == 201, taken.text
    assert taken.json()["state"] == "declined"
    assert message in taken.json()["message"]
    assert station201.evses[0].session is None
    async with services.ctx.uow() as uow:
        assert not await uow.transactions.active_on_evse("PAY-201", 1)


@pytest.mark.usefixtures("station201")
async def test_bad_requests_are_refused_precisely(
    server: RunningServer, http: httpx.AsyncClient
) -> None:
    services = server.forecourt.services
    attendant = await key_for(services, Role.ATTENDANT)
    viewer = await key_for(services, Role.VIEWER)
    good: dict[str, Any] = {"station_id": "PAY-201", "evse_id": 1, "amount": "10", "method": "cash"}

    async def post(body: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
        return await http.post("/api/payments/counter", json=body, headers=headers)

    assert (await post(good, viewer)).status_code == 403
    assert (await post({**good, "amount": "0"}, attendant)).status_code == 422
    assert (await post({**good, "amount": "-5"}, attendant)).status_code == 422
    assert (await post({**good, "method": "cheque"}, attendant)).status_code == 422
    assert (await post({**good, "station_id": "NOPE"}, attendant)).status_code == 404
    assert (await post({**good, "evse_id": 9}, attendant)).status_code in (404, 409)
    first = await post(good, attendant)
    assert first.status_code == 201, first.text
    await eventually(lambda: _running(services, "PAY-201", 1))
    busy = await post(good, attendant)
    assert busy.status_code == 400, busy.text  # as scan-to-pay says it: nothing taken
    assert "Someone is charging" in busy.json()["detail"]


async def _running(services: Services, station_id: str, evse_id: int) -> bool:
    async with services.ctx.uow() as uow:
        return bool(await uow.transactions.active_on_evse(station_id, evse_id))


async def test_the_cli_takes_a_prepayment_and_shows_the_change(
    server: RunningServer, station201: SimulatedStation
) -> None:
    services = server.forecourt.services
    key = (await services.api_keys.create("counter", Role.ATTENDANT))[0]
    env = {"FORECOURT_SERVER": server.http_url, "FORECOURT_API_KEY": key, "COLUMNS": "200"}

    async def cli(*args: str) -> Result:
        return await asyncio.to_thread(CliRunner().invoke, app, ["counter", *args], env=env)

    taken = await cli("prepay", "PAY-201", "2", "15.00", "--cash", "--json")
    assert taken.exit_code == 0, taken.output
    public_id = json.loads(taken.stdout)["public_id"]
    await charge_and_stop(station201, 2)
    paid = await eventually(lambda: settled(services, public_id))
    shown = await cli("show", public_id)
    assert shown.exit_code == 0, shown.output
    assert f"change due {paid.change_due}" in shown.stdout
    assert (await cli("prepay", "PAY-201", "1", "zero")).exit_code == 2
    provider_of(server).tap("kiosk-3", "4000000000000002")
    declined = await cli("terminal", "kiosk-3", "PAY-201", "1", "20")
    assert declined.exit_code == 1
    assert "declined" in declined.stdout
