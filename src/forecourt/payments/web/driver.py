"""Driver pages: scan-to-pay, the test provider's hosted card page, the live session, receipts.

No sign-in anywhere: the payment's unguessable public id (in the URL) is the credential, and
receipts are found again with the card's last 4 digits, the day and the amount (one match at
most, throttled per address: see ``payments.services.receipts``).
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import Form
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from forecourt.api.bounds import PortNumber
from forecourt.domain.errors import ForecourtError, NotFound
from forecourt.payments.domain.payments import Payment, PaymentState, ProviderUnavailable
from forecourt.payments.keys import PAYMENTS
from forecourt.payments.ports import HostedCardPage, ProviderEvent
from forecourt.payments.services.holds import NOT_ANSWERING, CannotStart
from forecourt.payments.services.pricing import fee_explanations, price_text
from forecourt.payments.services.qr_codes import CODE_STATUS, CodeRefused
from forecourt.payments.services.receipts import LookupThrottled
from forecourt.web.auth import client_address
from forecourt.web.context import Web, WebContext
from forecourt.web.routes import page_router

router = page_router()

SCRIPT = Path(__file__).with_name("static") / "pay.js"

#: What the driver reads for each state of their payment.
STATE_TEXT: dict[PaymentState, str] = {
    PaymentState.PENDING: "Waiting for your card…",
    PaymentState.AUTHORIZED: "Card approved. Plug in your vehicle: the charger is starting.",
    PaymentState.IN_SESSION: "Charging.",
    PaymentState.TO_CAPTURE: "Session ended. Finishing your payment…",
    PaymentState.CAPTURED: "Paid. Thank you!",
    PaymentState.TO_RELEASE: "Releasing your hold; nothing is charged.",
    PaymentState.RELEASED: "Your hold was released; nothing was charged.",
    PaymentState.DECLINED: "Payment not accepted; nothing was charged.",
    PaymentState.ESCALATED: "Session ended. Our staff will confirm the final amount.",
}


@router.get("/pay/assets/pay.js")
async def script() -> Response:
    return FileResponse(SCRIPT, media_type="text/javascript")


@router.get("/pay/session/{public_id}")
async def session_page(request: Request, public_id: str, web: Web) -> Response:
    payments = web.services.feature(PAYMENTS)
    payment = await payments.holds.refresh_pending(await payments.holds.get(public_id))
    context = {**await session_view(web, payment), "script": "/pay/assets/pay.js"}
    return web.page(request, "payments/session.html", context)


async def session_view(web: WebContext, payment: Payment) -> dict[str, Any]:
    tx, cost = None, None
    if payment.transaction_id is not None:
        try:
            found = await web.services.feature(PAYMENTS).pricing.session_cost(
                payment.transaction_id
            )
            tx, cost = found.transaction, found.breakdown
        except ForecourtError:
            pass  # no price yet: the page shows the state alone
    return {
        "payment": payment,
        "state_text": STATE_TEXT[payment.state],
        "tx": tx,
        "cost": cost,
        "done": _done(payment),
        "can_stop": payment.state is PaymentState.IN_SESSION and tx is not None and tx.active,
    }


def _done(payment: Payment) -> bool:
    """Nothing more will happen on this page: it stops refreshing itself."""
    return payment.state.final or payment.state in (PaymentState.CAPTURED, PaymentState.ESCALATED)


@router.post("/pay/session/{public_id}/stop")
async def stop_session(public_id: str, web: Web) -> Response:
    """The driver ends their own session (the unguessable public id is the credential)."""
    payment = await web.services.feature(PAYMENTS).holds.get(public_id)
    if payment.state is PaymentState.IN_SESSION and payment.transaction_id is not None:
        await web.services.remote.stop_transaction(
            payment.transaction_id, requested_by=f"driver {public_id[:6]}"
        )
    return RedirectResponse(f"/pay/session/{public_id}", status_code=303)


# -- the test provider's hosted card page (what Stripe Checkout is for Stripe) ------------------
def _test_provider(web: WebContext) -> HostedCardPage:
    provider = web.services.feature(PAYMENTS).provider
    if not isinstance(provider, HostedCardPage):  # the test provider; Stripe hosts its own
        raise NotFound("page", "test provider")
    return provider


@router.get("/pay/test-provider/{ref}")
async def card_page(request: Request, ref: str, web: Web) -> Response:
    hold = await _test_provider(web).get_hold(ref)
    return web.page(request, "payments/card.html", {"hold": hold, "message": ""})


@router.post("/pay/test-provider/{ref}")
async def submit_card(
    request: Request,
    ref: str,
    web: Web,
    card_number: Annotated[str, Form(max_length=32)],
) -> Response:
    provider = _test_provider(web)
    try:
        hold = provider.present_card(ref, card_number)
    except ProviderUnavailable:
        current = await provider.get_hold(ref)
        context = {"hold": current, "message": NOT_ANSWERING}
        return web.page(request, "payments/card.html", context, 503)
    # What the provider's webhook would say, delivered directly (same process).
    event = ProviderEvent(f"page-{ref}-{hold.status.value}", hold)
    await web.services.feature(PAYMENTS).holds.apply(event)
    return RedirectResponse(f"/pay/session/{hold.reference}", status_code=303)


# -- receipts -------------------------------------------------------------------------------
@router.get("/receipts")
async def find_receipt(
    request: Request, web: Web, last4: str = "", day: str = "", amount: str = ""
) -> Response:
    found, message, status = None, "", 200
    if last4 or day or amount:
        try:
            found = await web.services.feature(PAYMENTS).receipts.find_mine(
                last4.strip(), date.fromisoformat(day), amount, client_address(request)
            )
        except LookupThrottled as throttled:
            return _wait_page(request, web, throttled)
        except NotFound:
            message = "No receipt matches that card, day and amount."  # a search: 200
        except (ValueError, ForecourtError):
            message = "Give the card's last 4 digits, the day you charged and the amount."
            status = 400
    context = {"found": found, "message": message, "last4": last4, "day": day, "amount": amount}
    return web.page(request, "payments/find.html", context, status)


@router.get("/receipts/{code}")
async def receipt_page(request: Request, code: str, web: Web) -> Response:
    receipts = web.services.feature(PAYMENTS).receipts
    try:
        receipt = await receipts.by_public_code(code, client_address(request))
    except LookupThrottled as throttled:
        return _wait_page(request, web, throttled)
    context = {"receipt": receipt, "operator_contact": web.settings.operator_contact}
    return web.page(request, "payments/receipt.html", context)


def _wait_page(request: Request, web: WebContext, throttled: LookupThrottled) -> Response:
    message = "Too many tries that found nothing. Please wait and try again later."
    context = {"found": None, "message": message, "last4": "", "day": "", "amount": ""}
    response = web.page(request, "payments/find.html", context, 429)
    response.headers["Retry-After"] = str(math.ceil(throttled.retry_after_s))
    return response


# -- scan-to-pay entry (last: its path pattern would swallow the fixed paths above) ------------
@router.get("/pay/{station_id}/{evse_id}")
async def start_page(
    request: Request, station_id: str, evse_id: PortNumber, web: Web, code: str = ""
) -> Response:
    """The static code's page, or a dynamic code's (C25: ``code`` is redeemed on paying)."""
    return await _start_page(request, web, station_id, evse_id, "", code=code[:200])


async def _start_page(
    request: Request,
    web: WebContext,
    station_id: str,
    evse_id: int,
    message: str,
    status_code: int = 409,
    code: str = "",
) -> Response:
    payments = web.services.feature(PAYMENTS)
    priced = await payments.tariffs.for_evse(station_id, evse_id)
    evse = priced.station.evse(evse_id)
    now = payments.ctx.clock.now()
    context = {
        "station": priced.station,
        "evse_id": evse_id,
        "connectors": evse.connectors if evse else [],
        "price_text": price_text(priced.tariff, now),
        "fees": fee_explanations(priced.tariff),
        "hold": priced.tariff.hold(),
        "message": message,
        "code": code,
    }
    return web.page(request, "payments/start.html", context, status_code if message else 200)


@router.post("/pay/{station_id}/{evse_id}")
async def start(
    request: Request,
    station_id: str,
    evse_id: PortNumber,
    web: Web,
    email: Annotated[str, Form(max_length=254)] = "",
    code: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    try:
        payment = await web.services.feature(PAYMENTS).scan_to_pay(station_id, evse_id, email, code)
    except CannotStart as exc:
        return await _start_page(request, web, station_id, evse_id, str(exc))
    except CodeRefused as exc:
        status_code = CODE_STATUS[exc.reason]
        return await _start_page(request, web, station_id, evse_id, str(exc), status_code)
    target = payment.redirect_url if payment.state is PaymentState.PENDING else ""
    return RedirectResponse(target or f"/pay/session/{payment.public_id}", status_code=303)
