"""The roaming page: partners, their version and last sync, pushes that keep failing, payment
terminals and the financial advice their providers sent."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from forecourt.api.schemas.base import ResourceId
from forecourt.domain.errors import InvalidInput, NotFound
from forecourt.ocpi.domain.amenities import Amenities, Hours, ParkingRestriction, ParkingType
from forecourt.ocpi.keys import OCPI
from forecourt.ocpi.web.driver import LABELS
from forecourt.services.access import Role
from forecourt.web.auth import Operator, SignedIn, Viewer
from forecourt.web.context import Web
from forecourt.web.routes import page_router
from forecourt.web.scope import whole_network

router = page_router()
NetworkViewer = Annotated[SignedIn, Depends(whole_network(Role.VIEWER))]


@router.get("/dashboard/roaming")
async def roaming_page(request: Request, _me: NetworkViewer, web: Web) -> Response:
    roaming = web.services.feature(OCPI)
    parties = {p.id: p for p in await roaming.credentials.parties()}
    context = {
        "parties": list(parties.values()),
        "failures": await roaming.push.failures(),
        "queue": await roaming.cdrs.queue_depth(),
        "cdrs": await roaming.cdrs.listing(None, 10),
        "names": {pid: p.name for pid, p in parties.items()},
        "versions_url": roaming.credentials.us.versions_url,
        "feed_url": roaming.credentials.us.base_url + "/feed/2.3.0/locations",
        "sites": await web.services.network.sites(),
        "terminals": await roaming.payments.terminals(),
        "advice": await roaming.payments.all_advice(50),
    }
    return web.page(request, "dashboard/roaming.html", context)


@router.get("/dashboard/sites/{site_id}/amenities")
async def amenities_page(
    request: Request, site_id: ResourceId, me: Viewer, web: Web, done: str = ""
) -> Response:
    if not me.access.sees_site(site_id):
        raise NotFound("site", site_id)  # outside the user's sites: existence private
    site = await web.services.network.site(site_id)
    amenities = await web.services.feature(OCPI).locations.amenities(site_id)
    context = {
        "site": site,
        "a": amenities,
        "flags": LABELS,
        "hours": "\n".join(f"{h.weekday} {h.begin}-{h.end}" for h in amenities.hours),
        "parking_types": list(ParkingType),
        "restrictions": list(ParkingRestriction),
        "done": done == "saved",
    }
    return web.page(request, "dashboard/amenities.html", context)


@router.post("/dashboard/sites/{site_id}/amenities")
async def save_amenities(site_id: ResourceId, request: Request, me: Operator, web: Web) -> Response:
    if not me.access.sees_site(site_id):
        raise NotFound("site", site_id)
    amenities = _from_form(await request.form())
    await web.services.feature(OCPI).locations.set_amenities(site_id, amenities)
    return RedirectResponse(f"/dashboard/sites/{site_id}/amenities?done=saved", status_code=303)


def _from_form(form: FormData) -> Amenities:
    parking = str(form.get("parking_type") or "")
    try:
        return Amenities(
            **{key: form.get(key) == "on" for key in (*LABELS, "open_24_7")},
            hours=tuple(Hours.parse(line) for line in _lines(form, "hours")),
            accessible_stalls=int(str(form.get("accessible_stalls") or 0)),
            pull_through_bays=int(str(form.get("pull_through_bays") or 0)),
            parking_type=ParkingType(parking) if parking else None,
            parking_restrictions=tuple(
                ParkingRestriction(str(r)) for r in form.getlist("restrictions")
            ),
            images=tuple(_lines(form, "images")),
        )
    except ValueError as exc:  # an unknown parking value, a number that is not one
        raise InvalidInput(str(exc)) from exc


def _lines(form: FormData, name: str) -> list[str]:
    return [line.strip() for line in str(form.get(name, "")).splitlines() if line.strip()]
