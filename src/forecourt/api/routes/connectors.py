"""Connectors and EVSE power: what an operator declares (1.6 stations never report plugs)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from forecourt.api.bounds import PortNumber
from forecourt.api.deps import Context, Operator
from forecourt.api.problems import problem_responses
from forecourt.api.schemas import ConnectorPut, EvsePowerPut, StationOut
from forecourt.domain.ratings import RatingOverrides, rating_with_defaults
from forecourt.services.network import ConnectorSpec

router = APIRouter(tags=["stations"], responses=problem_responses(401, 403, 404, 422))

EvseId = Annotated[PortNumber, Path(description="EVSE number, from 1.")]
ConnectorId = Annotated[PortNumber, Path(description="Connector number within its EVSE, from 1.")]
CONNECTOR_PATH = "/stations/{station_id}/evses/{evse_id}/connectors/{connector_id}"


@router.put(CONNECTOR_PATH, summary="Declare or change a connector (type and rating)")
async def put_connector(
    station_id: str,
    evse_id: EvseId,
    connector_id: ConnectorId,
    body: ConnectorPut,
    context: Context,
    _: Operator,
) -> StationOut:
    overrides = RatingOverrides(**body.model_dump(exclude={"type", "built_in_plug"}))
    rating = rating_with_defaults(body.type, overrides)
    spec = ConnectorSpec(evse_id, connector_id, body.type, rating, body.built_in_plug)
    station = await context.services.network.set_connector(station_id, spec)
    return StationOut.from_domain(station, connected=context.is_connected(station))


@router.delete(
    CONNECTOR_PATH,
    summary="Remove a connector (history is kept)",
    responses=problem_responses(409),
)
async def delete_connector(
    station_id: str, evse_id: EvseId, connector_id: ConnectorId, context: Context, _: Operator
) -> StationOut:
    station = await context.services.network.remove_connector(station_id, evse_id, connector_id)
    return StationOut.from_domain(station, connected=context.is_connected(station))


@router.put(
    "/stations/{station_id}/evses/{evse_id}/power",
    summary="Limit the power an EVSE may draw from a shared cabinet",
)
async def put_evse_power(
    station_id: str, evse_id: EvseId, body: EvsePowerPut, context: Context, _: Operator
) -> StationOut:
    network = context.services.network
    await network.set_evse_power(station_id, evse_id, body.max_power_w)
    station = await network.station(station_id)
    return StationOut.from_domain(station, connected=context.is_connected(station))
