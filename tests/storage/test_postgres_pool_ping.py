"""PostgreSQL's pooled connections are pinged only after sitting idle (ADR 0019): back-to-back
units of work cost no ping round trips, and a connection the server dropped while it sat in
the pool is replaced before anyone uses it. Real server, real asyncpg connections."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import text

from forecourt.storage import Database
from forecourt.storage import database as database_module

pytestmark = pytest.mark.postgres


class Pings:
    """Counts the dialect's pings (each still runs against the server)."""

    def __init__(self, db: Database) -> None:
        self.count = 0
        dialect = db.engine.sync_engine.dialect
        real = dialect.do_ping

        def counted(dbapi_connection: Any) -> bool:
            self.count += 1
            return real(dbapi_connection)

        dialect.do_ping = counted  # type: ignore[method-assign]


async def _pid(db: Database) -> int:
    async with db.engine.connect() as connection:
        return int((await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def _terminate(admin: Database, pid: int) -> None:
    async with admin.engine.connect() as connection:
        await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        await connection.commit()


async def test_back_to_back_units_of_work_are_not_pinged(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database_module, "PING_IDLE_AFTER_S", 60.0)  # a loaded machine stalls
    db = Database.from_url(postgres_url)
    try:
        first = await _pid(db)  # a new connection: pinged once, on its first checkout
        pings = Pings(db)
        for _ in range(20):
            async with db.unit_of_work() as uow:
                await uow.stations.list()
        assert await _pid(db) == first  # the same pooled connection all along
    finally:
        await db.dispose()
    assert pings.count == 0


async def test_a_connection_dropped_while_idle_is_replaced_before_use(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database_module, "PING_IDLE_AFTER_S", 0.2)
    db, admin = Database.from_url(postgres_url), Database.from_url(postgres_url)
    try:
        dropped = await _pid(db)
        pings = Pings(db)
        await _terminate(admin, dropped)  # what a server restart does to pooled sessions
        await asyncio.sleep(0.5)  # idle for longer than the window
        async with db.unit_of_work() as uow:
            await uow.stations.list()  # no error: the ping found it dead, the pool replaced it
        assert await _pid(db) != dropped
    finally:
        await db.dispose()
        await admin.dispose()
    assert pings.count >= 1
