"""Reservations: the list (of the user's sites), reserving a connector, cancelling.

Plain forms that work without JavaScript: post, then redirect back (``?done=...``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Form
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from forecourt.api.bounds import RecordId
from forecourt.domain.errors import InvalidInput
from forecourt.web.auth import Technician, Viewer
from forecourt.web.context import Web
from forecourt.web.routes import page_router
from forecourt.web.scope import visible_station, visible_station_ids

router = page_router()

Text = Annotated[str, Form(max_length=255)]
SHOWN = 200

_DONE = {"reserved": "Reservation sent.", "cancelled": "Reservation cancelled."}


@router.get("/dashboard/reservations")
async def reservations(
    request: Request, me: Viewer, web: Web, done: str = "", station: str = ""
) -> Response:
    visible = await visible_station_ids(web, me)
    found = await web.services.core.reservations.list(station or None, SHOWN)
    shown = [r for r in found if visible is None or r.station_id in visible]
    context = {"reservations": shown, "done": _DONE.get(done), "station": station}
    return web.page(request, "dashboard/reservations.html", context)


@router.post("/dashboard/reservations")
async def reserve(
    me: Technician,
    web: Web,
    station_id: Text,
    id_token: Text,
    until: Text,
    evse_id: Annotated[int, Form(ge=0, le=2**31 - 1)] = 0,
) -> Response:
    await visible_station(web, me, station_id.strip())
    await web.services.core.reservations.reserve(
        station_id.strip(),
        id_token.strip(),
        _instant(until),
        evse_id=evse_id,
        requested_by=me.requester,
    )
    return RedirectResponse("/dashboard/reservations?done=reserved", status_code=303)


@router.post("/dashboard/reservations/{reservation_id}/cancel")
async def cancel(reservation_id: RecordId, me: Technician, web: Web) -> Response:
    reservation = await web.services.core.reservations.get(reservation_id)
    await visible_station(web, me, reservation.station_id)
    await web.services.core.reservations.cancel(reservation_id, requested_by=me.requester)
    return RedirectResponse("/dashboard/reservations?done=cancelled", status_code=303)


def _instant(text: str) -> datetime:
    """A ``datetime-local`` field (no offset: UTC, as the page says) or ISO 8601 with offset."""
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date and time") from None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
