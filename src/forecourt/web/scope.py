"""What the signed-in user may see: the one place where site scope is decided.

Site-restricted users (site hosts, contractors) see only their sites' stations and what
happened there; network-wide things (tokens, new sites, API keys, reconciliation) are for
whole-network users. Every page route declares its reach in ``PAGE_REACH`` (a feature's, in
its ``Feature.page_reach``); the test
``tests/web/test_route_scopes.py`` enumerates the real app's routes, fails on any route
missing here, and exercises each non-public one as a site host against another site's data.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Annotated

from fastapi import Depends

from forecourt.domain.errors import NotFound
from forecourt.domain.stations import Site, Station
from forecourt.services.access import Role
from forecourt.web.auth import SignedIn, requires, signed_in
from forecourt.web.context import WebContext
from forecourt.web.errors import Forbidden


class Reach(StrEnum):
    PUBLIC = "public"  # anyone; nothing private about a site (driver pages, sign-in)
    SITES = "sites"  # signed in; answers only about the user's sites (404 or filtered)
    NETWORK = "network"  # network-wide data or settings: refused to site-restricted users
    ADMIN = "admin"  # admins only (an admin is never site-restricted)


#: Every core page route ("METHOD path") and its reach. A new page adds its line here.
PAGE_REACH: dict[str, Reach] = {
    "GET /": Reach.PUBLIC,
    "GET /login": Reach.PUBLIC,
    "POST /login": Reach.PUBLIC,
    "POST /logout": Reach.PUBLIC,
    "GET /dashboard": Reach.SITES,
    "GET /dashboard/stations/{station_id}": Reach.SITES,
    "POST /dashboard/stations/{station_id}/commands/{kind}": Reach.SITES,
    "POST /dashboard/stations/{station_id}/password-rotation": Reach.SITES,
    "POST /dashboard/sessions/{transaction_id}/stop": Reach.SITES,
    "GET /dashboard/sessions": Reach.SITES,
    "GET /dashboard/sessions/{transaction_id}": Reach.SITES,
    "GET /dashboard/sessions/{transaction_id}/cost": Reach.SITES,
    "GET /dashboard/sites": Reach.SITES,
    "POST /dashboard/sites": Reach.NETWORK,
    "GET /dashboard/tokens": Reach.NETWORK,
    "POST /dashboard/tokens": Reach.NETWORK,
    "POST /dashboard/tokens/block": Reach.NETWORK,
    "GET /dashboard/api-keys": Reach.ADMIN,
    "POST /dashboard/api-keys": Reach.ADMIN,
    "POST /dashboard/api-keys/{key_id}/revoke": Reach.ADMIN,
    "GET /dashboard/live": Reach.SITES,
    "GET /dashboard/reservations": Reach.SITES,
    "POST /dashboard/reservations": Reach.SITES,
    "POST /dashboard/reservations/{reservation_id}/cancel": Reach.SITES,
    # a station's device model (web/routes/device.py)
    "GET /dashboard/stations/{station_id}/device": Reach.SITES,
    "GET /dashboard/stations/{station_id}/device/summary": Reach.SITES,
    "POST /dashboard/stations/{station_id}/device/monitors": Reach.SITES,
    "POST /dashboard/stations/{station_id}/device/monitors/{monitor_id}/clear": Reach.SITES,
    "POST /dashboard/stations/{station_id}/device/monitors/report": Reach.SITES,
    "POST /dashboard/stations/{station_id}/device/templates/apply": Reach.SITES,
    "POST /dashboard/stations/{station_id}/device/monitoring-base": Reach.SITES,
    "POST /dashboard/stations/{station_id}/device/monitoring-level": Reach.SITES,
    "POST /dashboard/stations/{station_id}/device/messages": Reach.SITES,
    "POST /dashboard/stations/{station_id}/device/messages/{message_id}/clear": Reach.SITES,
    "POST /dashboard/stations/{station_id}/device/messages/refresh": Reach.SITES,
    "POST /dashboard/stations/{station_id}/device/customer-information": Reach.SITES,
    "GET /dashboard/stations/{station_id}/device/customer-information/{request_id}": Reach.SITES,
    # cluster mode: nodes and the stations they hold (web/routes/cluster.py)
    "GET /dashboard/cluster": Reach.NETWORK,
    # configuration drift (web/routes/drift.py)
    "GET /dashboard/drift": Reach.SITES,
    "POST /dashboard/drift/desired": Reach.NETWORK,
    "POST /dashboard/drift/desired/{setting_id}/remove": Reach.NETWORK,
    "POST /dashboard/stations/{station_id}/drift/check": Reach.SITES,
    "POST /dashboard/stations/{station_id}/drift/correct": Reach.SITES,
    "GET /s/{site_id}": Reach.PUBLIC,
    "GET /s/{site_id}/evse/{station_id}/{evse_id}": Reach.PUBLIC,
}


def whole_network(needed: Role) -> Callable[[SignedIn], Awaitable[SignedIn]]:
    """``needed`` role and no site restriction (network-wide pages)."""

    role_check = requires(needed)

    async def check(me: Annotated[SignedIn, Depends(signed_in)]) -> SignedIn:
        await role_check(me)
        if me.access.restricted:
            raise Forbidden("This is network-wide; your account is limited to some sites.")
        return me

    return check


#: An operator of the whole network (tokens, new sites).
NetworkOperator = Annotated[SignedIn, Depends(whole_network(Role.OPERATOR))]
#: The same check for a route that needs no user object: ``dependencies=[NETWORK_OPERATOR_ONLY]``.
NETWORK_OPERATOR_ONLY = Depends(whole_network(Role.OPERATOR))


async def visible_station(web: WebContext, me: SignedIn, station_id: str) -> Station:
    """The station, or NotFound when it is outside the user's sites (existence stays private)."""
    station = await web.services.network.station(station_id)
    if not me.sees(station):
        raise NotFound("station", station_id)
    return station


async def visible_stations(web: WebContext, me: SignedIn) -> list[Station]:
    """Every station the user sees, with EVSEs and connectors, in a few queries."""
    return [station for station in await web.services.network.stations() if me.sees(station)]


async def visible_station_ids(web: WebContext, me: SignedIn) -> frozenset[str] | None:
    """The ids of the stations the user sees; None for a whole-network user (no filter)."""
    if not me.access.restricted:
        return None
    return frozenset(station.id for station in await visible_stations(web, me))


async def visible_sites(web: WebContext, me: SignedIn) -> list[Site]:
    return [site for site in await web.services.network.sites() if me.access.sees_site(site.id)]
