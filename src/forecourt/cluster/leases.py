"""Singleton leases as PostgreSQL advisory locks, all of a node's on one session (ADR 0012).

An advisory lock lives exactly as long as the session that took it: a node killed outright
closes its socket and the server drops its locks at once; a host that vanishes is found by the
TCP keepalives set below. The holder checks its session on every ``held()``, so it stops
running a singleton at its next pass after losing the session, and a waiting node's next
``held()`` takes the lock.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging

import asyncpg

from forecourt.ports.leases import Lease

log = logging.getLogger("forecourt.cluster.leases")

#: The server closes a session whose peer stops answering after about 10 + 3 × 5 s.
KEEPALIVES = {"tcp_keepalives_idle": "10", "tcp_keepalives_interval": "5",
              "tcp_keepalives_count": "3"}  # fmt: skip
_LOST = (OSError, asyncio.TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory lock key for a singleton's name."""
    digest = hashlib.blake2b(f"forecourt.lease.{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def asyncpg_dsn(database_url: str) -> str:
    """``postgresql+asyncpg://...`` (SQLAlchemy) as asyncpg takes it."""
    return database_url.replace("postgresql+asyncpg://", "postgresql://", 1)


class AdvisoryLeases:
    """``leases(name)`` for ``ServiceContext.leases``; ``close()`` releases them all."""

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._session: asyncpg.Connection | None = None
        self._held: set[int] = set()
        self._lock = asyncio.Lock()  # one statement at a time on the shared session

    def __call__(self, name: str) -> Lease:
        return AdvisoryLease(self, name)

    async def held(self, name: str) -> bool:
        key = lock_key(name)
        async with self._lock:
            try:
                session = await self._connected()
                if key in self._held:
                    await session.fetchval("SELECT 1")  # the session lives: so does the lock
                    return True
                if await session.fetchval("SELECT pg_try_advisory_lock($1)", key):
                    self._held.add(key)
                    log.info("lease %s taken", name)
                return key in self._held
            except _LOST:
                log.warning("lease session lost: no singleton runs here until it is back")
                await self._drop()
                return False

    async def release(self, name: str) -> None:
        key = lock_key(name)
        async with self._lock:
            if key in self._held and self._session is not None:
                self._held.discard(key)
                try:
                    await self._session.fetchval("SELECT pg_advisory_unlock($1)", key)
                except _LOST:
                    await self._drop()

    async def close(self) -> None:
        async with self._lock:
            await self._drop()

    async def _connected(self) -> asyncpg.Connection:
        if self._session is None or self._session.is_closed():
            self._held.clear()
            self._session = await asyncpg.connect(self._dsn, timeout=5, server_settings=KEEPALIVES)
        return self._session

    async def _drop(self) -> None:
        self._held.clear()
        session, self._session = self._session, None
        if session is not None and not session.is_closed():
            session.terminate()  # closing would wait on a dead peer


class AdvisoryLease:
    def __init__(self, leases: AdvisoryLeases, name: str) -> None:
        self._leases = leases
        self.name = name

    async def held(self) -> bool:
        return await self._leases.held(self.name)

    async def release(self) -> None:
        await self._leases.release(self.name)
