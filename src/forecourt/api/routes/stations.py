"""Stations: registration, live state, status history and station-originated events."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from forecourt.api.deps import Context, Operator, Viewer
from forecourt.api.problems import problem_responses
from forecourt.api.schemas import (
    StationCreate,
    StationEventOut,
    StationOut,
    StationSummary,
    StationUpdate,
    StatusHistoryOut,
)
from forecourt.domain.events import StationEventKind

router = APIRouter(tags=["stations"], responses=problem_responses(401, 403))

Limit = Annotated[int, Query(ge=1, le=1000, description="At most this many, newest first.")]


@router.get("/stations", summary="List stations")
async def list_stations(
    context: Context,
    _: Viewer,
    site_id: Annotated[str | None, Query(description="Only the stations of this site.")] = None,
) -> list[StationSummary]:
    stations = await context.services.network.stations(site_id)
    is_connected = context.connection_check()
    return [StationSummary.from_domain(s, connected=is_connected(s)) for s in stations]


@router.post(
    "/stations",
    summary="Register a station",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(404, 409, 422),
)
async def create_station(body: StationCreate, context: Context, _: Operator) -> StationOut:
    station = await context.services.network.add_station(
        body.id, password=body.password, site_id=body.site_id
    )
    return StationOut.from_domain(station, connected=context.is_connected(station))


@router.get(
    "/stations/{station_id}",
    summary="A station with its EVSEs, connectors and live status",
    responses=problem_responses(404),
)
async def get_station(station_id: str, context: Context, _: Viewer) -> StationOut:
    station = await context.services.network.station(station_id)
    return StationOut.from_domain(station, connected=context.is_connected(station))


@router.patch(
    "/stations/{station_id}",
    summary="Move to a site, set the password, approve or reject",
    responses=problem_responses(404, 422),
)
async def update_station(
    station_id: str, body: StationUpdate, context: Context, _: Operator
) -> StationOut:
    station = await context.services.network.update_station(
        station_id,
        site_id=body.site_id,
        password=body.password,
        registration=body.registration,
    )
    return StationOut.from_domain(station, connected=context.is_connected(station))


@router.get(
    "/stations/{station_id}/status-history",
    summary="Connector status changes, newest first",
    responses=problem_responses(404, 422),
)
async def status_history(
    station_id: str, context: Context, _: Viewer, limit: Limit = 100
) -> list[StatusHistoryOut]:
    entries = await context.services.network.status_history(station_id, limit=limit)
    return [StatusHistoryOut.from_domain(entry) for entry in entries]


@router.get(
    "/stations/{station_id}/events",
    summary="Station events (security, boot, orphan stops...), newest first",
    responses=problem_responses(404, 422),
)
async def station_events(
    station_id: str,
    context: Context,
    _: Viewer,
    kind: Annotated[StationEventKind | None, Query(description="Only this kind.")] = None,
    limit: Limit = 100,
) -> list[StationEventOut]:
    network = context.services.network
    await network.station(station_id)  # 404 for an unknown station, not an empty list
    events = await network.station_events(station_id, kind, limit)
    return [StationEventOut.from_domain(event) for event in events]
