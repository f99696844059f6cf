"""Operator views: payments (with escalations and reconciliation) and tariffs."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from forecourt.domain.errors import ForecourtError
from forecourt.domain.payments import PaymentState
from forecourt.ports.payments import PaymentFilter
from forecourt.services.payments.pricing import price_text
from forecourt.web.auth import Admin, Viewer
from forecourt.web.context import Web
from forecourt.web.routes import page_router
from forecourt.web.scope import visible_station

router = page_router()


@router.get("/dashboard/payments")
async def payments_page(request: Request, me: Viewer, web: Web, state: str = "") -> Response:
    states = (PaymentState(state),) if state in set(PaymentState) else ()
    async with web.services.ctx.uow() as uow:
        found = await uow.payments.list(PaymentFilter(states=states, limit=200))
        escalated = await uow.payments.list(PaymentFilter(states=(PaymentState.ESCALATED,)))
    context = {
        "payments": found,
        "escalated": escalated,
        "state": state,
        "states": list(PaymentState),
    }
    return web.page(request, "payments/dashboard_payments.html", context)


@router.post("/dashboard/payments/reconcile")
async def reconcile(request: Request, me: Admin, web: Web) -> Response:
    findings = await web.services.payments.reconciliation.run(fix=True)
    return web.page(request, "payments/dashboard_reconcile.html", {"findings": findings})


@router.get("/dashboard/tariffs")
async def tariffs_page(request: Request, me: Viewer, web: Web) -> Response:
    payments = web.services.payments
    now = payments.ctx.clock.now()
    tariffs = [(t, price_text(t, now)) for t in await payments.tariffs.current()]
    context = {"tariffs": tariffs, "bindings": await payments.tariffs.bindings()}
    return web.page(request, "payments/dashboard_tariffs.html", context)


@router.get("/dashboard/sessions/{transaction_id}/cost")
async def session_cost(request: Request, transaction_id: int, me: Viewer, web: Web) -> Response:
    """The session page's cost panel: running or final cost, the payment, the receipt."""
    detail = await web.services.history.detail(transaction_id)
    await visible_station(web, me, detail.transaction.station_id)
    payments = web.services.payments
    try:
        cost = (await payments.pricing.session_cost(transaction_id)).breakdown
    except ForecourtError:
        cost = None  # no tariff applies: the panel says so
    async with payments.ctx.uow() as uow:
        payment = await uow.payments.by_transaction(transaction_id)
    context = {"tx": detail.transaction, "cost": cost, "payment": payment}
    return web.page(request, "payments/_session_cost.html", context)
