"""The Stripe adapter at its HTTP boundary, against a local server speaking Stripe's shapes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from forecourt.domain.money import Money
from forecourt.payments.domain.payments import (
    HoldStatus,
    InvalidWebhook,
    PaymentFlow,
    ProviderRejected,
    ProviderUnavailable,
)
from forecourt.payments.ports import HoldRequest
from forecourt.payments.providers.stripe_provider import StripeProvider
from tests.payments.fake_stripe import API_KEY, SECRET, FakeStripe, fake_stripe, sign

pytestmark = pytest.mark.asyncio

HOLD = Money(5000, "USD")


@pytest.fixture
async def stripe_rig() -> AsyncIterator[tuple[FakeStripe, StripeProvider]]:
    async with fake_stripe() as fake:
        provider = StripeProvider(API_KEY, SECRET, api_base=fake.url, timeout_s=5)
        try:
            yield fake, provider
        finally:
            await provider.aclose()


def request(flow: PaymentFlow, reader: str = "") -> HoldRequest:
    return HoldRequest(
        HOLD,
        "pub-123",
        flow,
        description="EV charging at CS-1/1",
        return_url="https://cpo.example/pay/session/pub-123",
        cancel_url="https://cpo.example/pay/CS-1/1",
        reader_id=reader,
        metadata={"id_token": "FC0001"},
    )


async def test_scan_to_pay_is_a_checkout_session_with_a_manual_capture_intent(
    stripe_rig: tuple[FakeStripe, StripeProvider],
) -> None:
    fake, stripe = stripe_rig
    hold = await stripe.create_hold(request(PaymentFlow.SCAN_TO_PAY), idempotency_key="k-hold")
    assert hold.status is HoldStatus.PENDING
    assert hold.redirect_url.startswith(fake.url)
    method, path, params, headers = fake.requests[-1]
    assert (method, path) == ("POST", "/v1/checkout/sessions")
    assert params["mode"] == "payment"
    assert params["payment_intent_data[capture_method]"] == "manual"
    assert params["line_items[0][price_data][unit_amount]"] == "5000"
    assert params["client_reference_id"] == "pub-123"
    assert headers["idempotency-key"] == "k-hold"
    assert headers["stripe-version"]

    fake.pay(hold.provider_ref)
    paid = await stripe.get_hold(hold.provider_ref)
    assert paid.status is HoldStatus.AUTHORIZED
    assert paid.provider_ref.startswith("pi_")
    assert paid.reference == "pub-123"
    assert paid.authorized == HOLD
    assert paid.card.last4 == "4242"


async def test_capture_takes_the_exact_amount_once_whatever_the_retries(
    stripe_rig: tuple[FakeStripe, StripeProvider],
) -> None:
    fake, stripe = stripe_rig
    hold = await stripe.create_hold(
        request(PaymentFlow.DISPENSER_READER, "tmr_1"), idempotency_key="k"
    )
    _, path, params, _ = fake.requests[-2]
    assert path == "/v1/payment_intents"
    assert params["capture_method"] == "manual"
    assert params["payment_method_types[0]"] == "card_present"
    assert fake.requests[-1][1] == "/v1/terminal/readers/tmr_1/process_payment_intent"
    fake.pay(hold.provider_ref, present=True)

    first = await stripe.capture(hold.provider_ref, Money(1976, "USD"), idempotency_key="cap-1")
    again = await stripe.capture(hold.provider_ref, Money(1976, "USD"), idempotency_key="cap-1")
    assert first.status is again.status is HoldStatus.CAPTURED
    assert first.captured == Money(1976, "USD")
    assert fake.captures_applied == 1
    _, path, params, headers = fake.requests[-1]
    assert path.endswith("/capture")
    assert params["amount_to_capture"] == "1976"
    assert headers["idempotency-key"] == "cap-1"
    with pytest.raises(ProviderRejected, match="status of succeeded"):
        await stripe.capture(hold.provider_ref, Money(1, "USD"), idempotency_key="cap-2")


async def test_release_cancels_and_errors_map_to_retry_or_refusal(
    stripe_rig: tuple[FakeStripe, StripeProvider],
) -> None:
    fake, stripe = stripe_rig
    hold = await stripe.create_hold(request(PaymentFlow.DISPENSER_READER), idempotency_key="k")
    fake.pay(hold.provider_ref)
    fake.fail_next = [500]
    with pytest.raises(ProviderUnavailable):
        await stripe.release(hold.provider_ref, idempotency_key="rel")
    released = await stripe.release(hold.provider_ref, idempotency_key="rel")
    assert released.status is HoldStatus.CANCELED
    assert fake.requests[-1][2]["cancellation_reason"] == "abandoned"
    with pytest.raises(ProviderRejected):
        await stripe.get_hold("pi_unknown")
    recent = await stripe.recent_holds(datetime.now(UTC) - timedelta(hours=1))
    assert [h.provider_ref for h in recent] == [hold.provider_ref]


async def test_webhooks_are_verified_and_carry_the_card(
    stripe_rig: tuple[FakeStripe, StripeProvider],
) -> None:
    fake, stripe = stripe_rig
    hold = await stripe.create_hold(request(PaymentFlow.DISPENSER_READER), idempotency_key="k")
    intent = fake.pay(hold.provider_ref, last4="0005", present=True)
    body, headers = fake.event("payment_intent.amount_capturable_updated", intent)
    event = await stripe.parse_webhook(body, headers)
    assert event is not None
    assert event.hold.status is HoldStatus.AUTHORIZED
    assert event.hold.card.last4 == "0005"
    assert event.hold.reference == "pub-123"
    assert event.id_token == ""  # our own hold: no terminal token
    with pytest.raises(InvalidWebhook):
        await stripe.parse_webhook(body, {"Stripe-Signature": sign(body, "whsec_other")})
    ignored, headers = fake.event("customer.created", {"id": "cus_1", "object": "customer"})
    assert await stripe.parse_webhook(ignored, headers) is None


async def test_a_dispenser_terminal_intent_becomes_a_session_token(
    stripe_rig: tuple[FakeStripe, StripeProvider],
) -> None:
    fake, stripe = stripe_rig
    made = fake.create_intent(
        {
            "amount": "6000",
            "currency": "usd",
            "capture_method": "manual",
            "metadata[id_token]": "TERM42",
            "metadata[station_id]": "CS-1",
            "metadata[evse_id]": "2",
        }
    )
    intent = fake.pay(made["id"], present=True)
    body, headers = fake.event("payment_intent.amount_capturable_updated", intent)
    event = await stripe.parse_webhook(body, headers)
    assert event is not None
    assert (event.id_token, event.station_id, event.evse_id) == ("TERM42", "CS-1", 2)
    assert event.hold.authorized == Money(6000, "USD")
