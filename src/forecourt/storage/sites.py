"""Sites: where stations stand."""

from __future__ import annotations

import builtins
from typing import Any

from sqlalchemy import select, update

from forecourt.domain.errors import NotFound
from forecourt.domain.stations import Site
from forecourt.storage.context import DbContext
from forecourt.storage.tables import sites

_SITE_FIELDS = ("name", "address", "timezone", "latitude", "longitude")


class SqlSiteRepository:
    def __init__(self, db: DbContext) -> None:
        self._db = db

    async def get(self, site_id: str) -> Site | None:
        row = (await self._db.execute(select(sites).where(sites.c.id == site_id))).first()
        return None if row is None else Site(**row._asdict())

    async def list(self) -> builtins.list[Site]:
        rows = await self._db.execute(select(sites).order_by(sites.c.id))
        return [Site(**row._asdict()) for row in rows]

    async def add(self, site: Site) -> None:
        async with self._db.guarded(f"site {site.id!r}"):
            await self._db.execute(sites.insert().values(id=site.id, **_site_values(site)))

    async def save(self, site: Site) -> None:
        statement = update(sites).where(sites.c.id == site.id).values(**_site_values(site))
        if (await self._db.execute(statement)).rowcount == 0:
            raise NotFound("site", site.id)


def _site_values(site: Site) -> dict[str, Any]:
    return {name: getattr(site, name) for name in _SITE_FIELDS}
