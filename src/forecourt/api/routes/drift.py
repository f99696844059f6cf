"""Configuration drift: desired configuration per station model, checks and corrections."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from forecourt.api.bounds import RecordId
from forecourt.api.command_bodies import CommandRecordOut
from forecourt.api.deps import Context, Operator, Technician, Viewer, requester, role_of
from forecourt.api.problems import problem_responses
from forecourt.api.schemas.drift import CorrectionOut, DesiredIn, DesiredOut, DriftCheckOut
from forecourt.domain.errors import NotFound

router = APIRouter(tags=["configuration drift"], responses=problem_responses(401, 403))


@router.get("/desired-settings", summary="Desired configuration, per station model")
async def list_desired(
    context: Context, _: Viewer, model: Annotated[str | None, Query(max_length=100)] = None
) -> list[DesiredOut]:
    return [DesiredOut.from_domain(s) for s in await context.services.drift.desired(model)]


@router.post(
    "/desired-settings",
    status_code=201,
    summary="Set a model's desired value for a key (replaces the previous one)",
    responses=problem_responses(422),
)
async def set_desired(body: DesiredIn, context: Context, _: Operator) -> DesiredOut:
    setting = await context.services.drift.set_desired(body.model, body.key, body.value)
    return DesiredOut.from_domain(setting)


@router.delete(
    "/desired-settings/{setting_id}",
    status_code=204,
    summary="Remove a desired setting",
    responses=problem_responses(404),
)
async def remove_desired(setting_id: RecordId, context: Context, _: Operator) -> None:
    await context.services.drift.remove_desired(setting_id)


@router.get("/drift", summary="Every station's latest drift check")
async def all_drift(
    context: Context,
    _: Viewer,
    drifted: Annotated[bool, Query(description="Only stations that differ.")] = False,
) -> list[DriftCheckOut]:
    checks = await context.services.drift.all_latest()
    return [DriftCheckOut.from_domain(c) for c in checks if not drifted or c.drifted or c.error]


@router.get(
    "/stations/{station_id}/drift",
    summary="A station's latest drift check",
    responses=problem_responses(404),
)
async def station_drift(station_id: str, context: Context, _: Viewer) -> DriftCheckOut:
    check = await context.services.drift.latest(station_id)
    if check is None:
        raise NotFound("drift check of station", station_id)
    return DriftCheckOut.from_domain(check)


@router.post(
    "/stations/{station_id}/drift/check",
    summary="Read the station's configuration back and compare it now",
    responses=problem_responses(404),
)
async def check_drift(station_id: str, context: Context, caller: Technician) -> DriftCheckOut:
    check = await context.services.drift.check(station_id, requested_by=requester(caller))
    return DriftCheckOut.from_domain(check)


@router.post(
    "/stations/{station_id}/drift/correct",
    summary="Set every value that differs (except keys the model refuses), then re-check",
    responses=problem_responses(404),
)
async def correct_drift(station_id: str, context: Context, caller: Technician) -> CorrectionOut:
    records, check = await context.services.drift.correct(
        station_id, requested_by=requester(caller)
    )
    return CorrectionOut(
        commands=[CommandRecordOut.from_domain(r, role_of(caller)) for r in records],
        check=DriftCheckOut.from_domain(check),
    )
