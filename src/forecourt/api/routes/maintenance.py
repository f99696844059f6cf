"""Firmware updates and log uploads of one station; the upload URL stations send logs to."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Request, status
from pydantic import BaseModel, Field
from starlette.responses import FileResponse

from forecourt.api.bounds import BigRecordId
from forecourt.api.command_bodies import CommandRecordOut
from forecourt.api.deps import Context, Technician, Viewer, requester, role_of
from forecourt.api.problems import problem_responses
from forecourt.domain.commands import LogKind
from forecourt.domain.errors import NotFound
from forecourt.domain.firmware_publishing import Publication, PublishState
from forecourt.domain.maintenance import FirmwareState, LogState, LogUpload, StationFirmware
from forecourt.services.maintenance import FirmwareRequest

router = APIRouter(tags=["firmware and logs"], responses=problem_responses(401, 403))
#: Stations upload here: the unguessable, expiring token in the path is the credential.
upload_router = APIRouter(tags=["firmware and logs"])

Text = Annotated[str, Field(min_length=1, max_length=2048)]
Md5 = Annotated[
    str, Field(pattern="^[0-9a-fA-F]{32}$", description="MD5 of the image, 32 hex digits.")
]


class FirmwareUpdateBody(BaseModel):
    location: Text = Field(description="Where the station downloads the image (http/https/ftp).")
    version: str = Field("", max_length=100, description="The version the image holds.")
    install_at: datetime | None = Field(None, description="Install no earlier than this.")
    retries: int | None = Field(None, ge=0, le=100)
    retry_interval_s: int | None = Field(None, ge=0, le=86400)
    signing_certificate: str | None = Field(None, max_length=5500, description="PEM (2.0.1).")
    signature: str | None = Field(None, max_length=800, description="Base64 signature (2.0.1).")


class PublishBody(BaseModel):
    location: Text = Field(description="Where the station downloads the image to publish.")
    checksum: Md5
    retries: int | None = Field(None, ge=0, le=100)
    retry_interval_s: int | None = Field(None, ge=0, le=86400)


class UnpublishBody(BaseModel):
    checksum: Md5


class PublicationOut(BaseModel):
    """The last firmware publication (2.0.1 local controller, L03/L04)."""

    state: PublishState
    request_id: int
    checksum: str
    location: str = Field(description="Where the station downloads the image from.")
    locations: list[str] = Field(description="Where it publishes the image (once published).")

    @classmethod
    def from_domain(cls, publication: Publication) -> PublicationOut:
        return cls(**{name: getattr(publication, name) for name in cls.model_fields})


class PublishOut(BaseModel):
    command: CommandRecordOut
    publication: PublicationOut


class FirmwareOut(BaseModel):
    station_id: str
    state: FirmwareState
    request_id: int
    location: str
    target_version: str
    previous_version: str = Field(description="What it ran before the last update.")
    requested_at: datetime | None
    updated_at: datetime | None
    publication: PublicationOut | None = Field(
        None, description="The last firmware publication (2.0.1), if any."
    )

    @classmethod
    def from_domain(
        cls, firmware: StationFirmware, publication: Publication | None = None
    ) -> FirmwareOut:
        fields = {n: getattr(firmware, n) for n in cls.model_fields if n != "publication"}
        published = None if publication is None else PublicationOut.from_domain(publication)
        return cls(publication=published, **fields)


class FirmwareUpdateOut(BaseModel):
    command: CommandRecordOut
    firmware: FirmwareOut


class LogRequestBody(BaseModel):
    kind: LogKind = LogKind.DIAGNOSTICS


class LogUploadOut(BaseModel):
    id: int
    station_id: str
    kind: LogKind
    state: LogState
    requested_at: datetime
    expires_at: datetime
    requested_by: str
    file_name: str
    size_bytes: int
    received: bool
    received_at: datetime | None

    @classmethod
    def from_domain(cls, upload: LogUpload) -> LogUploadOut:
        fields = {n: getattr(upload, n) for n in cls.model_fields if n != "received"}
        return cls(received=upload.received, **fields)


class LogRequestOut(BaseModel):
    command: CommandRecordOut
    upload: LogUploadOut


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat().replace("+00:00", "Z")


@router.post(
    "/stations/{station_id}/firmware-update",
    summary="Ask a station to install a firmware image (UpdateFirmware)",
    responses=problem_responses(404, 422),
)
async def update_firmware(
    station_id: str, body: FirmwareUpdateBody, context: Context, caller: Technician
) -> FirmwareUpdateOut:
    request = FirmwareRequest(
        location=body.location,
        version=body.version,
        install_at=_iso(body.install_at),
        retries=body.retries,
        retry_interval_s=body.retry_interval_s,
        signing_certificate=body.signing_certificate,
        signature=body.signature,
    )
    maintenance = context.services.core.maintenance
    record, firmware = await maintenance.update_firmware(
        station_id, request, requested_by=requester(caller)
    )
    command = CommandRecordOut.from_domain(record, role_of(caller))
    return FirmwareUpdateOut(command=command, firmware=FirmwareOut.from_domain(firmware))


@router.get(
    "/stations/{station_id}/firmware",
    summary="The station's firmware update state",
    responses=problem_responses(404),
)
async def firmware_state(station_id: str, context: Context, _: Viewer) -> FirmwareOut:
    maintenance = context.services.core.maintenance
    firmware = await maintenance.firmware(station_id)
    return FirmwareOut.from_domain(firmware, await maintenance.publishing.publication(station_id))


@router.post(
    "/stations/{station_id}/firmware-publish",
    summary="Ask a local controller to publish a firmware image to other stations (2.0.1)",
    responses=problem_responses(404, 422),
)
async def publish_firmware(
    station_id: str, body: PublishBody, context: Context, caller: Technician
) -> PublishOut:
    record, publication = await context.services.core.maintenance.publishing.publish(
        station_id,
        body.location,
        body.checksum,
        retries=body.retries,
        retry_interval_s=body.retry_interval_s,
        requested_by=requester(caller),
    )
    command = CommandRecordOut.from_domain(record, role_of(caller))
    return PublishOut(command=command, publication=PublicationOut.from_domain(publication))


@router.post(
    "/stations/{station_id}/firmware-unpublish",
    summary="Ask a local controller to stop publishing a firmware image (2.0.1)",
    responses=problem_responses(404, 422),
)
async def unpublish_firmware(
    station_id: str, body: UnpublishBody, context: Context, caller: Technician
) -> CommandRecordOut:
    record = await context.services.core.maintenance.publishing.unpublish(
        station_id, body.checksum, requested_by=requester(caller)
    )
    return CommandRecordOut.from_domain(record, role_of(caller))


@router.post(
    "/stations/{station_id}/logs",
    summary="Ask a station to upload a log (GetDiagnostics / GetLog)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(404, 422),
)
async def request_log(
    station_id: str, body: LogRequestBody, context: Context, caller: Technician
) -> LogRequestOut:
    maintenance = context.services.core.maintenance
    record, upload = await maintenance.fetch_log(
        station_id, body.kind, requested_by=requester(caller)
    )
    command = CommandRecordOut.from_domain(record, role_of(caller))
    return LogRequestOut(command=command, upload=LogUploadOut.from_domain(upload))


@router.get(
    "/stations/{station_id}/logs",
    summary="Log uploads of a station, newest first",
    responses=problem_responses(404),
)
async def list_logs(station_id: str, context: Context, _: Viewer) -> list[LogUploadOut]:
    uploads = await context.services.core.maintenance.logs(station_id)
    return [LogUploadOut.from_domain(u) for u in uploads]


@router.get(
    "/logs/{upload_id}/file",
    summary="Download an uploaded log",
    response_class=FileResponse,
    responses=problem_responses(404),
)
async def download_log(upload_id: BigRecordId, context: Context, _: Viewer) -> FileResponse:
    maintenance = context.services.core.maintenance
    upload = await maintenance.log(upload_id)
    path = maintenance.log_path(upload)
    if not upload.received or not path.is_file():
        raise NotFound("log file of upload", upload_id)
    name = upload.file_name or f"{upload.station_id}-{upload.id}.log"
    return FileResponse(path, filename=name, media_type="application/octet-stream")


@upload_router.put(
    "/uploads/logs/{token}",
    summary="Where a station uploads a requested log (its URL is the credential)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(404, 413),
)
@upload_router.post(
    "/uploads/logs/{token}",
    summary="Where a station uploads a requested log (POST)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(404, 413),
)
async def receive_log(token: str, request: Request, context: Context) -> LogUploadOut:
    declared = request.headers.get("content-length")
    name = request.headers.get("x-file-name") or request.url.path.rsplit("/", 1)[-1]
    upload = await context.services.core.maintenance.receive_log(
        token,
        name if name != token else "",
        request.stream(),
        int(declared) if declared and declared.isdigit() else None,
    )
    return LogUploadOut.from_domain(upload)
