"""``uow.repository(RELIABILITY_STORE).vehicles``: vehicle identification rules."""

from __future__ import annotations

import builtins
from datetime import datetime

from sqlalchemy import and_, delete, select

from forecourt.reliability.domain.vehicles import VehicleRule, VehicleSource
from forecourt.reliability.storage.tables import reliability_vehicle_rules as rules_t
from forecourt.storage.context import DbContext


class SqlVehicleRuleRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def all(self) -> builtins.list[VehicleRule]:
        query = select(rules_t).order_by(rules_t.c.kind, rules_t.c.key)
        return [
            VehicleRule(VehicleSource(r.kind), r.key, r.vehicle, r.created_by)
            for r in await self._db.execute(query)
        ]

    async def put(self, rule: VehicleRule, at: datetime) -> None:
        insert = self._db.insert(rules_t).values(
            kind=rule.kind.value, key=rule.key, vehicle=rule.vehicle,
            created_by=rule.created_by, updated_at=at,
        )  # fmt: skip
        await self._db.execute(
            insert.on_conflict_do_update(
                index_elements=[rules_t.c.kind, rules_t.c.key],
                set_={
                    "vehicle": insert.excluded.vehicle,
                    "created_by": insert.excluded.created_by,
                    "updated_at": insert.excluded.updated_at,
                },
            )
        )

    async def remove(self, kind: VehicleSource, key: str) -> bool:
        where = and_(rules_t.c.kind == kind.value, rules_t.c.key == key)
        result = await self._db.execute(delete(rules_t).where(where))
        return bool(result.rowcount)
