"""Any car, any plug: vehicles, adapters, charge estimates and site recommendations.

These routes are public (no API key): drivers use them, and they show only what driver
pages show anyway (plugs, ratings, live status; no tokens, no transactions).  Retrofits,
which change the network, are the core's (``forecourt.api.routes.retrofits``, operator role).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import field_validator

from forecourt.api.deps import Context
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
    VehicleQuery,
    soc_window_checked,
)
from forecourt.compat.domain import render_power_curve_svg
from forecourt.compat.keys import COMPAT
from forecourt.compat.schemas.answers import ChargeAnswerOut, SiteAdviceOut
from forecourt.compat.schemas.catalogue import AdapterOut, VehicleOut
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
