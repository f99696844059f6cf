"""The attendant's console ("pay inside"): a phone-sized page per site listing its
dispensers; the attendant takes a prepayment (cash, or a card on the counter terminal) for a
chosen port, which then starts, and sees the receipt and the change due at the end."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Form
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from forecourt.domain.errors import ForecourtError, InvalidInput, NotFound
from forecourt.domain.money import parse_decimal
from forecourt.domain.stations import ConnectorStatus, Station
from forecourt.payments.domain.payments import Payment, PaymentFlow, PaymentState
from forecourt.payments.keys import PAYMENTS
from forecourt.payments.ports import PAYMENT_STORE, PaymentFilter
from forecourt.payments.web.driver import session_view
from forecourt.web.auth import Attendant
from forecourt.web.context import Web, WebContext
from forecourt.web.routes import page_router
from forecourt.web.scope import visible_sites, visible_station

router = page_router()

#: The counter's open prepayments shown on the console (newest first).
_OPEN = (PaymentState.AUTHORIZED, PaymentState.IN_SESSION, PaymentState.TO_CAPTURE)


@dataclass(frozen=True, slots=True)
class Dispenser:
    """One port as the attendant sees it."""

    station_id: str
    evse_id: int
    state: str
    online: bool

    @property
    def port(self) -> str:
        return f"{self.station_id}/{self.evse_id}"


@router.get("/dashboard/counter")
async def counter_sites(request: Request, me: Attendant, web: Web) -> Response:
    sites = await visible_sites(web, me)
    return web.page(request, "payments/counter_sites.html", {"sites": sites})


@router.get("/dashboard/counter/{site_id}")
async def counter_page(request: Request, site_id: str, me: Attendant, web: Web) -> Response:
    return await _console(request, web, me.access.sees_site(site_id), site_id, "")


@router.post("/dashboard/counter/{site_id}/prepay")
async def prepay(
    request: Request,
    site_id: str,
    me: Attendant,
    web: Web,
    port: Annotated[str, Form()],
    amount: Annotated[str, Form()],
    method: Annotated[str, Form()],
    terminal_id: Annotated[str, Form()] = "counter",
) -> Response:
    if not me.access.sees_site(site_id):
        raise NotFound("site", site_id)
    try:
        station_id, evse_id = await _port_at(web, site_id, port)
        taken_by = f"user {me.user.username}"
        payment = await _take(web, station_id, evse_id, amount, method, terminal_id, taken_by)
    except ForecourtError as exc:
        return await _console(request, web, True, site_id, str(exc), status_code=400)
    return RedirectResponse(f"/dashboard/counter/payments/{payment.public_id}", status_code=303)


@router.get("/dashboard/counter/payments/{public_id}")
async def counter_payment(request: Request, public_id: str, me: Attendant, web: Web) -> Response:
    payment = await web.services.feature(PAYMENTS).holds.get(public_id)
    station = await visible_station(web, me, payment.station_id)
    context = {**await session_view(web, payment), "site_id": station.site_id or ""}
    return web.page(request, "payments/counter_payment.html", context)


async def _console(
    request: Request,
    web: WebContext,
    visible: bool,
    site_id: str,
    error: str,
    status_code: int = 200,
) -> Response:
    if not visible:
        raise NotFound("site", site_id)
    site = await web.services.network.site(site_id)
    stations = [s for s in await web.services.network.stations() if s.site_id == site_id]
    async with web.services.ctx.uow() as uow:
        open_payments = await uow.repository(PAYMENT_STORE).list(
            PaymentFilter(_OPEN, station_ids=frozenset(s.id for s in stations), limit=50)
        )
    context = {
        "site": site,
        "dispensers": [d for s in stations for d in _dispensers(s)],
        "open_payments": [p for p in open_payments if p.method.value == "attendant_prepay"],
        "error": error,
    }
    return web.page(request, "payments/counter.html", context, status_code=status_code)


def _dispensers(station: Station) -> list[Dispenser]:
    out = []
    for evse in station.evses:
        states = {c.status for c in evse.connectors} or {ConnectorStatus.UNKNOWN}
        state = ConnectorStatus.AVAILABLE if ConnectorStatus.AVAILABLE in states else min(states)
        out.append(Dispenser(station.id, evse.evse_id, state.value, station.connected))
    return out


async def _port_at(web: WebContext, site_id: str, port: str) -> tuple[str, int]:
    station_id, _, evse = port.rpartition("/")
    station = await web.services.network.station(station_id) if station_id else None
    if station is None or station.site_id != site_id or not evse.isdigit():
        raise InvalidInput(f"choose a port of this site (not {port!r})")
    return station_id, int(evse)


async def _take(
    web: WebContext,
    station_id: str,
    evse_id: int,
    amount: str,
    method: str,
    terminal_id: str,
    taken_by: str,
) -> Payment:
    counter = web.services.feature(PAYMENTS).counter
    money = parse_decimal(amount.strip())
    if method == "cash":
        return await counter.take_cash(station_id, evse_id, money, taken_by)
    if method == "card":
        return await counter.pay_at_terminal(
            terminal_id or "counter",
            station_id,
            evse_id,
            money,
            PaymentFlow.ATTENDANT_CARD,
            taken_by,
        )
    raise InvalidInput("choose cash or card")
