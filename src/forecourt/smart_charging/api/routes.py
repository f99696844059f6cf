"""Site load management over HTTP: limits, signals, EVSE bounds, the allocation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from forecourt.api.deps import Context, Operator, Viewer
from forecourt.api.problems import problem_responses
from forecourt.api.schemas.base import ResourceId
from forecourt.domain.limits import INT32_MAX
from forecourt.smart_charging.api.schemas import (
    DepartureIn,
    EvseSettingsIn,
    SignalIn,
    SiteLimitIn,
    SiteLoadOut,
)
from forecourt.smart_charging.domain.allocation import EvseRef
from forecourt.smart_charging.keys import SMART_CHARGING
from forecourt.smart_charging.ports import Departure, EvseSettings
from forecourt.smart_charging.services.load_manager import LoadManager

router = APIRouter(tags=["smart charging"], responses=problem_responses(401, 403, 404, 422))
EvseNumber = Annotated[int, Path(ge=1, le=INT32_MAX, description="EVSE number.")]


def _manager(context: Context) -> LoadManager:
    return context.services.feature(SMART_CHARGING)


@router.get("/load/sites", summary="Every managed site with its allocation")
async def list_sites(context: Context, _: Viewer) -> list[SiteLoadOut]:
    manager = _manager(context)
    sites = await manager.sites()
    return [SiteLoadOut.of(await manager.load(s.limit.site_id)) for s in sites]


@router.get("/sites/{site_id}/load", summary="A site's limit, allocation and measured power")
async def get_load(site_id: ResourceId, context: Context, _: Viewer) -> SiteLoadOut:
    return SiteLoadOut.of(await _manager(context).load(site_id))


@router.put("/sites/{site_id}/load", summary="Set a site's grid limit and policy; rebalance")
async def set_load(
    site_id: ResourceId, body: SiteLimitIn, context: Context, _: Operator
) -> SiteLoadOut:
    manager = _manager(context)
    await manager.set_limit(body.to_domain(site_id), body.policy)
    return SiteLoadOut.of(await manager.load(site_id))


@router.delete(
    "/sites/{site_id}/load",
    summary="Stop managing a site's load",
    status_code=status.HTTP_204_NO_CONTENT,
)
async def clear_load(site_id: ResourceId, context: Context, _: Operator) -> Response:
    await _manager(context).clear_limit(site_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/sites/{site_id}/load/signal",
    summary="An external limit until a given time (e.g. utility demand response)",
)
async def signal(site_id: ResourceId, body: SignalIn, context: Context, _: Operator) -> SiteLoadOut:
    manager = _manager(context)
    await manager.signal(site_id, body.to_domain())
    return SiteLoadOut.of(await manager.load(site_id))


@router.post("/sites/{site_id}/load/rebalance", summary="Rebalance now")
async def rebalance(site_id: ResourceId, context: Context, _: Operator) -> SiteLoadOut:
    manager = _manager(context)
    await manager.rebalance(site_id, why="operator")
    return SiteLoadOut.of(await manager.load(site_id))


@router.put(
    "/stations/{station_id}/evses/{evse_id}/load",
    summary="An EVSE's minimum, maximum and priority class",
    status_code=status.HTTP_204_NO_CONTENT,
)
async def set_evse(
    station_id: ResourceId,
    evse_id: EvseNumber,
    body: EvseSettingsIn,
    context: Context,
    _: Operator,
) -> Response:
    ref = EvseRef(station_id, evse_id)
    settings = EvseSettings(ref, body.min_w, body.max_w, body.priority, body.phase)
    await _manager(context).set_evse(settings)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put(
    "/stations/{station_id}/evses/{evse_id}/departure",
    summary="The running session's departure time and energy need (any OCPP version)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(409),
)
async def set_departure(
    station_id: ResourceId,
    evse_id: EvseNumber,
    body: DepartureIn,
    context: Context,
    _: Operator,
) -> Response:
    ref = EvseRef(station_id, evse_id)
    now = context.services.ctx.clock.now()
    given = Departure(ref, "", body.departure_at, body.energy_wh, now, body.vehicle, "api")
    await _manager(context).set_departure(given)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
