"""SQLite for the async engine without a worker thread (``sqlite+inline://``, ADR 0004).

Forecourt runs one SQLite unit of work at a time (``uow.WriterGate``) and a local WAL
statement takes microseconds, so aiosqlite's hand-off of every call to its worker thread
(and back, each hop waiting for the GIL on a busy machine) cost far more than the SQL. This
is SQLAlchemy's own stdlib-``sqlite3`` dialect declared async: the asyncio extension still
runs it in a greenlet, but the driver calls return at once instead of suspending.

The one wait worth not blocking the loop for is another process (CLI, backup) holding the
write lock: ``BEGIN IMMEDIATE`` then sleeps asynchronously between short attempts.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from typing import Any

from sqlalchemy import pool
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL
from sqlalchemy.util.concurrency import await_, in_greenlet

DRIVER = "sqlite+inline"

#: How long ``BEGIN IMMEDIATE`` keeps trying while another process holds the write lock.
LOCK_WAIT_S = 30.0
#: For ``PRAGMA busy_timeout``: SQLite's busy handler blocks the thread, here the event loop.
BUSY_TIMEOUT_MS = 20
_MAX_PAUSE_S = 0.05


class _Cursor(sqlite3.Cursor):
    async def _async_soft_close(self) -> None:
        """The asyncio extension calls this after each statement; rows stay readable here."""


class _Connection(sqlite3.Connection):
    def cursor(self, factory: Any = None) -> Any:
        return super().cursor(factory or _Cursor)


class InlineSQLiteDialect(SQLiteDialect_pysqlite):
    """pysqlite on the event-loop thread; every transaction starts with ``BEGIN IMMEDIATE``."""

    driver = "inline"
    is_async = True
    has_terminate = True  # lets the pool close connections it finds garbage-collected
    supports_statement_cache = True

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        if cls._is_url_file_db(url):
            return pool.AsyncAdaptedQueuePool
        return pool.StaticPool  # one shared connection, or each would see its own database

    def connect(self, *cargs: Any, **cparams: Any) -> Any:
        return sqlite3.connect(*cargs, factory=_Connection, **cparams)

    def on_connect(self) -> Any:
        functions = super().on_connect()

        def connect(dbapi_connection: Any) -> None:
            functions(dbapi_connection)
            # The driver's own transaction handling skips BEGIN for SELECT and DDL; we emit ours.
            dbapi_connection.isolation_level = None

        return connect

    def do_begin(self, dbapi_connection: Any) -> None:
        # Take the write lock up front: a transaction that reads and then writes can never
        # fail halfway because another writer committed in between (SQLITE_BUSY_SNAPSHOT).
        begin_immediate(dbapi_connection)

    def do_terminate(self, dbapi_connection: Any) -> None:
        dbapi_connection.close()

    # The asyncio extension refuses a statement that never awaited (a guard against sync
    # drivers used by mistake): after each one, await something already done.
    def do_execute(
        self, cursor: Any, statement: Any, parameters: Any, _context: Any = None
    ) -> None:
        cursor.execute(statement, parameters)
        _checkpoint()

    def do_execute_no_params(self, cursor: Any, statement: Any, _context: Any = None) -> None:
        cursor.execute(statement)
        _checkpoint()

    def do_executemany(
        self, cursor: Any, statement: Any, parameters: Any, _context: Any = None
    ) -> None:
        cursor.executemany(statement, parameters)
        _checkpoint()


def begin_immediate(dbapi_connection: Any, wait_s: float = LOCK_WAIT_S) -> None:
    """``BEGIN IMMEDIATE``; while another process writes, wait without blocking the loop."""
    deadline = time.monotonic() + wait_s
    pause = 0.001
    while True:
        try:
            dbapi_connection.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            if not _is_busy(error) or time.monotonic() >= deadline:
                raise
        _sleep(pause)
        pause = min(pause * 2, _MAX_PAUSE_S)


def _is_busy(error: sqlite3.OperationalError) -> bool:
    return getattr(error, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_BUSY


async def _done() -> None:
    """Completes without suspending: awaiting it costs two greenlet switches, no loop turn."""


def _checkpoint() -> None:
    if in_greenlet():
        await_(_done())


def _sleep(seconds: float) -> None:
    if in_greenlet():  # called from the asyncio extension: let the loop run meanwhile
        await_(asyncio.sleep(seconds))
    else:
        time.sleep(seconds)


registry.register(DRIVER.replace("+", "."), __name__, InlineSQLiteDialect.__name__)
