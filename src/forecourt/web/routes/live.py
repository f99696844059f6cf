"""``GET /dashboard/live``: the server-sent event stream behind live dashboard pages."""

from __future__ import annotations

from collections.abc import Callable

from starlette.responses import Response, StreamingResponse

from forecourt.web.auth import Viewer
from forecourt.web.context import Web
from forecourt.web.live import GROUPS, LiveFilter, server_sent_events
from forecourt.web.routes import page_router
from forecourt.web.scope import visible_station, visible_stations

router = page_router()


@router.get("/dashboard/live")
async def live(me: Viewer, web: Web, groups: str = "", station: str = "") -> Response:
    wanted = frozenset(g for g in groups.split(",") if g in GROUPS) or GROUPS
    if station:
        await visible_station(web, me, station)
    visible: Callable[[str], bool] = _everything
    if me.access.restricted:
        # Stations added to the user's sites later appear after the page is reloaded.
        visible = frozenset(s.id for s in await visible_stations(web, me)).__contains__
    live_filter = LiveFilter(wanted, visible, station or None, reveal_tokens=me.sees_tokens)
    return StreamingResponse(
        server_sent_events(web.live, live_filter),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def _everything(_station_id: str) -> bool:
    return True
