"""Local authorization lists (per site or station), the authorization cache, reservations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from forecourt.api.bounds import RecordId
from forecourt.api.command_bodies import CommandRecordOut
from forecourt.api.deps import Context, Operator, Technician, Viewer, requester, role_of
from forecourt.api.problems import problem_responses
from forecourt.api.schemas.local_auth import (
    AuthCacheIn,
    LimitIn,
    LocalListIn,
    LocalListOut,
    ReservationIn,
    ReservationOut,
    ScopeListOut,
    SyncIn,
)
from forecourt.services.access import Role, shown_token

router = APIRouter(tags=["local authorization"], responses=problem_responses(401, 403))


@router.get(
    "/stations/{station_id}/local-list",
    summary="A station's local list: what it should hold, what it holds, its version",
    responses=problem_responses(404),
)
async def station_list(station_id: str, context: Context, caller: Viewer) -> LocalListOut:
    view = await context.services.local_lists.view(station_id)
    return LocalListOut.from_view(view, role_of(caller))


@router.put(
    "/stations/{station_id}/local-list",
    summary="Replace a station's own list (an empty list: it inherits its site's again)",
    description="The station is updated at once (differential, or full when the versions"
    " disagree); an offline station gets it when it reconnects.",
    responses=problem_responses(404, 422),
)
async def set_station_list(
    station_id: str, body: LocalListIn, context: Context, caller: Operator
) -> LocalListOut:
    await context.services.local_lists.set_members("station", station_id, body.tokens)
    view = await context.services.local_lists.view(station_id)
    return LocalListOut.from_view(view, role_of(caller))


@router.get(
    "/sites/{site_id}/local-list",
    summary="A site's list (its stations without a list of their own use it)",
    responses=problem_responses(404),
)
async def site_list(site_id: str, context: Context, caller: Viewer) -> ScopeListOut:
    await context.services.network.site(site_id)
    tokens = await context.services.local_lists.members("site", site_id)
    role = role_of(caller)
    return ScopeListOut(
        scope="site", scope_id=site_id, tokens=[_shown(t, role) for t in tokens], stations=[]
    )


@router.put(
    "/sites/{site_id}/local-list",
    summary="Replace a site's list; its stations are updated",
    responses=problem_responses(404, 422),
)
async def set_site_list(
    site_id: str, body: LocalListIn, context: Context, caller: Operator
) -> ScopeListOut:
    stations = await context.services.local_lists.set_members("site", site_id, body.tokens)
    tokens = await context.services.local_lists.members("site", site_id)
    role = role_of(caller)
    return ScopeListOut(
        scope="site", scope_id=site_id, tokens=[_shown(t, role) for t in tokens], stations=stations
    )


@router.post(
    "/stations/{station_id}/local-list/sync",
    summary="Bring the station's list up to date now (optionally as a full update)",
    responses=problem_responses(404),
)
async def sync_list(
    station_id: str, body: SyncIn, context: Context, caller: Technician
) -> LocalListOut:
    await context.services.local_lists.sync(station_id, full=body.full)
    view = await context.services.local_lists.view(station_id)
    return LocalListOut.from_view(view, role_of(caller))


@router.put(
    "/stations/{station_id}/local-list/limit",
    summary="How many entries the station takes per update (bigger updates are split)",
    responses=problem_responses(404, 422),
)
async def set_limit(
    station_id: str, body: LimitIn, context: Context, caller: Operator
) -> LocalListOut:
    await context.services.local_lists.set_limit(station_id, body.max_per_message)
    view = await context.services.local_lists.view(station_id)
    return LocalListOut.from_view(view, role_of(caller))


@router.put(
    "/stations/{station_id}/auth-cache",
    summary="Turn the station's authorization cache on or off",
    description="1.6 AuthorizationCacheEnabled, 2.0.1 AuthCacheCtrlr.Enabled. Answers the"
    " command record; to empty the cache, send the `clear_cache` command.",
    responses=problem_responses(404),
)
async def set_auth_cache(
    station_id: str, body: AuthCacheIn, context: Context, caller: Technician
) -> CommandRecordOut:
    record = await context.services.local_lists.set_auth_cache(
        station_id, body.enabled, requested_by=requester(caller)
    )
    return CommandRecordOut.from_domain(record, role_of(caller))


@router.get("/reservations", summary="Reservations, newest first")
async def reservations(
    context: Context,
    caller: Viewer,
    station_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[ReservationOut]:
    found = await context.services.core.reservations.list(station_id, limit)
    return [ReservationOut.from_domain(r, role_of(caller)) for r in found]


@router.post(
    "/reservations",
    status_code=201,
    summary="Reserve a connector (EVSE) for a token until a time",
    description="Answers 201 with the reservation whatever the station said: `state` is"
    " `active` when it accepted, `refused` with its answer (`occupied`, `faulted`,"
    " `rejected`, `unavailable`, `offline`...) otherwise. 409 when the EVSE is already"
    " reserved.",
    responses=problem_responses(404, 409, 422),
)
async def reserve(body: ReservationIn, context: Context, caller: Technician) -> ReservationOut:
    reservation = await context.services.core.reservations.reserve(
        body.station_id,
        body.id_token,
        body.expires_at,
        evse_id=body.evse_id,
        connector_type=body.connector_type,
        requested_by=requester(caller),
    )
    return ReservationOut.from_domain(reservation, role_of(caller))


@router.get(
    "/reservations/{reservation_id}",
    summary="One reservation",
    responses=problem_responses(404),
)
async def reservation(reservation_id: RecordId, context: Context, caller: Viewer) -> ReservationOut:
    found = await context.services.core.reservations.get(reservation_id)
    return ReservationOut.from_domain(found, role_of(caller))


@router.post(
    "/reservations/{reservation_id}/cancel",
    summary="Cancel a reservation (CancelReservation); 409 when it has already ended",
    responses=problem_responses(404, 409),
)
async def cancel(reservation_id: RecordId, context: Context, caller: Technician) -> ReservationOut:
    cancelled = await context.services.core.reservations.cancel(
        reservation_id, requested_by=requester(caller)
    )
    return ReservationOut.from_domain(cancelled, role_of(caller))


def _shown(value: str, role: Role | None) -> str:
    return shown_token(value, role) or ""
