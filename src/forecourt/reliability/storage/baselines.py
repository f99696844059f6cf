"""``uow.repository(RELIABILITY_STORE).baselines``: detector baselines, one JSON row a station."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import select

from forecourt.reliability.domain.baselines import PortBaseline, StationBaseline
from forecourt.reliability.storage.tables import reliability_baselines as baselines_t
from forecourt.storage.context import DbContext


class SqlBaselineRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def all(self) -> builtins.list[StationBaseline]:
        rows = (await self._db.execute(select(baselines_t.c.data))).scalars()
        return [_baseline(orjson.loads(data)) for data in rows]

    async def save(self, baselines: Sequence[StationBaseline], at: datetime) -> None:
        if not baselines:
            return
        rows = [
            {
                "station_id": b.station_id,
                "data": orjson.dumps(asdict(b), option=orjson.OPT_NON_STR_KEYS).decode(),
                "updated_at": at,
            }
            for b in baselines
        ]
        insert = self._db.insert(baselines_t)
        upsert = insert.on_conflict_do_update(
            index_elements=[baselines_t.c.station_id],
            set_={"data": insert.excluded.data, "updated_at": insert.excluded.updated_at},
        )
        await self._db.execute(upsert, rows)


def _baseline(raw: dict[str, Any]) -> StationBaseline:
    ports = {int(evse): _port(port) for evse, port in raw.pop("ports").items()}
    return StationBaseline(**raw, ports=ports)


def _port(raw: dict[str, Any]) -> PortBaseline:
    last = raw.pop("last_start")
    return PortBaseline(**raw, last_start=datetime.fromisoformat(last) if last else None)
