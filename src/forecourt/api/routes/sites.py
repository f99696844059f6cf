"""Sites: where stations stand."""

from __future__ import annotations

from fastapi import APIRouter, status

from forecourt.api.deps import Context, Operator, Viewer
from forecourt.api.problems import problem_responses
from forecourt.api.schemas import SiteCreate, SiteDetail, SiteOut, StationSummary

router = APIRouter(tags=["sites"], responses=problem_responses(401, 403))


@router.get("/sites", summary="List sites")
async def list_sites(context: Context, _: Viewer) -> list[SiteOut]:
    return [SiteOut.from_domain(site) for site in await context.services.network.sites()]


@router.post(
    "/sites",
    summary="Create a site",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(409, 422),
)
async def create_site(body: SiteCreate, context: Context, _: Operator) -> SiteOut:
    site = await context.services.network.add_site(body.to_domain())
    return SiteOut.from_domain(site)


@router.get(
    "/sites/{site_id}", summary="A site with its stations", responses=problem_responses(404)
)
async def get_site(site_id: str, context: Context, _: Viewer) -> SiteDetail:
    network = context.services.network
    site = await network.site(site_id)
    is_connected = context.connection_check()
    stations = [
        StationSummary.from_domain(s, connected=is_connected(s))
        for s in await network.stations(site_id)
    ]
    return SiteDetail(**SiteOut.from_domain(site).model_dump(), stations=stations)
