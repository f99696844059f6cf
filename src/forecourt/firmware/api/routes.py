"""Firmware images and campaigns over HTTP: ``/api/firmware/...``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel, Field
from starlette.responses import FileResponse

from forecourt.api.bounds import BigRecordId
from forecourt.api.deps import Context, Operator, Viewer, requester
from forecourt.api.problems import problem_responses
from forecourt.domain.limits import INT32_MAX
from forecourt.firmware.domain.campaigns import (
    Campaign,
    CampaignStatus,
    NightWindow,
    Selection,
    Target,
    TargetStatus,
)
from forecourt.firmware.domain.images import FirmwareImage
from forecourt.firmware.keys import FIRMWARE
from forecourt.firmware.services import Firmware
from forecourt.firmware.services.campaigns import CampaignDetail, CampaignSpec

router = APIRouter(prefix="/firmware", tags=["firmware"], responses=problem_responses(401, 403))
#: Stations download stored images here; the signed, expiring query string is the key.
download_router = APIRouter(prefix="/firmware", tags=["firmware"])

Version = Annotated[str, Query(min_length=1, max_length=50, description="Firmware version.")]


def _firmware(context: Context) -> Firmware:
    return context.services.feature(FIRMWARE)


class ImageReference(BaseModel):
    version: str = Field(min_length=1, max_length=50)
    url: str = Field(min_length=8, max_length=2048, description="http(s):// or ftp(s)://")
    signing_certificate: str = Field("", max_length=5500)
    signature: str = Field("", max_length=800)


class ImageOut(BaseModel):
    id: int
    version: str
    url: str = Field(description="The operator's URL; empty when Forecourt serves the file.")
    file_name: str
    size_bytes: int
    sha256: str
    signed: bool
    created_by: str
    created_at: datetime

    @classmethod
    def from_domain(cls, image: FirmwareImage) -> ImageOut:
        return cls(
            id=image.id,
            version=image.version,
            url=image.url,
            file_name=image.file_name,
            size_bytes=image.size_bytes,
            sha256=image.sha256,
            signed=bool(image.signature),
            created_by=image.created_by,
            created_at=image.created_at,
        )


class WindowBody(BaseModel):
    start_hour: int = Field(ge=0, le=23)
    end_hour: int = Field(ge=0, le=23)


class CampaignBody(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    image_id: BigRecordId
    model: str = Field("", max_length=100, description="Only stations of this model.")
    site_id: str = Field("", max_length=100, description="Only stations of this site.")
    current_version: str = Field("", max_length=50, description="Only stations running this.")
    station_ids: list[str] = Field(default_factory=list, max_length=10000)
    canary_percent: int = Field(10, ge=0, le=100)
    wave_size: int = Field(
        0, ge=0, le=INT32_MAX, description="Stations per wave after the canary; 0: all."
    )
    max_attempts: int = Field(3, ge=1, le=20)
    retry_delay_s: int = Field(600, ge=0, le=7 * 86400)
    failure_threshold: int = Field(
        0, ge=0, le=INT32_MAX, description="Pause once more stations failed."
    )
    night_window: WindowBody | None = Field(None, description="Site-local hours to send in.")
    progress_timeout_s: int = Field(
        7200, ge=60, le=30 * 86400, description="A sent station silent this long has failed."
    )

    def to_spec(self) -> CampaignSpec:
        window = self.night_window
        return CampaignSpec(
            name=self.name,
            image_id=self.image_id,
            selection=Selection(
                self.model, self.site_id, self.current_version, tuple(self.station_ids)
            ),
            canary_percent=self.canary_percent,
            wave_size=self.wave_size,
            max_attempts=self.max_attempts,
            retry_delay_s=self.retry_delay_s,
            failure_threshold=self.failure_threshold,
            window=None if window is None else NightWindow(window.start_hour, window.end_hour),
            progress_timeout_s=self.progress_timeout_s,
        )


class CampaignOut(BaseModel):
    id: int
    name: str
    image_id: int
    status: CampaignStatus
    status_reason: str
    canary_percent: int
    wave_size: int
    max_attempts: int
    failure_threshold: int
    rollback_of: int | None
    created_by: str
    created_at: datetime

    @classmethod
    def from_domain(cls, c: Campaign) -> CampaignOut:
        return cls(
            id=c.id,
            name=c.name,
            image_id=c.image_id,
            status=c.status,
            status_reason=c.status_reason,
            canary_percent=c.canary_percent,
            wave_size=c.wave_size,
            max_attempts=c.max_attempts,
            failure_threshold=c.failure_threshold,
            rollback_of=c.rollback_of,
            created_by=c.created_by,
            created_at=c.created_at,
        )


class TargetOut(BaseModel):
    station_id: str
    wave: int
    status: TargetStatus
    attempts: int
    firmware_state: str
    previous_version: str
    next_attempt_at: datetime | None
    detail: str

    @classmethod
    def from_domain(cls, t: Target) -> TargetOut:
        return cls(
            station_id=t.station_id,
            wave=t.wave,
            status=t.status,
            attempts=t.attempts,
            firmware_state=t.firmware_state,
            previous_version=t.previous_version,
            next_attempt_at=t.next_attempt_at,
            detail=t.detail,
        )


class CampaignDetailOut(BaseModel):
    campaign: CampaignOut
    image: ImageOut
    targets: list[TargetOut]

    @classmethod
    def from_domain(cls, detail: CampaignDetail) -> CampaignDetailOut:
        return cls(
            campaign=CampaignOut.from_domain(detail.campaign),
            image=ImageOut.from_domain(detail.image),
            targets=[TargetOut.from_domain(t) for t in detail.targets],
        )


@router.get("/images", summary="Firmware images, newest first")
async def list_images(context: Context, _: Viewer) -> list[ImageOut]:
    return [ImageOut.from_domain(i) for i in await _firmware(context).images.images()]


@router.post(
    "/images",
    summary="Reference an image the operator hosts",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(422),
)
async def add_image(body: ImageReference, context: Context, caller: Operator) -> ImageOut:
    image = await _firmware(context).images.reference(
        body.version,
        body.url,
        signing_certificate=body.signing_certificate,
        signature=body.signature,
        created_by=requester(caller),
    )
    return ImageOut.from_domain(image)


@router.post(
    "/images/upload",
    summary="Upload an image (the raw file as the body); Forecourt serves it to stations",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(413, 422),
)
async def upload_image(
    request: Request,
    context: Context,
    caller: Operator,
    version: Version,
    file_name: Annotated[str, Query(max_length=200)] = "",
    signature: Annotated[str, Query(max_length=800)] = "",
    signing_certificate: Annotated[str, Query(max_length=5500)] = "",
) -> ImageOut:
    declared = request.headers.get("content-length")
    image = await _firmware(context).images.upload(
        version,
        file_name,
        request.stream(),
        declared_size=int(declared) if declared and declared.isdigit() else None,
        signing_certificate=signing_certificate,
        signature=signature,
        created_by=requester(caller),
    )
    return ImageOut.from_domain(image)


@download_router.get(
    "/images/{image_id}/download",
    summary="Download a stored image (the URL stations are sent: signed and expiring)",
    response_class=FileResponse,
    responses=problem_responses(404),
)
async def download_image(
    image_id: BigRecordId,
    context: Context,
    expires: Annotated[int, Query(ge=0, le=2**40)],
    signature: Annotated[str, Query(min_length=1, max_length=128)],
) -> FileResponse:
    path, name = await _firmware(context).images.download(image_id, expires, signature)
    return FileResponse(path, filename=name, media_type="application/octet-stream")


@router.get("/campaigns", summary="Campaigns, newest first")
async def list_campaigns(context: Context, _: Viewer) -> list[CampaignOut]:
    return [CampaignOut.from_domain(c) for c in await _firmware(context).campaigns.all()]


@router.post(
    "/campaigns",
    summary="Start a campaign: targets, canary and waves are fixed now",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(404, 422),
)
async def create_campaign(
    body: CampaignBody, context: Context, caller: Operator
) -> CampaignDetailOut:
    firmware = _firmware(context)
    campaign = await firmware.campaigns.create(body.to_spec(), created_by=requester(caller))
    return CampaignDetailOut.from_domain(await firmware.campaigns.detail(campaign.id))


@router.get(
    "/campaigns/{campaign_id}",
    summary="A campaign with each station's status",
    responses=problem_responses(404),
)
async def get_campaign(campaign_id: BigRecordId, context: Context, _: Viewer) -> CampaignDetailOut:
    return CampaignDetailOut.from_domain(await _firmware(context).campaigns.detail(campaign_id))


@router.post(
    "/campaigns/{campaign_id}/pause", summary="Pause", responses=problem_responses(404, 409)
)
async def pause_campaign(campaign_id: BigRecordId, context: Context, _: Operator) -> CampaignOut:
    return CampaignOut.from_domain(await _firmware(context).campaigns.pause(campaign_id))


@router.post(
    "/campaigns/{campaign_id}/resume", summary="Resume", responses=problem_responses(404, 409)
)
async def resume_campaign(campaign_id: BigRecordId, context: Context, _: Operator) -> CampaignOut:
    return CampaignOut.from_domain(await _firmware(context).campaigns.resume(campaign_id))


@router.post(
    "/campaigns/{campaign_id}/cancel",
    summary="Cancel: stations not sent yet are skipped",
    responses=problem_responses(404, 409),
)
async def cancel_campaign(campaign_id: BigRecordId, context: Context, _: Operator) -> CampaignOut:
    return CampaignOut.from_domain(await _firmware(context).campaigns.cancel(campaign_id))


@router.post(
    "/campaigns/{campaign_id}/rollback",
    summary="New campaign(s) back to the version each station ran before",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(404, 409),
)
async def rollback_campaign(
    campaign_id: BigRecordId, context: Context, caller: Operator
) -> list[CampaignOut]:
    created = await _firmware(context).campaigns.rollback(campaign_id, created_by=requester(caller))
    return [CampaignOut.from_domain(c) for c in created]
