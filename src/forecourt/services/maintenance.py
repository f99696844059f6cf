"""Firmware updates and log uploads, version-neutral (ADR 0010): ask, track, publish.

A station reports progress with firmware/log status notifications; each one updates the
station's stored state and is published on the bus (``firmware.status``, ``log.status``) so
that a campaign, a dashboard or a detector can follow it.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from forecourt.domain.commands import (
    CommandRecord,
    FetchLog,
    LogKind,
    UpdateFirmware,
)
from forecourt.domain.errors import NotFound, TooLarge
from forecourt.domain.maintenance import (
    FIRMWARE_SECURITY_EVENTS,
    FirmwareReport,
    FirmwareState,
    LogReport,
    LogState,
    LogUpload,
    StationFirmware,
)
from forecourt.services.context import ServiceContext
from forecourt.services.firmware_publishing import FirmwarePublishing
from forecourt.services.remote_control import RemoteControl

#: The path stations upload logs to: ``{public_url}/api/uploads/logs/{token}``.
LOG_UPLOAD_PATH = "/api/uploads/logs"


@dataclass(frozen=True, slots=True)
class MaintenanceConfig:
    """Where files go and how long upload URLs live (``Settings``: docs/firmware.md)."""

    public_url: str = "http://127.0.0.1:9000"
    data_dir: Path = field(default_factory=lambda: Path("./forecourt-data"))
    max_log_upload_bytes: int = 50 * 1024 * 1024
    log_upload_ttl_s: float = 86400.0

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"


@dataclass(frozen=True, slots=True)
class FirmwareRequest:
    """What an operator (or a campaign) asks a station to install."""

    location: str
    version: str = ""  # the version the image holds, when known (rollback, campaigns)
    install_at: str | None = None
    retries: int | None = None
    retry_interval_s: int | None = None
    signing_certificate: str | None = None
    signature: str | None = None


class Maintenance:
    def __init__(
        self, ctx: ServiceContext, remote: RemoteControl, config: MaintenanceConfig | None = None
    ) -> None:
        self._ctx = ctx
        self._remote = remote
        self.config = config or MaintenanceConfig()
        self.publishing = FirmwarePublishing(ctx, remote)  # 2.0.1 L03/L04

    # --- firmware -------------------------------------------------------------------------

    async def update_firmware(
        self, station_id: str, request: FirmwareRequest, *, requested_by: str = ""
    ) -> tuple[CommandRecord, StationFirmware]:
        """Send UpdateFirmware; the station's state becomes ``requested`` (or ``rejected``)."""
        firmware = await self._prepare_update(station_id, request)
        command = UpdateFirmware(
            location=request.location,
            retrieve_at=_iso(self._ctx.clock.now()),
            request_id=firmware.request_id,
            install_at=request.install_at,
            retries=request.retries,
            retry_interval_s=request.retry_interval_s,
            signing_certificate=request.signing_certificate,
            signature=request.signature,
        )
        record = await self._remote.send(station_id, command, requested_by=requested_by)
        if not record.status.succeeded:
            firmware = await self._set_firmware_state(
                station_id, FirmwareReport(FirmwareState.REJECTED, firmware.request_id)
            )
        return record, firmware

    async def firmware_status(self, station_id: str, report: FirmwareReport) -> None:
        """A FirmwareStatusNotification (any version): store it and publish it."""
        await self._set_firmware_state(station_id, report)

    async def security_event(self, station_id: str, event_type: str) -> None:
        """A security event about the image (e.g. InvalidFirmwareSignature) fails the update."""
        state = FIRMWARE_SECURITY_EVENTS.get(event_type)
        if state is not None:
            await self._set_firmware_state(station_id, FirmwareReport(state))

    async def firmware(self, station_id: str) -> StationFirmware:
        async with self._ctx.uow() as uow:
            if await uow.stations.get(station_id) is None:
                raise NotFound("station", station_id)
            found = await uow.maintenance.firmware(station_id)
        return found or StationFirmware(station_id)

    async def _prepare_update(self, station_id: str, request: FirmwareRequest) -> StationFirmware:
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            station = await uow.stations.get(station_id)
            if station is None:
                raise NotFound("station", station_id)
            firmware = await uow.maintenance.firmware(station_id) or StationFirmware(station_id)
            firmware.request_id += 1
            firmware.state = FirmwareState.REQUESTED
            firmware.location = request.location
            firmware.target_version = request.version
            firmware.previous_version = station.firmware_version
            firmware.requested_at = firmware.updated_at = now
            await uow.maintenance.save_firmware(firmware)
            await uow.commit()
        return firmware

    async def _set_firmware_state(self, station_id: str, report: FirmwareReport) -> StationFirmware:
        now = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            firmware = await uow.maintenance.firmware(station_id) or StationFirmware(station_id)
            if not (report.state is FirmwareState.IDLE and firmware.state.finished):
                firmware.state = report.state  # a triggered Idle keeps how the last one ended
            if report.request_id is not None:
                firmware.request_id = report.request_id
            firmware.updated_at = now
            await uow.maintenance.save_firmware(firmware)
            self._ctx.stage_event(
                uow,
                "firmware.status",
                station_id,
                state=report.state.value,
                request_id=firmware.request_id,
                failed=report.state.failed,
                finished=report.state.finished,
            )
            await uow.commit()
        return firmware

    # --- logs -----------------------------------------------------------------------------

    async def fetch_log(
        self, station_id: str, kind: LogKind = LogKind.DIAGNOSTICS, *, requested_by: str = ""
    ) -> tuple[CommandRecord, LogUpload]:
        """Ask the station to upload a log to a fresh, expiring URL of ours."""
        upload = await self._open_upload(station_id, kind, requested_by)
        command = FetchLog(location=self.upload_url(upload), kind=kind, request_id=upload.id)
        record = await self._remote.send(station_id, command, requested_by=requested_by)
        if not record.status.succeeded:
            upload.state = LogState.REJECTED
            await self._save_upload(upload)
        elif record.result.get("file_name"):
            upload.file_name = str(record.result["file_name"])
            await self._save_upload(upload)
        return record, upload

    def upload_url(self, upload: LogUpload) -> str:
        return f"{self.config.public_url.rstrip('/')}{LOG_UPLOAD_PATH}/{upload.token}"

    async def log_status(self, station_id: str, report: LogReport) -> None:
        """A Log/DiagnosticsStatusNotification: 1.6 diagnostics name no request: the latest."""
        async with self._ctx.uow() as uow:
            uploads = await uow.maintenance.logs(station_id, limit=20)
        upload = _matching(uploads, report.request_id)
        changed = upload if upload is not None and report.state is not LogState.IDLE else None
        if changed is not None:
            changed.state = report.state
            changed.updated_at = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            if changed is not None:
                await uow.maintenance.save_log(changed)
            self._ctx.stage_event(
                uow,
                "log.status",
                station_id,
                state=report.state.value,
                request_id=report.request_id,
                upload_id=None if upload is None else upload.id,
            )
            await uow.commit()

    async def logs(self, station_id: str, limit: int = 50) -> list[LogUpload]:
        async with self._ctx.uow() as uow:
            if await uow.stations.get(station_id) is None:
                raise NotFound("station", station_id)
            return await uow.maintenance.logs(station_id, limit)

    async def log(self, upload_id: int) -> LogUpload:
        async with self._ctx.uow() as uow:
            upload = await uow.maintenance.log(upload_id)
        if upload is None:
            raise NotFound("log upload", upload_id)
        return upload

    async def upload_by_token(self, token: str) -> LogUpload | None:
        """The upload this token opens, while it may still receive a file."""
        async with self._ctx.uow() as uow:
            upload = await uow.maintenance.log_by_token(token)
        if upload is None or upload.expires_at <= self._ctx.clock.now():
            return None
        return upload

    async def receive_log(
        self, token: str, file_name: str, chunks: AsyncIterator[bytes], declared_size: int | None
    ) -> LogUpload:
        """Store what a station uploads to its URL; refuse unknown or expired tokens (404)
        and files over the limit (``TooLarge``), keeping nothing of a refused file."""
        upload = await self.upload_by_token(token)
        if upload is None:
            raise NotFound("log upload", "(this URL)")
        limit = self.config.max_log_upload_bytes
        if declared_size is not None and declared_size > limit:
            raise TooLarge("the log", limit)
        path = self.log_path(upload)
        size = await _write_limited(path, chunks, limit)
        await self.log_received(upload, _safe_name(file_name) or path.name, size)
        return upload

    async def log_received(self, upload: LogUpload, file_name: str, size_bytes: int) -> None:
        """The file is on disk (``log_path``): record it."""
        now = self._ctx.clock.now()
        upload.file_name = file_name
        upload.size_bytes = size_bytes
        upload.received_at = upload.updated_at = now
        async with self._ctx.uow() as uow:
            await uow.maintenance.save_log(upload)
            self._ctx.stage_event(
                uow, "log.received", upload.station_id, upload_id=upload.id, size_bytes=size_bytes
            )
            await uow.commit()

    def log_path(self, upload: LogUpload) -> Path:
        return self.config.log_dir / upload.station_id / f"{upload.id}.log"

    async def _open_upload(self, station_id: str, kind: LogKind, requested_by: str) -> LogUpload:
        now = self._ctx.clock.now()
        upload = LogUpload(
            station_id=station_id,
            kind=kind,
            token=secrets.token_urlsafe(32),
            requested_at=now,
            expires_at=now + timedelta(seconds=self.config.log_upload_ttl_s),
            requested_by=requested_by,
            updated_at=now,
        )
        async with self._ctx.uow() as uow:
            if await uow.stations.get(station_id) is None:
                raise NotFound("station", station_id)
            upload = await uow.maintenance.add_log(upload)
            await uow.commit()
        return upload

    async def _save_upload(self, upload: LogUpload) -> None:
        upload.updated_at = self._ctx.clock.now()
        async with self._ctx.uow() as uow:
            await uow.maintenance.save_log(upload)
            await uow.commit()


def _matching(uploads: list[LogUpload], request_id: int | None) -> LogUpload | None:
    if request_id is None:
        return uploads[0] if uploads else None
    return next((u for u in uploads if u.id == request_id), None)


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def _write_limited(path: Path, chunks: AsyncIterator[bytes], limit: int) -> int:
    """Write to ``path`` through a temporary file; nothing stays if the limit is passed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    size = 0
    try:
        with partial.open("wb") as out:
            async for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise TooLarge("the log", limit)
                out.write(chunk)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return size


def _safe_name(name: str) -> str:
    """The station's file name, for display and downloads only (never a path of ours)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in base if c.isalnum() or c in "._-")[:120]
