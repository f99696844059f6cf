"""Engine setup, migrations and the unit-of-work factory, for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from forecourt.ports.outbox import CommittedEvents
from forecourt.storage.group_commit import DEFAULT_MAX_DELAY_S, DEFAULT_MAX_UNITS, GroupCommit
from forecourt.storage.sqlite_inline import BUSY_TIMEOUT_MS
from forecourt.storage.sqlite_inline import DRIVER as SQLITE_DRIVER
from forecourt.storage.uow import RepositoryFactories, SqlUnitOfWork, WriterGate

if TYPE_CHECKING:  # Alembic is imported when migrating: most processes never do (CLI start-up)
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
CORE_VERSIONS = MIGRATIONS_DIR / "versions"


@dataclass(frozen=True, slots=True)
class StorageExtensions:
    """What installed features add to storage: repositories and Alembic branches.

    ``forecourt.bootstrap.open_database`` passes every installed feature's; a bare
    ``Database.from_url`` has the core's tables only.
    """

    repositories: RepositoryFactories = field(default_factory=dict)
    migrations: tuple[Path, ...] = ()

    @property
    def version_locations(self) -> tuple[Path, ...]:
        return (CORE_VERSIONS, *self.migrations)


#: ``PRAGMA synchronous`` modes offered (docs/configuration.md, "SQLite durability"). With WAL
#: both survive a crashed or killed process; on power loss or an OS crash FULL keeps every
#: commit, NORMAL may lose the last ones (never corrupts): possibly an acknowledged Stop.
SQLITE_SYNCHRONOUS_MODES = ("NORMAL", "FULL")
DEFAULT_SQLITE_SYNCHRONOUS = "FULL"

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",  # readers never block the writer, nor the writer readers
    "PRAGMA foreign_keys=ON",
    # Short: it blocks the event loop. BEGIN IMMEDIATE waits for other processes (CLI,
    # backups) asynchronously instead, for up to 30 s (sqlite_inline.begin_immediate).
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
)

#: Drivers used when a URL names only the database kind (``sqlite:///...``, ``postgresql://...``).
#: ``sqlite+aiosqlite`` (the old default) means the same in-loop driver (ADR 0004): old settings
#: keep working, and the aiosqlite package is not needed (nor imported) to use them.
_ASYNC_DRIVERS = {
    "sqlite": SQLITE_DRIVER,
    "sqlite+aiosqlite": SQLITE_DRIVER,
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}

#: PostgreSQL: a pooled connection idle longer than this is pinged before use (ADR 0019).
PING_IDLE_AFTER_S = 1.0

#: Arbitrary constant: nodes starting together take turns upgrading the schema.
_MIGRATION_LOCK_ID = 0x466F7265636F  # "Foreco"


class Database:
    """One database: ``from_url``, ``await migrate()``, then ``unit_of_work()`` per use case."""

    def __init__(
        self,
        engine: AsyncEngine,
        extensions: StorageExtensions | None = None,
        *,
        group_commit_max_delay_s: float = DEFAULT_MAX_DELAY_S,
        group_commit_max_units: int = DEFAULT_MAX_UNITS,
    ) -> None:
        self._engine = engine
        self._gate = WriterGate() if engine.dialect.name == "sqlite" else None
        self.extensions = extensions or StorageExtensions()
        self._group: GroupCommit | None = None
        #: Handed each unit of work's events once committed (the relay, bootstrap wires it).
        self.on_committed: CommittedEvents | None = None
        # PostgreSQL already shares one WAL flush among concurrent commits (ADR 0008).
        if self._gate is not None and group_commit_max_units > 1:
            self._group = GroupCommit(
                engine, self._gate, group_commit_max_delay_s, group_commit_max_units
            )

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        sqlite_synchronous: str = DEFAULT_SQLITE_SYNCHRONOUS,
        extensions: StorageExtensions | None = None,
        group_commit_max_delay_s: float = DEFAULT_MAX_DELAY_S,
        group_commit_max_units: int = DEFAULT_MAX_UNITS,
    ) -> Database:
        """``sqlite:///path/forecourt.db`` or ``postgresql+asyncpg://user@host/db``.

        ``sqlite_synchronous`` (NORMAL or FULL) is set on every SQLite connection; SQLite
        units of work share transactions of up to ``group_commit_max_units`` units (1: one
        transaction each) for at most ``group_commit_max_delay_s`` (ADR 0008).
        """
        parsed = _async_url(url)
        backend = parsed.get_backend_name()
        if backend == "sqlite":
            mode = sqlite_synchronous.upper()
            if mode not in SQLITE_SYNCHRONOUS_MODES:
                raise ValueError(f"SQLite synchronous must be NORMAL or FULL, not {mode!r}")
            _create_parent_dir(parsed)
            engine = create_async_engine(parsed)
            _configure_sqlite(engine, (*SQLITE_PRAGMAS, f"PRAGMA synchronous={mode}"))
        elif backend == "postgresql":
            engine = create_async_engine(parsed)
            _ping_when_idle(engine, PING_IDLE_AFTER_S)
        else:
            raise ValueError(f"unsupported database {backend!r}: use sqlite or postgresql")
        return cls(
            engine,
            extensions,
            group_commit_max_delay_s=group_commit_max_delay_s,
            group_commit_max_units=group_commit_max_units,
        )

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._engine.dialect.name

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    def unit_of_work(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(
            self._engine,
            self._gate,
            self.extensions.repositories,
            self._group,
            self.on_committed,
        )

    @property
    def group_commit(self) -> GroupCommit | None:
        """The SQLite batcher, or None (PostgreSQL, or grouping turned off)."""
        return self._group

    async def migrate(self) -> None:
        """Upgrade the schema to the newest revision (``alembic upgrade head``); idempotent."""
        async with self._exclusive(), self._engine.begin() as connection:
            if self.dialect == "postgresql":
                lock = text("SELECT pg_advisory_xact_lock(:lock_id)")
                await connection.execute(lock, {"lock_id": _MIGRATION_LOCK_ID})
            locations = self.extensions.version_locations
            await connection.run_sync(lambda sync: _upgrade_to_head(sync, locations))

    async def dispose(self) -> None:
        if self._group is not None:
            async with self._exclusive():  # flushes: units waiting for their batch get it
                pass
            await self._group.close()
        await self._engine.dispose()

    @asynccontextmanager
    async def _exclusive(self) -> AsyncIterator[None]:
        if self._gate is None:
            yield
            return
        await self._gate.acquire()
        try:
            if self._group is not None:
                await self._group.flush()  # its open transaction holds SQLite's write lock
            yield
        finally:
            self._gate.release()


def alembic_config(
    url: str | None = None, locations: tuple[Path, ...] = (CORE_VERSIONS,)
) -> Config:
    """Alembic configuration for the packaged migrations; no alembic.ini needed.

    With ``url``, Alembic commands (e.g. ``command.revision(..., autogenerate=True)``) open
    their own connection; ``migrate()`` instead hands its connection over.
    """
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # each feature keeps its branch in its own package (``Feature.migrations``)
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(str(p) for p in locations))
    if url is not None:
        rendered = _async_url(url).render_as_string(hide_password=False)
        config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))  # ini escaping
    return config


def migrate_sync(url: str, extensions: StorageExtensions | None = None) -> None:
    """Upgrade the database at ``url`` to the newest schema (core and ``extensions``)."""

    async def upgrade() -> None:
        database = Database.from_url(url, extensions=extensions)
        try:
            await database.migrate()
        finally:
            await database.dispose()

    asyncio.run(upgrade())


def _upgrade_to_head(connection: Connection, locations: tuple[Path, ...]) -> None:
    from alembic import command

    config = alembic_config(locations=locations)
    config.attributes["connection"] = connection
    command.upgrade(config, "heads")  # feature branches each hang off the core schema


def _async_url(url: str) -> URL:
    parsed = make_url(url)
    driver = _ASYNC_DRIVERS.get(parsed.drivername)
    return parsed if driver is None else parsed.set(drivername=driver)


def _create_parent_dir(url: URL) -> None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _ping_when_idle(engine: AsyncEngine, idle_after_s: float) -> None:
    """Check a pooled connection before use when it sat idle for ``idle_after_s`` (ADR 0019).

    SQLAlchemy's ``pool_pre_ping`` pings on every checkout: with asyncpg three round trips
    (BEGIN, an empty query, ROLLBACK), as many as the statements of a MeterValues. A connection
    returned moments ago is alive unless the server just went away, and then the first
    statement's disconnect error invalidates the whole pool anyway.
    """
    pool = engine.sync_engine.pool
    dialect = engine.sync_engine.dialect

    @event.listens_for(pool, "checkin")
    def on_checkin(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info["returned_at"] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned_at = record.info.pop("returned_at", None)
        if returned_at is not None and time.monotonic() - returned_at < idle_after_s:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:  # gone: the pool replaces it and checks out again
            raise DisconnectionError(f"pooled connection failed its ping: {error}") from error


def _configure_sqlite(engine: AsyncEngine, pragmas: tuple[str, ...]) -> None:
    # Transactions (BEGIN IMMEDIATE, no driver-side BEGIN) are the dialect's: sqlite_inline.
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        for pragma in pragmas:
            cursor.execute(pragma)
        cursor.close()
