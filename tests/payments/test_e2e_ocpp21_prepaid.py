"""Prepaid cards (OCPP 2.1 C17) over the wire: the `ocpp` package's 2.1 ChargePoint presents
a card loaded with credit at the counter (HTTP API); the CSMS answers the credit as
``transactionLimit.maxCost``, debits the session's cost exactly once (replays change
nothing) and answers ``NoCredit`` once the credit is used up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from ocpp.v21 import call

from forecourt.domain.tokens import TokenRecord
from forecourt.domain.transactions import PaymentMethod
from forecourt.payments.domain.payments import Payment, PaymentFlow, PaymentState
from forecourt.payments.keys import PAYMENTS
from forecourt.payments.ports import PAYMENT_STORE
from forecourt.payments.providers.test_provider import TestProvider
from forecourt.services.access import Role
from forecourt.services.core import Services
from tests.payments import test_e2e_ocpp21_direct_payment as direct_payment
from tests.payments.conftest import eventually, prepare_network
from tests.payments.test_e2e_ocpp21_direct_payment import STATION, station
from tests.support.server import RunningServer, running_server

pytestmark = pytest.mark.asyncio

CARD = "PREPAID-0001"


@pytest.fixture
async def server(tmp_path: Any) -> AsyncIterator[RunningServer]:
    async with running_server(tmp_path, call_timeout=3.0, payments_sweep_interval=0.3) as running:
        await prepare_network(running.forecourt.services, STATION)
        await running.forecourt.services.network.add_token(TokenRecord(CARD))
        yield running


@pytest.fixture
async def counter(server: RunningServer) -> AsyncIterator[httpx.AsyncClient]:
    key = (await server.forecourt.services.api_keys.create("till", Role.ATTENDANT))[0]
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=server.http_url, headers=headers) as client:
        yield client


def card() -> dict[str, str]:
    return {"id_token": CARD, "type": "ISO14443"}


def started(tx_id: str) -> call.TransactionEvent:
    return direct_payment.started(tx_id, "", token=card())


def ended(tx_id: str, kwh: float) -> call.TransactionEvent:
    return direct_payment.ended(tx_id, "", kwh, token=card())


async def balance(counter: httpx.AsyncClient) -> int:
    answer = await counter.get(f"/api/payments/prepaid/{CARD}")
    assert answer.status_code == 200, answer.text
    minor: int = answer.json()["balance"]["minor"]
    return minor


async def sessions(services: Services) -> list[Payment]:
    async with services.ctx.uow() as uow:
        found = await uow.repository(PAYMENT_STORE).by_token(CARD)
    return [p for p in found if p.flow is PaymentFlow.PREPAID_CARD]


async def debited(services: Services) -> bool:
    spent = await sessions(services)
    return bool(spent) and all(p.state is PaymentState.CAPTURED for p in spent)


async def test_prepaid_card_spends_its_credit_then_has_none(
    server: RunningServer, counter: httpx.AsyncClient
) -> None:
    services = server.forecourt.services
    assert (await counter.get(f"/api/payments/prepaid/{CARD}")).status_code == 404  # not loaded
    loaded = await counter.post(f"/api/payments/prepaid/{CARD}/loads", json={"amount": "3.52"})
    assert loaded.status_code == 201, loaded.text
    assert loaded.json()["balance"]["text"] == "$3.52"

    async with station(server) as cp:
        authorized = await cp.call(call.Authorize(id_token=card()))
        assert authorized.id_token_info["status"] == "Accepted"
        start = await cp.call(started("TX-PRE-1"))
        assert start.id_token_info["status"] == "Accepted"
        assert start.transaction_limit == {"max_cost": 3.35}  # 95 % of the credit
        assert await balance(counter) == 0  # all of it set aside while charging
        # 5 kWh: $1.00 session fee + $2.25 energy + 8.25 % tax = $3.52, the whole credit.
        end = await cp.call(ended("TX-PRE-1", 105.0))
        assert end.total_cost == 3.52
        await eventually(lambda: debited(services))
        await cp.call(ended("TX-PRE-1", 105.0))  # a replay: debited once
        assert await balance(counter) == 0

        empty = await cp.call(call.Authorize(id_token=card()))
        assert empty.id_token_info["status"] == "NoCredit"
        refused = await cp.call(started("TX-PRE-2"))
        assert refused.id_token_info["status"] == "NoCredit"
        assert refused.transaction_limit is None

    (session,) = await sessions(services)  # the refused start set nothing aside
    assert session.state is PaymentState.CAPTURED
    assert session.captured_minor == 352
    async with services.ctx.uow() as uow:
        tx = await uow.transactions.get(session.transaction_id or 0)
    assert tx is not None
    assert tx.payment_method is PaymentMethod.PREPAID_CARD


async def test_loading_refuses_bad_input(server: RunningServer, counter: httpx.AsyncClient) -> None:
    assert server.forecourt
    unknown = await counter.post("/api/payments/prepaid/NOBODY/loads", json={"amount": "5"})
    assert unknown.status_code == 404
    zero = await counter.post(f"/api/payments/prepaid/{CARD}/loads", json={"amount": "0"})
    assert zero.status_code == 422
    await counter.post(f"/api/payments/prepaid/{CARD}/loads", json={"amount": "5"})
    euros = await counter.post(
        f"/api/payments/prepaid/{CARD}/loads", json={"amount": "5", "currency": "EUR"}
    )
    assert euros.status_code == 422
    assert await balance(counter) == 500


async def test_a_card_tops_up_the_prepaid_card_at_the_counter(
    server: RunningServer, counter: httpx.AsyncClient
) -> None:
    services = server.forecourt.services
    provider = services.feature(PAYMENTS).provider
    assert isinstance(provider, TestProvider)
    body = {"amount": "10.00", "method": "card", "terminal_id": "till-1"}
    by_card = await counter.post(f"/api/payments/prepaid/{CARD}/loads", json=body)
    provider.tap("till-1", "4000000000000002")  # the next card is declined
    declined = await counter.post(f"/api/payments/prepaid/{CARD}/loads", json=body)
    in_cash = await counter.post(f"/api/payments/prepaid/{CARD}/loads", json={"amount": "5"})
    async with services.ctx.uow() as uow:
        loads = [
            p
            for p in await uow.repository(PAYMENT_STORE).by_token(CARD)
            if p.flow is PaymentFlow.PREPAID_LOAD
        ]
    async with station(server) as cp:
        start = await cp.call(started("TX-TOPUP-1"))
    assert by_card.status_code == 201, by_card.text
    assert by_card.json()["balance"]["minor"] == 1000
    assert by_card.json()["taken_by"] == "api key till"
    assert declined.status_code == 402, declined.text
    assert "declined" in declined.json()["detail"]
    assert in_cash.json()["balance"]["minor"] == 1500  # the declined card loaded nothing
    states = sorted((p.state.value, p.provider, p.taken_by) for p in loads)
    assert states == [
        ("captured", "prepaid", "api key till"),  # cash
        ("captured", provider.name, "api key till"),  # the card, settled at the terminal
        ("declined", provider.name, "api key till"),
    ]
    card_load = next(p for p in loads if p.provider == provider.name and p.captured_minor)
    assert provider.captures_applied(card_load.provider_ref) == 1  # the money was taken once
    assert start.transaction_limit == {"max_cost": 14.25}  # 95 % of the $15.00 of credit
