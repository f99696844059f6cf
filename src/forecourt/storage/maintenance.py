"""Station firmware state and log uploads: their tables (on the shared metadata) and repository."""

from __future__ import annotations

import builtins
from typing import Any

from sqlalchemy import Column, Integer, Row, Table, Text, select, update

from forecourt.domain.commands import LogKind
from forecourt.domain.errors import NotFound
from forecourt.domain.maintenance import FirmwareState, LogState, LogUpload, StationFirmware
from forecourt.storage.context import DbContext
from forecourt.storage.tables import metadata
from forecourt.storage.types import BigId, EnumText, UtcDateTime

station_firmware = Table(
    "station_firmware",
    metadata,
    Column("station_id", Text, primary_key=True),
    Column("state", EnumText(FirmwareState), nullable=False),
    Column("request_id", Integer, nullable=False),
    Column("location", Text, nullable=False),
    Column("target_version", Text, nullable=False),
    Column("previous_version", Text, nullable=False),
    Column("requested_at", UtcDateTime),
    Column("updated_at", UtcDateTime),
)

log_uploads = Table(
    "log_uploads",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("station_id", Text, nullable=False, index=True),
    Column("kind", EnumText(LogKind), nullable=False),
    Column("token", Text, nullable=False, unique=True),
    Column("state", EnumText(LogState), nullable=False),
    Column("requested_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("requested_by", Text, nullable=False),
    Column("file_name", Text, nullable=False),
    Column("size_bytes", BigId, nullable=False),
    Column("received_at", UtcDateTime),
    Column("updated_at", UtcDateTime),
)

_FIRMWARE_FIELDS = (
    "state",
    "request_id",
    "location",
    "target_version",
    "previous_version",
    "requested_at",
    "updated_at",
)
_LOG_FIELDS = ("state", "file_name", "size_bytes", "received_at", "updated_at")


class SqlMaintenanceRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def firmware(self, station_id: str) -> StationFirmware | None:
        query = select(station_firmware).where(station_firmware.c.station_id == station_id)
        row = (await self._db.execute(query)).first()
        return None if row is None else StationFirmware(**row._mapping)

    async def save_firmware(self, firmware: StationFirmware) -> None:
        values = {name: getattr(firmware, name) for name in _FIRMWARE_FIELDS}
        insert = self._db.insert(station_firmware).values(station_id=firmware.station_id, **values)
        upsert = insert.on_conflict_do_update(index_elements=["station_id"], set_=values)
        await self._db.execute(upsert)

    async def add_log(self, upload: LogUpload) -> LogUpload:
        values = {
            "station_id": upload.station_id,
            "kind": upload.kind,
            "token": upload.token,
            "state": upload.state,
            "requested_at": upload.requested_at,
            "expires_at": upload.expires_at,
            "requested_by": upload.requested_by,
            "file_name": upload.file_name,
            "size_bytes": upload.size_bytes,
        }
        statement = log_uploads.insert().values(values).returning(log_uploads.c.id)
        upload.id = (await self._db.execute(statement)).scalar_one()
        return upload

    async def save_log(self, upload: LogUpload) -> None:
        values = {name: getattr(upload, name) for name in _LOG_FIELDS}
        statement = update(log_uploads).where(log_uploads.c.id == upload.id).values(values)
        if (await self._db.execute(statement)).rowcount == 0:
            raise NotFound("log upload", upload.id)

    async def log(self, upload_id: int) -> LogUpload | None:
        return await self._one(select(log_uploads).where(log_uploads.c.id == upload_id))

    async def log_by_token(self, token: str) -> LogUpload | None:
        return await self._one(select(log_uploads).where(log_uploads.c.token == token))

    async def logs(self, station_id: str, limit: int = 50) -> builtins.list[LogUpload]:
        query = (
            select(log_uploads)
            .where(log_uploads.c.station_id == station_id)
            .order_by(log_uploads.c.id.desc())
            .limit(limit)
        )
        return [_upload(row) for row in await self._db.execute(query)]

    async def _one(self, query: Any) -> LogUpload | None:
        row = (await self._db.execute(query)).first()
        return None if row is None else _upload(row)


def _upload(row: Row[Any]) -> LogUpload:
    return LogUpload(**row._mapping)
