"""The unit of work: one connection, one database transaction, all repositories."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Self, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from forecourt.ports.device import DeviceRepository
from forecourt.ports.drift import DriftRepository
from forecourt.ports.keys import Key, Missing
from forecourt.ports.local_auth import LocalListRepository, ReservationRepository
from forecourt.ports.maintenance import MaintenanceRepository
from forecourt.ports.outbox import CommittedEvents, ConsumedEvents, EventOutbox
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
from forecourt.storage.device import SqlDeviceRepository
from forecourt.storage.drift import SqlDriftRepository
from forecourt.storage.group_commit import GroupCommit
from forecourt.storage.local_auth import SqlLocalListRepository, SqlReservationRepository
from forecourt.storage.maintenance import SqlMaintenanceRepository
from forecourt.storage.metering import SqlMeterRepository
from forecourt.storage.network import SqlStationRepository
from forecourt.storage.outbox import SqlConsumedEvents, SqlEventOutbox
from forecourt.storage.records import SqlCommandRepository, SqlStationEventRepository
from forecourt.storage.sites import SqlSiteRepository
from forecourt.storage.status_history import SqlStatusHistoryRepository
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
        self,
        engine: AsyncEngine,
        gate: WriterGate | None,
        features: RepositoryFactories,
        group: GroupCommit | None = None,
        on_committed: CommittedEvents | None = None,
    ) -> None:
        self._engine = engine
        self._gate = gate
        self._features = features
        self._feature_repositories: dict[Key[Any], object] = {}
        self._group = group  # SQLite group commit (ADR 0008); None: one transaction per unit
        self._attached = False  # in group commit: holds the writer turn and a savepoint
        self._db = DbContext(engine.dialect.name)
        self._on_committed = on_committed  # the outbox relay: delivers once durable
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
        self.maintenance: MaintenanceRepository = SqlMaintenanceRepository(self._db)
        self.local_lists: LocalListRepository = SqlLocalListRepository(self._db)
        self.reservations: ReservationRepository = SqlReservationRepository(self._db)
        self.device: DeviceRepository = SqlDeviceRepository(self._db)
        self.drift: DriftRepository = SqlDriftRepository(self._db)
        self._outbox = SqlEventOutbox(self._db)
        self.outbox: EventOutbox = self._outbox
        self.consumed: ConsumedEvents = SqlConsumedEvents(self._db)

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
        events = await self._outbox.flush()  # in the same transaction as the change
        if self._group is None:
            await self._db.connection.commit()
        elif self._attached:
            durable = await self._group.commit_unit()
            self._detach()  # the next unit of work joins the batch while this one waits
            await asyncio.shield(durable)  # a cancelled waiter must not cancel the batch
        if events and self._on_committed is not None:
            self._on_committed(events)

    async def rollback(self) -> None:
        self._outbox.discard()
        if self._group is None:
            await self._db.connection.rollback()
        elif self._attached:
            self._group.rollback_unit()

    async def __aenter__(self) -> Self:
        if self._group is not None:
            await self._attach()
            return self
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
        self._outbox.discard()  # staged but not committed: never happened
        if self._group is not None:
            await self._leave_group(failed=exc_type is not None)
            return
        connection = self._db.connection
        self._db.bind(None)
        try:
            await connection.close()  # rolls back whatever was not committed
        finally:
            self._release_gate()

    async def _attach(self) -> None:
        """Take the writer turn and open this unit's savepoint in the group's batch."""
        group, gate = self._group, self._gate
        assert group is not None
        assert gate is not None
        await gate.acquire()
        try:
            self._db.bind(await group.enter())
        except BaseException:
            gate.release()
            raise
        self._attached = True
        self._db.reopen = None

    def _detach(self) -> None:
        self._db.bind(None)
        self._attached = False
        self._db.reopen = self._attach  # used again after commit(): re-enter lazily
        self._release_gate()

    async def _leave_group(self, *, failed: bool) -> None:
        self._db.reopen = None
        if not self._attached:
            return
        assert self._group is not None
        try:
            seen = await self._group.leave_unit()  # whatever was not committed is undone
        finally:
            self._db.bind(None)
            self._attached = False
            self._release_gate()
        if seen is not None and not failed:
            # It may have read other units' changes: answer only once they are stored too.
            await asyncio.shield(seen)

    def _release_gate(self) -> None:
        if self._gate is not None:
            self._gate.release()
