"""Scan-to-pay end to end with the real Stripe adapter: Forecourt on 127.0.0.1 talks to a local
stand-in of the Stripe API, Stripe's signed webhook starts the simulated station remotely,
and the final amount is captured once with ``amount_to_capture``."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from forecourt.payments.domain.payments import PaymentState
from forecourt.simulator import SimulatedStation
from tests.payments.conftest import (
    LONG,
    eventually,
    payment_in_state,
    prepare_network,
    station_config,
)
from tests.payments.fake_stripe import API_KEY, SECRET, fake_stripe
from tests.support.server import running_server

pytestmark = pytest.mark.asyncio


async def test_scan_to_pay_with_stripe(tmp_path: Path) -> None:
    async with fake_stripe() as stripe:
        settings = {
            "call_timeout": 3.0,
            "payments_sweep_interval": 0.3,
            "payment_provider": "stripe",
            "stripe_api_key": API_KEY,
            "stripe_webhook_secret": SECRET,
            "stripe_api_base": stripe.url,
        }
        async with running_server(tmp_path, **settings) as server:
            services = server.forecourt.services
            await prepare_network(services, "ST-1")
            webhook = f"{server.http_url}/api/payments/webhooks/stripe"
            async with (
                SimulatedStation(station_config(server, "ST-1", "2.0.1")) as station,
                httpx.AsyncClient(base_url=server.http_url) as http,
            ):
                await station.wait_ready(timeout=30)
                started = await http.post(
                    "/api/payments/scan-to-pay", json={"station_id": "ST-1", "evse_id": 1}
                )
                assert started.status_code == 201, started.text
                checkout = started.json()["redirect_url"]
                assert checkout.startswith(stripe.url)

                intent = stripe.pay(checkout.rsplit("/", 1)[-1])
                session_done = {
                    "id": checkout.rsplit("/", 1)[-1],
                    "object": "checkout.session",
                    "payment_intent": intent["id"],
                }
                answer = await stripe.deliver(webhook, "checkout.session.completed", session_done)
                assert answer.status_code == 200, answer.text
                forged = await http.post(
                    webhook, content=b"{}", headers={"Stripe-Signature": "t=1,v1=00"}
                )
                assert forged.status_code == 400

                await eventually(lambda: payment_in_state(services, PaymentState.IN_SESSION))
                assert station.evses[0].session is not None
                station.evses[0].session.vehicle = LONG
                await eventually(lambda: _charged(station))
                await station.stop_session(1, timeout=30)
                paid = await eventually(lambda: payment_in_state(services, PaymentState.CAPTURED))

        assert stripe.captures_applied == 1
        captures = [r for r in stripe.requests if r[1].endswith("/capture")]
        assert captures[0][2]["amount_to_capture"] == str(paid.final_minor)
        assert {r[3]["idempotency-key"] for r in captures} == {paid.key("capture")}
        assert paid.card.last4 == "4242"
        assert paid.provider_ref == intent["id"]


async def _charged(station: SimulatedStation) -> bool:
    session = station.evses[0].session
    return session is not None and session.energy_wh > 200
