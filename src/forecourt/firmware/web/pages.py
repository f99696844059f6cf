"""The firmware pages: one service call each, rendered server-side."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from forecourt.api.bounds import RecordId
from forecourt.domain.commands import LogKind
from forecourt.domain.errors import InvalidInput
from forecourt.firmware.domain.campaigns import TargetStatus
from forecourt.firmware.keys import FIRMWARE
from forecourt.services.access import Role
from forecourt.web.auth import SignedIn, Technician, Viewer
from forecourt.web.context import Web
from forecourt.web.routes import page_router
from forecourt.web.scope import visible_station, whole_network

router = page_router()

_ACTIONS = ("pause", "resume", "cancel", "rollback")
#: Campaigns span sites: network-wide pages, refused to site-restricted accounts.
NetworkViewer = Annotated[SignedIn, Depends(whole_network(Role.VIEWER))]
NetworkOperator = Annotated[SignedIn, Depends(whole_network(Role.OPERATOR))]


@router.get("/dashboard/firmware")
async def campaigns(request: Request, _me: NetworkViewer, web: Web) -> Response:
    firmware = web.services.feature(FIRMWARE)
    context = {
        "campaigns": await firmware.campaigns.all(),
        "images": await firmware.images.images(),
    }
    return web.page(request, "dashboard/firmware.html", context)


@router.get("/dashboard/firmware/{campaign_id}")
async def campaign(
    request: Request, campaign_id: RecordId, _me: NetworkViewer, web: Web
) -> Response:
    detail = await web.services.feature(FIRMWARE).campaigns.detail(campaign_id)
    counts = {s.value: detail.count(s) for s in TargetStatus if detail.count(s)}
    context = {"detail": detail, "campaign": detail.campaign, "counts": counts}
    return web.page(request, "dashboard/firmware_campaign.html", context)


@router.post("/dashboard/firmware/{campaign_id}/{action}")
async def act(campaign_id: RecordId, action: str, me: NetworkOperator, web: Web) -> Response:
    campaigns = web.services.feature(FIRMWARE).campaigns
    if action not in _ACTIONS:
        raise InvalidInput(f"unknown campaign action {action!r}")
    if action == "rollback":
        created = await campaigns.rollback(campaign_id, created_by=f"web:{me.user.username}")
        return RedirectResponse(f"/dashboard/firmware/{created[0].id}", status_code=303)
    await getattr(campaigns, action)(campaign_id)
    return RedirectResponse(f"/dashboard/firmware/{campaign_id}", status_code=303)


@router.get("/dashboard/firmware/stations/{station_id}/panel")
async def station_panel(request: Request, station_id: str, me: Viewer, web: Web) -> Response:
    station = await visible_station(web, me, station_id)
    maintenance = web.services.core.maintenance
    context = {
        "station": station,
        "firmware": await maintenance.firmware(station.id),
        "logs": await maintenance.logs(station.id, limit=10),
        "publication": await maintenance.publishing.publication(station.id),
    }
    return web.page(request, "dashboard/_firmware_panel.html", context)


@router.post("/dashboard/firmware/stations/{station_id}/logs")
async def request_log(
    station_id: str, me: Technician, web: Web, kind: Annotated[str, Form(max_length=20)]
) -> Response:
    station = await visible_station(web, me, station_id)
    try:
        log_kind = LogKind(kind)
    except ValueError:
        raise InvalidInput(f"unknown log kind {kind!r}") from None
    await web.services.core.maintenance.fetch_log(
        station.id, log_kind, requested_by=f"web:{me.user.username}"
    )
    return RedirectResponse(f"/dashboard/stations/{station.id}", status_code=303)


@router.post("/dashboard/firmware/stations/{station_id}/publish")
async def publish_firmware(
    station_id: str,
    me: Technician,
    web: Web,
    location: Annotated[str, Form(min_length=1, max_length=2048)],
    checksum: Annotated[str, Form(max_length=64)],
) -> Response:
    """2.0.1 local controller: publish an image to the stations behind it (L03)."""
    station = await visible_station(web, me, station_id)
    await web.services.core.maintenance.publishing.publish(
        station.id, location.strip(), checksum.strip(), requested_by=f"web:{me.user.username}"
    )
    return RedirectResponse(f"/dashboard/stations/{station.id}", status_code=303)


@router.post("/dashboard/firmware/stations/{station_id}/unpublish")
async def unpublish_firmware(
    station_id: str, me: Technician, web: Web, checksum: Annotated[str, Form(max_length=64)]
) -> Response:
    """2.0.1 local controller: stop publishing the image with this MD5 (L04)."""
    station = await visible_station(web, me, station_id)
    await web.services.core.maintenance.publishing.unpublish(
        station.id, checksum.strip(), requested_by=f"web:{me.user.username}"
    )
    return RedirectResponse(f"/dashboard/stations/{station.id}", status_code=303)


@router.get("/dashboard/firmware/logs/{upload_id}/file")
async def log_file(upload_id: RecordId, me: Viewer, web: Web) -> Response:
    maintenance = web.services.core.maintenance
    upload = await maintenance.log(upload_id)
    await visible_station(web, me, upload.station_id)
    path = maintenance.log_path(upload)
    if not upload.received or not path.is_file():
        raise InvalidInput("this log has not been uploaded yet")
    name = upload.file_name or f"{upload.station_id}-{upload.id}.log"
    return FileResponse(path, filename=name, media_type="application/octet-stream")
