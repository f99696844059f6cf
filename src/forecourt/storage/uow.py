"""The unit of work: one connection, one database transaction, all repositories."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Self, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from forecourt.ports.keys import Key, Missing
from forecourt.ports.repositories import (
    ApiKeyRepository,
    CommandRepository,
    MeterRepository,
    SiteRepository,
    StationEventRepository,
    StationRepository,
    StatusHistoryRepository,
    TokenRepository,
    TransactionRepository,
)
from forecourt.ports.users import UserRepository
from forecourt.storage.access import SqlApiKeyRepository, SqlTokenRepository
from forecourt.storage.context import DbContext
from forecourt.storage.metering import SqlMeterRepository
from forecourt.storage.network import (
    SqlSiteRepository,
    SqlStationRepository,
    SqlStatusHistoryRepository,
)
from forecourt.storage.records import SqlCommandRepository, SqlStationEventRepository
from forecourt.storage.transactions import SqlTransactionRepository
from forecourt.storage.users import SqlUserRepository

R = TypeVar("R")

#: Features' repositories by key, each built from a unit of work's connection.
RepositoryFactories = Mapping[Key[Any], Callable[[DbContext], object]]


class WriterGate:
    """Lets one unit of work at a time use a SQLite database from this process.

    SQLite has a single writer; queueing here (FIFO) instead of in SQLite's busy handler means
    concurrent units of work wait their turn and never see "database is locked".
    """

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._holder: asyncio.Task[object] | None = None

    async def acquire(self) -> None:
        task = asyncio.current_task()
        if task is not None and task is self._holder:
            raise RuntimeError("nested unit of work on SQLite: it would wait for itself forever")
        await self._lock.acquire()
        self._holder = task

    def release(self) -> None:
        self._holder = None
        self._lock.release()


class SqlUnitOfWork:
    """``async with db.unit_of_work() as uow: ...; await uow.commit()``; no commit, no change."""

    def __init__(
        self, engine: AsyncEngine, gate: WriterGate | None, features: RepositoryFactories
    ) -> None:
        self._engine = engine
        self._gate = gate
        self._features = features
        self._feature_repositories: dict[Key[Any], object] = {}
        self._db = DbContext(engine.dialect.name)
        self.sites: SiteRepository = SqlSiteRepository(self._db)
        self.stations: StationRepository = SqlStationRepository(self._db)
        self.statuses: StatusHistoryRepository = SqlStatusHistoryRepository(self._db)
        self.tokens: TokenRepository = SqlTokenRepository(self._db)
        self.transactions: TransactionRepository = SqlTransactionRepository(self._db)
        self.meter: MeterRepository = SqlMeterRepository(self._db)
        self.events: StationEventRepository = SqlStationEventRepository(self._db)
        self.commands: CommandRepository = SqlCommandRepository(self._db)
        self.api_keys: ApiKeyRepository = SqlApiKeyRepository(self._db)
        self.users: UserRepository = SqlUserRepository(self._db)

    def repository(self, key: Key[R]) -> R:
        """A feature's repository, built on first use in this unit of work."""
        found = self._feature_repositories.get(key)
        if found is None:
            factory = self._features.get(key)
            if factory is None:
                raise Missing(key.name, "repository")
            found = self._feature_repositories[key] = factory(self._db)
        return found  # type: ignore[return-value]  # built under its own key

    async def commit(self) -> None:
        await self._db.connection.commit()

    async def rollback(self) -> None:
        await self._db.connection.rollback()

    async def __aenter__(self) -> Self:
        if self._gate is not None:
            await self._gate.acquire()
        try:
            self._db.bind(await self._engine.connect())
        except BaseException:
            self._release_gate()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection = self._db.connection
        self._db.bind(None)
        try:
            await connection.close()  # rolls back whatever was not committed
        finally:
            self._release_gate()

    def _release_gate(self) -> None:
        if self._gate is not None:
            self._gate.release()
