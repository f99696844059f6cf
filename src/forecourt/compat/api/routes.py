"""Any car, any plug: vehicles, adapters, charge estimates and site recommendations.

These routes are public (no API key): drivers use them, and they show only what driver
pages show anyway (plugs, ratings, live status; no tokens, no transactions).  Retrofits,
which change the network, are the core's (``forecourt.api.routes.retrofits``, operator role).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from fastapi.responses import Response
from pydantic import field_validator

from forecourt.api.deps import Context, Operator
from forecourt.api.problems import ProblemError, problem_responses
from forecourt.api.schemas.base import Input
from forecourt.compat.api.schemas import (
    AdapterQuery,
    Ambient,
    ConnectorChoice,
    EstimateRequest,
    Preconditioned,
    SocFrom,
    SocTo,
    StallIn,
    VehicleQuery,
    soc_window_checked,
)
from forecourt.compat.domain import render_power_curve_svg
from forecourt.compat.keys import COMPAT
from forecourt.compat.schemas.answers import ChargeAnswerOut, SiteAdviceOut
from forecourt.compat.schemas.catalogue import AdapterOut, VehicleOut
from forecourt.compat.schemas.stalls import StallFitsOut, StallOut
from forecourt.compat.services.compatibility import ChargeAnswer, ChargeWindow
from forecourt.domain.connectors import ConnectorType

router = APIRouter(tags=["compatibility"], responses=problem_responses(404, 422))

SVG_MEDIA_TYPE = "image/svg+xml"


class EstimateQuery(ConnectorChoice):
    """``GET /compat/estimate.svg``: the estimate request as query parameters."""

    vehicle: str = VehicleQuery
    adapter: str | None = AdapterQuery
    soc_from: float = SocFrom(alias="from")
    soc_to: float = SocTo(alias="to")
    ambient_c: float | None = Ambient
    preconditioned: bool = Preconditioned

    _window = field_validator("soc_to")(soc_window_checked)


class RecommendQuery(Input):
    vehicle: str = VehicleQuery
    adapter: str | None = AdapterQuery
    soc_from: float = SocFrom(alias="from")
    soc_to: float = SocTo(alias="to")
    ambient_c: float | None = Ambient
    preconditioned: bool = Preconditioned

    _window = field_validator("soc_to")(soc_window_checked)


@router.get("/vehicles", summary="Vehicles in the catalogue (public)")
async def list_vehicles(
    context: Context,
    make: Annotated[str | None, Query(max_length=100, description="e.g. `Hyundai`.")] = None,
    inlet: Annotated[ConnectorType | None, Query(description="Only cars with this inlet.")] = None,
) -> list[VehicleOut]:
    found = context.services.feature(COMPAT).vehicles(make, inlet)
    return [VehicleOut.from_domain(vehicle) for vehicle in found]


@router.get("/vehicles/{vehicle}", summary="One vehicle, by id or words (public)")
async def get_vehicle(vehicle: str, context: Context) -> VehicleOut:
    return VehicleOut.from_domain(context.services.feature(COMPAT).vehicle(vehicle))


@router.get("/adapters", summary="Adapters in the catalogue (public)")
async def list_adapters(context: Context) -> list[AdapterOut]:
    return [AdapterOut.from_domain(a) for a in context.services.feature(COMPAT).adapters()]


@router.post("/compat/estimate", summary="How long a car takes at a connector, and why (public)")
async def estimate(body: EstimateRequest, context: Context) -> ChargeAnswerOut:
    answer = await _answer(context, body, body.connector, (body.soc_from, body.soc_to))
    svg = _svg(answer) if body.svg and answer.estimate is not None else None
    return ChargeAnswerOut.from_domain(answer, body.connector.reference(), svg)


@router.get(
    "/compat/estimate.svg",
    summary="The estimate's power curve as an SVG chart (public)",
    response_class=Response,
    responses={200: {"content": {SVG_MEDIA_TYPE: {}}}},
)
async def estimate_svg(query: Annotated[EstimateQuery, Query()], context: Context) -> Response:
    answer = await _answer(context, query, query, (query.soc_from, query.soc_to))
    if answer.estimate is None:
        raise ProblemError(422, "Cannot charge", answer.summary(), slug="cannot-charge")
    return Response(_svg(answer), media_type=SVG_MEDIA_TYPE)


@router.get(
    "/sites/{site_id}/recommend",
    summary="A site's connectors ranked for one car, from live status (public)",
    tags=["sites"],
)
async def recommend(
    site_id: str, query: Annotated[RecommendQuery, Query()], context: Context
) -> SiteAdviceOut:
    advice = await context.services.feature(COMPAT).recommend_at_site(
        site_id,
        query.vehicle,
        ChargeWindow(query.soc_from, query.soc_to, query.ambient_c, query.preconditioned),
        (query.adapter,) if query.adapter else (),
        is_connected=context.connection_check(),
    )
    return SiteAdviceOut.from_domain(advice)


StallId = Annotated[str, Path(min_length=1, max_length=50, description="e.g. `A3`.")]


@router.get("/sites/{site_id}/stalls", summary="The site's stalls (public)", tags=["sites"])
async def list_stalls(site_id: str, context: Context) -> list[StallOut]:
    stalls = await context.services.feature(COMPAT).stalls.of_site(site_id)
    return [StallOut.from_domain(stall) for stall in stalls]


@router.put(
    "/sites/{site_id}/stalls/{stall_id}",
    summary="Describe a stall: layout, where the cable leaves the post, its reach",
    tags=["sites"],
    responses=problem_responses(401, 403),
)
async def put_stall(
    site_id: str, stall_id: StallId, body: StallIn, context: Context, _caller: Operator
) -> StallOut:
    stall = body.stall(site_id, stall_id)
    await context.services.feature(COMPAT).stalls.put(stall)
    return StallOut.from_domain(stall)


@router.delete(
    "/sites/{site_id}/stalls/{stall_id}",
    summary="Remove a stall",
    tags=["sites"],
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403),
)
async def delete_stall(
    site_id: str, stall_id: StallId, context: Context, _caller: Operator
) -> None:
    await context.services.feature(COMPAT).stalls.remove(site_id, stall_id)


@router.get(
    "/sites/{site_id}/stall-fit",
    summary="Which of the site's stalls fit a car: does the cable reach its inlet? (public)",
    tags=["sites"],
)
async def stall_fit(
    site_id: str,
    context: Context,
    vehicle: Annotated[str, Query(min_length=1, max_length=200)],
) -> StallFitsOut:
    compat = context.services.feature(COMPAT)
    car = compat.vehicle(vehicle)
    return StallFitsOut.from_domain(site_id, car, await compat.stalls.fits(car, site_id))


async def _answer(
    context: Context,
    asked: EstimateRequest | EstimateQuery,
    choice: ConnectorChoice,
    window: tuple[float, float],
) -> ChargeAnswer:
    return await context.services.feature(COMPAT).answer(
        asked.vehicle,
        choice.target(),
        ChargeWindow(*window, asked.ambient_c, asked.preconditioned),
        (asked.adapter,) if asked.adapter else (),
        is_connected=context.connection_check(),
    )


def _svg(answer: ChargeAnswer) -> str:
    assert answer.estimate is not None
    where = answer.connector.label or answer.connector.connector_type.value
    title = f"{answer.vehicle.name} at {where}"
    return render_power_curve_svg(answer.estimate, title)
