"""Incremental authorization (OCPP 2.1 C23), end to end: a scan-to-pay session on a simulated
2.0.1 station whose running cost nears the card's hold asks the provider to grow the same
hold; approved, the session goes on past the old limit; declined, the CSMS stops it at the
limit it has and captures no more than was authorised."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import httpx
import pytest

from forecourt.payments.domain.payments import Payment, PaymentState
from forecourt.payments.keys import PAYMENTS
from forecourt.payments.ports import TariffBinding
from forecourt.payments.providers.test_provider import NO_INCREMENT_CARD
from forecourt.services.core import Services
from forecourt.simulator import SimulatedStation
from tests.payments.conftest import LONG, TARIFF, eventually, provider_of
from tests.support.server import RunningServer

pytestmark = pytest.mark.asyncio

#: A $5 hold: its increase is asked at $4 of running cost, the stop would come at $4.75.
SMALL = replace(TARIFF, code="SMALL", name="Small hold", hold_amount=Decimal("5.00"))


async def paid_by_card(
    server: RunningServer, http: httpx.AsyncClient, station: SimulatedStation, card: str
) -> Payment:
    services = server.forecourt.services
    payments = services.feature(PAYMENTS)
    await payments.tariffs.publish(SMALL)
    await payments.tariffs.bind(TariffBinding("SMALL", station_id="PAY-201"))
    started = await http.post(
        "/api/payments/scan-to-pay", json={"station_id": "PAY-201", "evse_id": 1}
    )
    assert started.status_code == 201, started.text
    public_id = started.json()["public_id"]
    pending = await payments.holds.get(public_id)
    provider_of(server).present_card(pending.provider_ref, card)
    status = await http.get(f"/api/payments/{public_id}/status")
    assert status.json()["state"] == "authorized"

    async def plugged() -> bool:
        session = station.evses[0].session
        if session is not None:
            session.vehicle = LONG
        return session is not None

    await eventually(plugged)
    return await payments.holds.get(public_id)


async def current(services: Services, public_id: str) -> Payment:
    return await services.feature(PAYMENTS).holds.get(public_id)


async def test_the_hold_grows_and_the_session_goes_on(
    server: RunningServer, http: httpx.AsyncClient, station201: SimulatedStation
) -> None:
    services = server.forecourt.services
    payment = await paid_by_card(server, http, station201, "4242424242424242")

    async def increased() -> Payment | None:
        found = await current(services, payment.public_id)
        return found if found.authorized_minor >= 1000 else None

    grown = await eventually(increased, timeout=30)
    assert grown.provider_ref == payment.provider_ref  # the same hold, grown
    held = next(h for h in provider_of(server).holds() if h.provider_ref == grown.provider_ref)
    assert held.authorized is not None
    assert held.authorized.minor == grown.authorized_minor

    async def past_the_old_limit() -> bool:
        session = station201.evses[0].session
        return session is not None and session.energy_wh > 10_000  # > $5.95 of energy

    await eventually(past_the_old_limit, timeout=30)
    await station201.stop_session(1, timeout=30)

    async def captured() -> Payment | None:
        found = await current(services, payment.public_id)
        return found if found.state is PaymentState.CAPTURED else None

    paid = await eventually(captured)
    assert paid.captured_minor == paid.final_minor
    assert paid.captured_minor > 500  # more than the first hold allowed
    assert provider_of(server).captures_applied(paid.provider_ref) == 1


async def test_a_declined_increase_stops_the_session_at_its_limit(
    server: RunningServer, http: httpx.AsyncClient, station201: SimulatedStation
) -> None:
    services = server.forecourt.services
    payment = await paid_by_card(server, http, station201, NO_INCREMENT_CARD)

    async def stopped_by_the_csms() -> Payment | None:
        found = await current(services, payment.public_id)
        settled = found.state in (PaymentState.CAPTURED, PaymentState.ESCALATED)
        return found if settled else None

    ended = await eventually(stopped_by_the_csms, timeout=40)
    assert ended.authorized_minor == 500  # the increase was declined: the hold stayed
    held = next(h for h in provider_of(server).holds() if h.provider_ref == ended.provider_ref)
    assert held.authorized is not None
    assert held.authorized.minor == 500
    assert ended.captured_minor <= 500  # never more than the card allowed
    assert station201.evses[0].session is None  # nobody stopped it but the CSMS
