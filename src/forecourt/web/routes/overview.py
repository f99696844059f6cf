"""The network overview: live counts, sites, stations, alerts."""

from __future__ import annotations

from datetime import UTC

from starlette.requests import Request
from starlette.responses import Response

from forecourt.domain.events import StationEvent
from forecourt.domain.transactions import TransactionState
from forecourt.ports.faults import FAULTS, FaultSummary
from forecourt.ports.repositories import TransactionFilter
from forecourt.web.auth import SignedIn, Viewer
from forecourt.web.context import Web, WebContext
from forecourt.web.routes import page_router
from forecourt.web.scope import visible_sites, visible_stations
from forecourt.web.views import ALERT_KINDS, Overview, build_overview

router = page_router()

ALERTS_PER_KIND = 10
#: Upper bounds on rows read per overview; the page stays fast on large networks.
ACTIVE_LIMIT = 5000
TODAY_LIMIT = 20000


@router.get("/dashboard")
async def overview(
    request: Request, me: Viewer, web: Web, site: str = "", problems: bool = False
) -> Response:
    data = await load_overview(web, me)
    rows = [
        row
        for row in data.stations
        if (not site or row.station.site_id == site)
        and (not problems or not row.station.connected or row.counts.counts["out_of_order"])
    ]
    context = {"overview": data, "rows": rows, "site_filter": site, "problems": problems}
    return web.page(request, "dashboard/overview.html", context)


async def load_overview(web: WebContext, me: SignedIn) -> Overview:
    history = web.services.history
    stations = await visible_stations(web, me)
    visible = {station.id for station in stations}
    active, _ = await history.list(
        TransactionFilter(state=TransactionState.ACTIVE, limit=ACTIVE_LIMIT)
    )
    midnight = (
        web.services.ctx.clock.now()
        .astimezone(UTC)
        .replace(hour=0, minute=0, second=0, microsecond=0)
    )
    today, _ = await history.list(TransactionFilter(since=midnight, limit=TODAY_LIMIT))
    energy_today = sum(tx.energy_wh for tx in today if tx.station_id in visible)
    faults, open_tickets = await _faults(web, visible)
    return build_overview(
        stations,
        await visible_sites(web, me),
        [tx for tx in active if tx.station_id in visible],
        energy_today,
        await _alert_events(web, visible),
        faults,
        open_tickets,
    )


async def _faults(web: WebContext, visible: set[str]) -> tuple[list[FaultSummary], int]:
    """Active faults and open tickets of the visible stations, from the feature that offers
    them (reliability); none without one."""
    board = web.services.port(FAULTS)
    if board is None:
        return [], 0
    return await board.active_faults(visible), await board.open_tickets(visible)


async def _alert_events(web: WebContext, visible: set[str]) -> list[StationEvent]:
    events: list[StationEvent] = []
    for kind in ALERT_KINDS:
        found = await web.services.network.station_events(None, kind, ALERTS_PER_KIND)
        events.extend(event for event in found if event.station_id in visible)
    return events
