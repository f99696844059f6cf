"""The compat slice's repositories: stalls over ``compat_stalls``, each token's "my car"
over ``compat_driver_cars``."""

from __future__ import annotations

import builtins
import dataclasses
from collections.abc import Collection

from sqlalchemy import delete, select, update

from forecourt.compat.domain.stalls import Stall
from forecourt.compat.ports import ChosenCar
from forecourt.compat.storage.tables import compat_driver_cars, compat_stalls
from forecourt.storage.context import DbContext


class SqlStallRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def put(self, stall: Stall) -> bool:
        values = dataclasses.asdict(stall)
        key = (compat_stalls.c.site_id == stall.site_id) & (
            compat_stalls.c.stall_id == stall.stall_id
        )
        changed = await self._db.execute(update(compat_stalls).where(key).values(values))
        if changed.rowcount:
            return False
        await self._db.execute(compat_stalls.insert().values(values))
        return True

    async def get(self, site_id: str, stall_id: str) -> Stall | None:
        query = select(compat_stalls).where(
            (compat_stalls.c.site_id == site_id) & (compat_stalls.c.stall_id == stall_id)
        )
        row = (await self._db.execute(query)).first()
        return None if row is None else Stall(**row._mapping)

    async def delete(self, site_id: str, stall_id: str) -> bool:
        statement = delete(compat_stalls).where(
            (compat_stalls.c.site_id == site_id) & (compat_stalls.c.stall_id == stall_id)
        )
        return bool((await self._db.execute(statement)).rowcount)

    async def of_site(self, site_id: str) -> builtins.list[Stall]:
        query = (
            select(compat_stalls)
            .where(compat_stalls.c.site_id == site_id)
            .order_by(compat_stalls.c.stall_id)
        )
        return [Stall(**row._mapping) for row in await self._db.execute(query)]


class SqlDriverCarRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def put(self, car: ChosenCar) -> None:
        values = dataclasses.asdict(car)
        key = compat_driver_cars.c.token == car.token
        changed = await self._db.execute(update(compat_driver_cars).where(key).values(values))
        if not changed.rowcount:
            await self._db.execute(compat_driver_cars.insert().values(values))

    async def get(self, token: str) -> ChosenCar | None:
        query = select(compat_driver_cars).where(compat_driver_cars.c.token == token)
        row = (await self._db.execute(query)).first()
        return None if row is None else ChosenCar(**row._mapping)

    async def of_tokens(self, tokens: Collection[str]) -> builtins.list[ChosenCar]:
        if not tokens:
            return []
        query = select(compat_driver_cars).where(compat_driver_cars.c.token.in_(set(tokens)))
        return [ChosenCar(**row._mapping) for row in await self._db.execute(query)]

    async def delete(self, token: str) -> bool:
        statement = delete(compat_driver_cars).where(compat_driver_cars.c.token == token)
        return bool((await self._db.execute(statement)).rowcount)
