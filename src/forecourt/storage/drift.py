"""Desired configuration per station model and each station's latest drift check (tables on
the shared metadata; revision ``0008_monitoring_display``)."""

from __future__ import annotations

import builtins
from typing import Any

from sqlalchemy import JSON, Column, Integer, Row, Table, Text, UniqueConstraint, delete, select

from forecourt.domain.drift import DesiredSetting, DriftCheck, DriftItem, DriftState
from forecourt.storage.context import DbContext
from forecourt.storage.tables import metadata
from forecourt.storage.types import UtcDateTime

desired_settings = Table(
    "desired_settings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("model", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("value", Text, nullable=False),
    UniqueConstraint("model", "key"),
)

drift_checks = Table(
    "drift_checks",
    metadata,
    Column("station_id", Text, primary_key=True),
    Column("checked_at", UtcDateTime, nullable=False),
    Column("items", JSON, nullable=False),
    Column("error", Text, nullable=False),
)


class SqlDriftRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def desired(self, model: str | None = None) -> builtins.list[DesiredSetting]:
        query = select(desired_settings).order_by(desired_settings.c.model, desired_settings.c.key)
        if model is not None:
            query = query.where(desired_settings.c.model == model)
        return [
            DesiredSetting(row.model, row.key, row.value, row.id)
            for row in await self._db.execute(query)
        ]

    async def put_desired(self, setting: DesiredSetting) -> DesiredSetting:
        """Add the setting, or change the value the model already has for that key."""
        await self._db.execute(
            delete(desired_settings).where(
                desired_settings.c.model == setting.model, desired_settings.c.key == setting.key
            )
        )
        values = {"model": setting.model, "key": setting.key, "value": setting.value}
        statement = desired_settings.insert().values(values).returning(desired_settings.c.id)
        setting.id = int((await self._db.execute(statement)).scalar_one())
        return setting

    async def remove_desired(self, setting_id: int) -> bool:
        statement = delete(desired_settings).where(desired_settings.c.id == setting_id)
        return bool((await self._db.execute(statement)).rowcount)

    async def latest(self, station_id: str) -> DriftCheck | None:
        query = select(drift_checks).where(drift_checks.c.station_id == station_id)
        row = (await self._db.execute(query)).first()
        return None if row is None else _check(row)

    async def all_latest(self) -> builtins.list[DriftCheck]:
        query = select(drift_checks).order_by(drift_checks.c.station_id)
        return [_check(row) for row in await self._db.execute(query)]

    async def save(self, check: DriftCheck) -> None:
        await self._db.execute(
            delete(drift_checks).where(drift_checks.c.station_id == check.station_id)
        )
        items = [
            {"key": i.key, "desired": i.desired, "actual": i.actual, "state": i.state.value,
             "fixed": i.fixed}
            for i in check.items
        ]  # fmt: skip
        values = {
            "station_id": check.station_id,
            "checked_at": check.checked_at,
            "items": items,
            "error": check.error,
        }
        await self._db.execute(drift_checks.insert().values(values))


def _check(row: Row[Any]) -> DriftCheck:
    items = [
        DriftItem(i["key"], i["desired"], i["actual"], DriftState(i["state"]), i["fixed"])
        for i in row.items
    ]
    return DriftCheck(row.station_id, row.checked_at, items, row.error)
