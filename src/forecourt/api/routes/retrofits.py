"""Retrofits: add a connector to an existing EVSE, or convert one in place (history kept)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from forecourt.api.bounds import PortNumber
from forecourt.api.deps import Context, Operator, Viewer, requester
from forecourt.api.problems import problem_responses
from forecourt.api.schemas.equipment import (
    RetrofitAdd,
    RetrofitConvert,
    RetrofitOut,
    RetrofitResultOut,
)
from forecourt.api.schemas.network import StationOut
from forecourt.domain.ratings import rating_with_defaults
from forecourt.services.equipment import Retrofit
from forecourt.services.network import ConnectorSpec

router = APIRouter(tags=["stations"], responses=problem_responses(401, 403, 404, 409, 422))

EvseId = Annotated[PortNumber, Path(description="EVSE number, from 1.")]
ConnectorId = Annotated[PortNumber, Path(description="Connector number within its EVSE, from 1.")]


@router.post(
    "/stations/{station_id}/evses/{evse_id}/connectors",
    summary="Retrofit: add a connector to an existing EVSE (e.g. a NACS cable)",
    status_code=status.HTTP_201_CREATED,
)
async def add_connector(
    station_id: str, evse_id: EvseId, body: RetrofitAdd, context: Context, caller: Operator
) -> RetrofitResultOut:
    rating = rating_with_defaults(body.type, body.overrides())
    spec = ConnectorSpec(evse_id, body.connector_id, body.type, rating)
    done = await context.services.equipment.add_connector(
        station_id, spec, note=body.note, by=requester(caller)
    )
    return _result(done, context)


@router.post(
    "/stations/{station_id}/evses/{evse_id}/connectors/{connector_id}/convert",
    summary="Retrofit: change a connector's plug type and rating in place",
)
async def convert_connector(
    station_id: str,
    evse_id: EvseId,
    connector_id: ConnectorId,
    body: RetrofitConvert,
    context: Context,
    caller: Operator,
) -> RetrofitResultOut:
    rating = rating_with_defaults(body.type, body.overrides())
    spec = ConnectorSpec(evse_id, connector_id, body.type, rating)
    done = await context.services.equipment.convert_connector(
        station_id, spec, note=body.note, by=requester(caller)
    )
    return _result(done, context)


@router.get("/stations/{station_id}/retrofits", summary="A station's retrofits, newest first")
async def list_retrofits(
    station_id: str,
    context: Context,
    _: Viewer,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[RetrofitOut]:
    events = await context.services.equipment.retrofits(station_id, limit)
    return [RetrofitOut.from_domain(event) for event in events]


def _result(done: Retrofit, context: Context) -> RetrofitResultOut:
    station = StationOut.from_domain(done.station, connected=context.is_connected(done.station))
    return RetrofitResultOut(retrofit=RetrofitOut.from_domain(done.event), station=station)
