"""Charging sessions: a filtered list and one session with its meter chart."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta

from starlette.requests import Request
from starlette.responses import Response

from forecourt.api.bounds import PageNumber, RecordId
from forecourt.domain.errors import InvalidInput
from forecourt.domain.transactions import Transaction, TransactionState
from forecourt.ports.repositories import TransactionFilter
from forecourt.web.auth import SignedIn, Viewer
from forecourt.web.charts import chart_points, chart_rows
from forecourt.web.context import Web, WebContext
from forecourt.web.routes import page_router
from forecourt.web.scope import visible_station, visible_stations

router = page_router()

PAGE_SIZE = 50


@router.get("/dashboard/sessions")
async def sessions(
    request: Request,
    me: Viewer,
    web: Web,
    station: str = "",
    state: str = "",
    token: str = "",
    since: str = "",
    until: str = "",
    page: PageNumber = 1,
) -> Response:
    page = max(page, 1)
    flt = TransactionFilter(
        station_id=station.strip() or None,
        state=TransactionState(state) if state in ("active", "ended") else None,
        id_token=token.strip() or None,
        since=_day_start(since),
        until=_day_start(until, next_day=True),
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    found, total = await find_sessions(web, me, flt)
    context = {
        "sessions": found,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "query": {"station": station, "state": state, "token": token, "since": since},
        "until": until,
    }
    return web.page(request, "dashboard/sessions.html", context)


async def find_sessions(
    web: WebContext, me: SignedIn, flt: TransactionFilter
) -> tuple[list[Transaction], int]:
    history = web.services.history
    if flt.station_id is not None:
        await visible_station(web, me, flt.station_id)
    if flt.station_id is not None or not me.access.restricted:
        return await history.list(flt)
    # Site hosts have few stations: one query each, merged (storage filters one station).
    window = dataclasses.replace(flt, offset=0, limit=flt.offset + flt.limit)
    found: list[Transaction] = []
    total = 0
    for station in await visible_stations(web, me):
        page, count = await history.list(dataclasses.replace(window, station_id=station.id))
        found.extend(page)
        total += count
    found.sort(key=lambda tx: (tx.started_at, tx.id), reverse=True)
    return found[flt.offset : flt.offset + flt.limit], total


@router.get("/dashboard/sessions/{transaction_id}")
async def session_detail(
    request: Request, transaction_id: RecordId, me: Viewer, web: Web
) -> Response:
    detail = await web.services.history.detail(transaction_id)
    tx = detail.transaction
    station = await visible_station(web, me, tx.station_id)
    rows = chart_rows(detail.samples)
    end = tx.stopped_at or web.services.ctx.clock.now()
    context = {
        "tx": tx,
        "station": station,
        "rows": rows,
        "points": chart_points(rows),
        "duration_s": (end - tx.started_at).total_seconds(),
    }
    return web.page(request, "dashboard/session.html", context)


def _day_start(text: str, *, next_day: bool = False) -> datetime | None:
    if not text.strip():
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError as bad:
        raise InvalidInput(f"{text!r} is not a date (YYYY-MM-DD)") from bad
    start = datetime.combine(day, time(), tzinfo=UTC)
    return start + timedelta(days=1) if next_day else start
