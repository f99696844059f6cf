"""One station: EVSEs and connectors, current sessions with live charts, commands, history."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from forecourt.domain.commands import CommandKind, CommandRecord, CommandStatus, TriggerKind
from forecourt.domain.stations import Site, Station
from forecourt.domain.transactions import Transaction, TransactionState
from forecourt.ports.repositories import TransactionFilter
from forecourt.web.auth import Viewer
from forecourt.web.charts import ChartRow, chart_points, chart_rows
from forecourt.web.context import Web, WebContext
from forecourt.web.routes import page_router
from forecourt.web.scope import visible_station
from forecourt.web.views import connector_views

router = page_router()

COMMAND_LOG = 50  # read this many to find the last configuration; show fewer
SHOWN_COMMANDS = 10
HISTORY = 20


@dataclass(frozen=True, slots=True)
class SessionNow:
    transaction: Transaction
    rows: list[ChartRow]

    @property
    def points(self) -> list[tuple[int, float | None, float | None]]:
        return chart_points(self.rows)


@router.get("/dashboard/stations/{station_id}")
async def station_page(
    request: Request, station_id: str, me: Viewer, web: Web, command: int | None = None
) -> Response:
    services = web.services
    station = await visible_station(web, me, station_id)
    commands = await services.remote.history(station_id, COMMAND_LOG)
    shown = next((c for c in commands if c.id == command), None)
    context = {
        "station": station,
        "site": await _site_of(web, station),
        "connectors": connector_views(station),
        "sessions": await current_sessions(web, station_id),
        "commands": commands[:SHOWN_COMMANDS],
        "configuration": _last_configuration(commands),
        "shown_command": shown,
        "shown_succeeded": shown is not None and shown.status.succeeded,
        "statuses": await services.network.status_history(station_id, HISTORY),
        "events": await services.network.station_events(station_id, None, HISTORY),
        "local_list": await services.local_lists.view(station_id),
        "reservations": await services.core.reservations.list(station_id, HISTORY),
        "triggers": list(TriggerKind),
    }
    return web.page(request, "dashboard/station.html", context)


async def current_sessions(web: WebContext, station_id: str) -> list[SessionNow]:
    history = web.services.history
    flt = TransactionFilter(station_id=station_id, state=TransactionState.ACTIVE, limit=20)
    active, _ = await history.list(flt)
    return [SessionNow(tx, chart_rows((await history.detail(tx.id)).samples)) for tx in active]


async def _site_of(web: WebContext, station: Station) -> Site | None:
    return None if station.site_id is None else await web.services.network.site(station.site_id)


def _last_configuration(commands: list[CommandRecord]) -> CommandRecord | None:
    return next(
        (
            c
            for c in commands
            if c.kind is CommandKind.GET_CONFIGURATION and c.status is CommandStatus.ACCEPTED
        ),
        None,
    )
