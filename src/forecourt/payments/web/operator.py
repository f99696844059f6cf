"""Operator views: payments (with escalations and reconciliation) and tariffs."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from forecourt.api.bounds import RecordId
from forecourt.domain.errors import ForecourtError
from forecourt.payments.domain.payments import PaymentState
from forecourt.payments.keys import PAYMENTS
from forecourt.payments.ports import PAYMENT_STORE, PaymentFilter, TariffBinding
from forecourt.payments.services.pricing import price_text
from forecourt.services.access import shown_token
from forecourt.web.auth import ADMIN_ONLY, SignedIn, Viewer
from forecourt.web.context import Web
from forecourt.web.routes import page_router
from forecourt.web.scope import visible_station, visible_station_ids

router = page_router()


@router.get("/dashboard/payments")
async def payments_page(request: Request, me: Viewer, web: Web, state: str = "") -> Response:
    states = (PaymentState(state),) if state in set(PaymentState) else ()
    scope = await visible_station_ids(web, me)
    async with web.services.ctx.uow() as uow:
        found = await uow.repository(PAYMENT_STORE).list(
            PaymentFilter(states, station_ids=scope, limit=200)
        )
        escalated = await uow.repository(PAYMENT_STORE).list(
            PaymentFilter((PaymentState.ESCALATED,), station_ids=scope)
        )
    policy = web.services.feature(PAYMENTS).policy
    mismatches = [
        c
        for c in await web.services.feature(PAYMENTS).cost_checks.list(flagged_only=True)
        if scope is None or c.station_id in scope
    ]
    context = {
        "mismatches": mismatches,
        "payments": found,
        "expires": {p.id: policy.expires_at(p) for p in found},
        "escalated": escalated,
        "state": state,
        "states": list(PaymentState),
    }
    return web.page(request, "payments/dashboard_payments.html", context)


@router.post("/dashboard/payments/reconcile", dependencies=[ADMIN_ONLY])
async def reconcile(request: Request, web: Web) -> Response:
    findings = await web.services.feature(PAYMENTS).reconciliation.run(fix=True)
    return web.page(request, "payments/dashboard_reconcile.html", {"findings": findings})


@router.get("/dashboard/tariffs")
async def tariffs_page(request: Request, me: Viewer, web: Web) -> Response:
    payments = web.services.feature(PAYMENTS)
    now = payments.ctx.clock.now()
    bindings = await payments.tariffs.bindings()
    if me.access.restricted:  # only what applies at the user's sites
        stations = await visible_station_ids(web, me) or frozenset()
        bindings = [b for b in bindings if _applies_within(b, me, stations)]
    used = {b.tariff_code for b in bindings}
    tariffs = [
        (t, price_text(t, now))
        for t in await payments.tariffs.current()
        if not me.access.restricted or t.code in used
    ]
    held = await payments.station_tariffs.holdings()
    if me.access.restricted:
        stations = await visible_station_ids(web, me) or frozenset()
        held = [h for h in held if h.station_id in stations]
    drivers = [] if me.access.restricted else [
        (shown_token(token, me.access.role), code)
        for token, code in await payments.tariffs.drivers()
    ]  # fmt: skip
    context = {"tariffs": tariffs, "bindings": bindings, "held": held, "drivers": drivers}
    return web.page(request, "payments/dashboard_tariffs.html", context)


def _applies_within(binding: TariffBinding, me: SignedIn, stations: frozenset[str]) -> bool:
    """Network-wide bindings, and those naming only the user's sites and stations."""
    site_ok = binding.site_id is None or me.access.sees_site(binding.site_id)
    return site_ok and (binding.station_id is None or binding.station_id in stations)


@router.get("/dashboard/sessions/{transaction_id}/cost")
async def session_cost(
    request: Request, transaction_id: RecordId, me: Viewer, web: Web
) -> Response:
    """The session page's cost panel: running or final cost, the payment, the receipt."""
    detail = await web.services.history.detail(transaction_id)
    await visible_station(web, me, detail.transaction.station_id)
    payments = web.services.feature(PAYMENTS)
    try:
        cost = (await payments.pricing.session_cost(transaction_id)).breakdown
    except ForecourtError:
        cost = None  # no tariff applies: the panel says so
    async with payments.ctx.uow() as uow:
        payment = await uow.repository(PAYMENT_STORE).by_transaction(transaction_id)
    context = {"tx": detail.transaction, "cost": cost, "payment": payment}
    return web.page(request, "payments/_session_cost.html", context)
