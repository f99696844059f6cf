"""Stations' device model as Forecourt knows it: monitors, monitor templates per station model
and display messages (tables on the shared metadata; revision ``0008_monitoring_display``)."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Column, Float, Index, Integer, Row, Table, Text, delete, select

from forecourt.domain.device import MessagePriority, MessageState, MonitorKind
from forecourt.domain.device_state import (
    MessageStatus,
    MonitorSource,
    MonitorTemplate,
    StationMessage,
    StationMonitor,
)
from forecourt.storage.context import DbContext
from forecourt.storage.tables import metadata
from forecourt.storage.types import EnumText, UtcDateTime

station_monitors = Table(
    "station_monitors",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("station_id", Text, nullable=False),
    Column("monitor_id", Integer, nullable=True),  # the station's id; NULL: refused
    Column("key", Text, nullable=False),
    Column("evse_id", Integer, nullable=True),
    Column("kind", EnumText(MonitorKind), nullable=False),
    Column("value", Float, nullable=False),
    Column("severity", Integer, nullable=False),
    Column("status", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("source", EnumText(MonitorSource), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(None, "station_id", "monitor_id"),
)

monitor_templates = Table(
    "monitor_templates",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("model", Text, nullable=False, index=True),
    Column("key", Text, nullable=False),
    Column("evse_id", Integer, nullable=True),
    Column("kind", EnumText(MonitorKind), nullable=False),
    Column("value", Float, nullable=False),
    Column("severity", Integer, nullable=False),
)

display_messages = Table(
    "display_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("station_id", Text, nullable=False),
    Column("message_id", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("priority", EnumText(MessagePriority), nullable=False),
    Column("state", EnumText(MessageState), nullable=True),
    Column("language", Text, nullable=False),
    Column("start", Text, nullable=True),
    Column("end", Text, nullable=True),
    Column("station_tx_id", Text, nullable=True),
    Column("status", EnumText(MessageStatus), nullable=False),
    Column("reason", Text, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(None, "station_id", "message_id", unique=True),
)

_MONITOR_FIELDS = (
    "station_id", "monitor_id", "key", "evse_id", "kind", "value", "severity", "status",
    "reason", "source", "updated_at",
)  # fmt: skip
_TEMPLATE_FIELDS = ("model", "key", "evse_id", "kind", "value", "severity")
_MESSAGE_FIELDS = (
    "station_id", "message_id", "text", "priority", "state", "language", "start", "end",
    "station_tx_id", "status", "reason", "updated_at",
)  # fmt: skip


class SqlDeviceRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    # -- monitors ------------------------------------------------------------------------------
    async def monitors(self, station_id: str) -> builtins.list[StationMonitor]:
        query = (
            select(station_monitors)
            .where(station_monitors.c.station_id == station_id)
            .order_by(station_monitors.c.id)
        )
        return [_monitor(row) for row in await self._db.execute(query)]

    async def put_monitors(self, monitors: Iterable[StationMonitor]) -> None:
        """Store monitors; an accepted one replaces the station's monitor of the same id, a
        refused one replaces the earlier refusal of the same key and kind."""
        for monitor in monitors:
            table = station_monitors.c
            same = delete(station_monitors).where(table.station_id == monitor.station_id)
            if monitor.monitor_id is not None:
                same = same.where(table.monitor_id == monitor.monitor_id)
            else:
                same = same.where(
                    table.monitor_id.is_(None), table.key == monitor.key, table.kind == monitor.kind
                )
            await self._db.execute(same)
            values = {name: getattr(monitor, name) for name in _MONITOR_FIELDS}
            await self._db.execute(station_monitors.insert().values(values))

    async def remove_monitors(self, station_id: str, monitor_ids: Iterable[int]) -> None:
        statement = delete(station_monitors).where(
            station_monitors.c.station_id == station_id,
            station_monitors.c.monitor_id.in_(list(monitor_ids)),
        )
        await self._db.execute(statement)

    # -- templates -----------------------------------------------------------------------------
    async def templates(self, model: str | None = None) -> builtins.list[MonitorTemplate]:
        query = select(monitor_templates).order_by(monitor_templates.c.id)
        if model is not None:
            query = query.where(monitor_templates.c.model == model)
        return [_template(row) for row in await self._db.execute(query)]

    async def add_template(self, template: MonitorTemplate) -> MonitorTemplate:
        values = {name: getattr(template, name) for name in _TEMPLATE_FIELDS}
        statement = monitor_templates.insert().values(values).returning(monitor_templates.c.id)
        template.id = int((await self._db.execute(statement)).scalar_one())
        return template

    async def remove_template(self, template_id: int) -> bool:
        statement = delete(monitor_templates).where(monitor_templates.c.id == template_id)
        return bool((await self._db.execute(statement)).rowcount)

    # -- display messages ----------------------------------------------------------------------
    async def messages(self, station_id: str) -> builtins.list[StationMessage]:
        query = (
            select(display_messages)
            .where(display_messages.c.station_id == station_id)
            .order_by(display_messages.c.message_id)
        )
        return [_message(row) for row in await self._db.execute(query)]

    async def put_message(self, message: StationMessage) -> None:
        """Store a message; the same message id on the same station replaces it."""
        await self.remove_message(message.station_id, message.message_id)
        values = {name: getattr(message, name) for name in _MESSAGE_FIELDS}
        await self._db.execute(display_messages.insert().values(values))

    async def remove_message(self, station_id: str, message_id: int) -> None:
        statement = delete(display_messages).where(
            display_messages.c.station_id == station_id,
            display_messages.c.message_id == message_id,
        )
        await self._db.execute(statement)


def _monitor(row: Row[Any]) -> StationMonitor:
    return StationMonitor(
        station_id=row.station_id,
        key=row.key,
        kind=row.kind,
        value=row.value,
        severity=row.severity,
        status=row.status,
        source=row.source,
        updated_at=row.updated_at,
        evse_id=row.evse_id,
        monitor_id=row.monitor_id,
        reason=row.reason,
        id=row.id,
    )


def _template(row: Row[Any]) -> MonitorTemplate:
    return MonitorTemplate(
        row.model, row.key, row.kind, row.value, row.severity, row.evse_id, row.id
    )


def _message(row: Row[Any]) -> StationMessage:
    return StationMessage(
        station_id=row.station_id,
        message_id=row.message_id,
        text=row.text,
        priority=row.priority,
        status=row.status,
        updated_at=row.updated_at,
        state=row.state,
        language=row.language,
        start=row.start,
        end=row.end,
        station_tx_id=row.station_tx_id,
        reason=row.reason,
        id=row.id,
    )
