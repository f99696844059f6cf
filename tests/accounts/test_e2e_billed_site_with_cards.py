"""An account-billed site that also takes cards, end to end over the wire.

At a site billed to accounts, an RFID fob bound to an account charges with no card hold and
its session lands on the account's statement; a driver tapping a card at the same dispenser
still pays by card (hold, then capture of the exact amount) and is not on the statement.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from forecourt.domain.tokens import TokenRecord
from forecourt.domain.transactions import PaymentMethod
from forecourt.payments.domain.payments import PaymentState
from forecourt.ports.repositories import TransactionFilter
from forecourt.services.access import Role
from forecourt.simulator import SimulatedStation
from tests.payments.conftest import (
    LONG,
    SITE,
    eventually,
    payment_in_state,
    payments_in,
    prepare_network,
    provider_of,
    station_config,
)
from tests.payments.test_e2e_dispenser import tap_card
from tests.support.server import RunningServer, running_server

pytestmark = pytest.mark.asyncio

STATION = "ACC-PAY-16"
ACCOUNT = "flat-3"
FOB = "FOB-FLAT-3"
CARD_TOKEN = "TERMACC0001"


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[RunningServer]:
    async with running_server(
        tmp_path,
        call_timeout=3.0,
        payments_sweep_interval=0.3,
        test_provider_state_file=tmp_path / "provider.json",
    ) as running:
        await prepare_network(running.forecourt.services, STATION)  # cards priced by tariff
        await running.forecourt.services.network.add_token(TokenRecord(FOB))
        yield running


@pytest.fixture
async def api(server: RunningServer) -> AsyncIterator[httpx.AsyncClient]:
    key, _ = await server.forecourt.services.api_keys.create("ops", Role.OPERATOR)
    async with httpx.AsyncClient(
        base_url=server.http_url, headers={"Authorization": f"Bearer {key}"}, timeout=15
    ) as client:
        yield client


async def test_an_account_fob_is_billed_to_the_account_while_a_card_still_pays_by_card(
    server: RunningServer, api: httpx.AsyncClient
) -> None:
    services = server.forecourt.services
    account = {"id": ACCOUNT, "name": "Flat 3", "kind": "landlord", "reference": "UNIT-3"}
    assert (await api.post("/api/accounts", json=account)).status_code == 201
    assert (await api.put(f"/api/accounts/{ACCOUNT}/tokens/{FOB}")).status_code == 204
    billing = {"price_per_kwh": "0.30", "currency": "USD"}
    assert (await api.put(f"/api/sites/{SITE}/account-billing", json=billing)).status_code == 200

    async with SimulatedStation(station_config(server, STATION, "1.6")) as station:
        await station.wait_ready(timeout=30)
        fob_tx = await _charge(server, station, 2, FOB)
        assert await payments_in(services, *PaymentState) == []  # no hold for the account

        await tap_card(api, server, STATION, CARD_TOKEN, "4242424242424242")
        await eventually(lambda: payment_in_state(services, PaymentState.AUTHORIZED))
        card_tx = await _charge(server, station, 1, CARD_TOKEN)

    paid = await eventually(lambda: payment_in_state(services, PaymentState.CAPTURED))
    assert paid.transaction_id == card_tx
    assert paid.captured_minor == paid.final_minor
    assert (paid.final_minor or 0) > 0
    assert provider_of(server).captures_applied(paid.provider_ref) == 1
    assert [p.transaction_id for p in await payments_in(services, *PaymentState)] == [card_tx]
    async with services.ctx.uow() as uow:
        card = await uow.transactions.get(card_tx)
    assert card is not None
    assert card.payment_method is PaymentMethod.CARD_AT_DISPENSER

    month = services.ctx.clock.now().strftime("%Y-%m")
    statement = (await api.get(f"/api/accounts/{ACCOUNT}/statements/{month}")).json()
    assert [line["transaction_id"] for line in statement["lines"]] == [fob_tx]
    assert statement["lines"][0]["token"] == FOB
    assert statement["sites"] == [SITE]
    line = statement["lines"][0]
    billed = (Decimal(line["energy_kwh"]) * Decimal("0.30")).quantize(Decimal("0.01"))
    assert Decimal(line["cost"]) == billed > 0  # the site's account price, not the card tariff
    assert statement["totals"] == {"USD": line["cost"]}


async def _charge(server: RunningServer, station: SimulatedStation, evse: int, token: str) -> int:
    """A session of ``token`` on ``evse`` with some energy, stopped; its transaction id."""
    session = station.start_session(evse, id_token=token, id_token_type="Local", vehicle=LONG)
    assert session is not None
    await session.wait_charging(30)
    tx = await eventually(lambda: _session_of(server, token))
    await eventually(lambda: _energy_above(server, tx, 300))
    await station.stop_session(evse, timeout=30)
    await eventually(lambda: _ended(server, tx))
    return tx


async def _session_of(server: RunningServer, token: str) -> int | None:
    async with server.forecourt.services.ctx.uow() as uow:
        found = await uow.transactions.list(TransactionFilter(id_token=token))
    return found[0].id if found else None


async def _energy_above(server: RunningServer, tx_id: int, wh: float) -> bool:
    async with server.forecourt.services.ctx.uow() as uow:
        tx = await uow.transactions.get(tx_id)
    return tx is not None and tx.energy_wh > wh


async def _ended(server: RunningServer, tx_id: int) -> bool:
    async with server.forecourt.services.ctx.uow() as uow:
        tx = await uow.transactions.get(tx_id)
    return tx is not None and tx.stopped_at is not None
