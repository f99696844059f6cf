""" "My car" for a token (operator keys; drivers have no API key yet): which catalogue car a
card or app token charges, for the interop matrix (``ports.driver_cars``)."""

from __future__ import annotations

from fastapi import APIRouter, status
from pydantic import Field

from forecourt.api.deps import Context, Operator, Viewer, requester, role_of
from forecourt.api.problems import problem_responses
from forecourt.api.schemas.base import Input
from forecourt.compat.keys import COMPAT
from forecourt.compat.schemas.driver_cars import DriverCarOut

router = APIRouter(tags=["tokens"], responses=problem_responses(401, 403, 404))


class DriverCarIn(Input):
    vehicle: str = Field(
        min_length=1,
        max_length=120,
        description="A catalogue id or the driver's words, e.g. '2025 Ioniq 5'; must name "
        "exactly one vehicle.",
    )


@router.put(
    "/tokens/{value}/car",
    summary="Set the token's car ('my car'): sessions with it are that car",
    responses=problem_responses(422),
)
async def set_car(
    value: str, body: DriverCarIn, context: Context, caller: Operator
) -> DriverCarOut:
    cars = context.services.feature(COMPAT).driver_cars
    chosen, vehicle = await cars.choose(value, body.vehicle, requester(caller))
    return DriverCarOut.from_domain(chosen, vehicle, role_of(caller))


@router.get("/tokens/{value}/car", summary="The token's car ('my car')")
async def get_car(value: str, context: Context, caller: Viewer) -> DriverCarOut:
    chosen, vehicle = await context.services.feature(COMPAT).driver_cars.of(value)
    return DriverCarOut.from_domain(chosen, vehicle, role_of(caller))


@router.delete(
    "/tokens/{value}/car",
    summary="Forget the token's car",
    status_code=status.HTTP_204_NO_CONTENT,
)
async def forget_car(value: str, context: Context, _caller: Operator) -> None:
    await context.services.feature(COMPAT).driver_cars.forget(value)
