"""The reliability pages: one service call each, rendered server-side."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Form
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from forecourt.api.bounds import RecordId
from forecourt.domain.errors import InvalidInput
from forecourt.reliability.domain.export import decimal_text
from forecourt.reliability.domain.kpis import worst_combinations
from forecourt.reliability.domain.status import honest_status
from forecourt.reliability.domain.tickets import ACTIVE_STATES, TRANSITIONS, TicketState
from forecourt.reliability.keys import RELIABILITY
from forecourt.reliability.ports import TicketFilter
from forecourt.web.auth import Technician, Viewer
from forecourt.web.context import Web
from forecourt.web.routes import page_router
from forecourt.web.scope import visible_station, visible_stations

router = page_router()

_LIVE_STATES = (*sorted(ACTIVE_STATES), TicketState.RESOLVED)


@router.get("/dashboard/reliability")
async def overview(request: Request, me: Viewer, web: Web, site: str = "") -> Response:
    reliability = web.services.feature(RELIABILITY)
    visible = {s.id for s in await visible_stations(web, me)}
    flt = TicketFilter(site_id=site or None, states=_LIVE_STATES, limit=200)
    tickets = [t for t in (await reliability.tickets.list(flt))[0] if t.station_id in visible]
    details = {t.id: await reliability.tickets.detail(t.id) for t in tickets}
    faults = [f for f in await reliability.tickets.faults(active=True) if f.station_id in visible]
    now = web.services.ctx.clock.now()
    uptime = await reliability.reports.uptime(now.year, now.month, site_id=site or None)
    cells = await reliability.reports.interop(
        now - timedelta(days=90), now, site_id=site or None, stations=visible
    )
    context = {
        "worst": worst_combinations(cells),
        "tickets": tickets,
        "breaches": {tid: d.sla_breaches for tid, d in details.items()},
        "faults": faults,
        "uptime": [u for u in uptime if u.port.station_id in visible],
        "pct": lambda value: decimal_text(value, 3),
        "site": site,
    }
    return web.page(request, "dashboard/reliability.html", context)


@router.get("/dashboard/reliability/tickets/{ticket_id}")
async def ticket(request: Request, ticket_id: RecordId, me: Viewer, web: Web) -> Response:
    reliability = web.services.feature(RELIABILITY)
    detail = await reliability.tickets.detail(ticket_id)
    await visible_station(web, me, detail.ticket.station_id)
    impact = await reliability.reports.impact_minutes(detail.ticket)
    context = {
        "detail": detail,
        "ticket": detail.ticket,
        "impact": decimal_text(impact, 1),
        "next_states": sorted(TRANSITIONS[detail.ticket.state]),
    }
    return web.page(request, "dashboard/reliability_ticket.html", context)


@router.post("/dashboard/reliability/tickets/{ticket_id}/transition")
async def transition(
    ticket_id: RecordId,
    me: Technician,
    web: Web,
    state: Annotated[str, Form(max_length=32)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    reliability = web.services.feature(RELIABILITY)
    detail = await reliability.tickets.detail(ticket_id)
    await visible_station(web, me, detail.ticket.station_id)
    try:
        target = TicketState(state)
    except ValueError:
        raise InvalidInput(f"unknown ticket state {state!r}") from None
    await reliability.tickets.transition(ticket_id, target, f"web:{me.user.username}", note)
    return RedirectResponse(f"/dashboard/reliability/tickets/{ticket_id}", status_code=303)


@router.get("/dashboard/reliability/stations/{station_id}/panel")
async def station_panel(request: Request, station_id: str, me: Viewer, web: Web) -> Response:
    station = await visible_station(web, me, station_id)
    monitor = web.services.feature(RELIABILITY).monitor
    ports = []
    for evse in station.evses:
        view = monitor.view(station.id, evse.evse_id)
        status = honest_status(view, [c.status.value for c in evse.connectors])
        ports.append({"evse": evse.evse_id, "view": view, "status": status})
    flt = TicketFilter(station_id=station.id, states=_LIVE_STATES, limit=20)
    tickets, _ = await web.services.feature(RELIABILITY).tickets.list(flt)
    context = {"station": station, "ports": ports, "tickets": tickets}
    return web.page(request, "dashboard/_reliability_panel.html", context)
