"""What every repository of one unit of work shares: its connection and dialect helpers."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Executable

from forecourt.domain.errors import Conflict
from forecourt.storage.sqlite_direct import Compiled, Direct

UpsertInsert = postgresql.Insert | sqlite.Insert
Params = Sequence[Mapping[str, Any]] | Mapping[str, Any] | None


def explain_integrity_error(error: IntegrityError | sqlite3.IntegrityError, subject: str) -> str:
    """A message an operator can act on, without the SQL."""
    detail = str(error.orig if isinstance(error, IntegrityError) else error).lower()
    if "foreign key" in detail:
        return f"{subject} refers to something that does not exist"
    if "unique" in detail or "duplicate key" in detail:
        return f"{subject} already exists"
    return f"{subject} contradicts stored data"


class DbContext:
    """The connection of one unit of work, bound on entry and released on exit."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self._connection: AsyncConnection | None = None
        #: Set by a group-commit unit of work after ``commit()``: binds a connection again
        #: when the unit reads or writes once more (storage/group_commit.py).
        self.reopen: Callable[[], Awaitable[None]] | None = None

    @property
    def connection(self) -> AsyncConnection:
        if self._connection is None:
            raise RuntimeError("use the unit of work inside 'async with'")
        return self._connection

    def bind(self, connection: AsyncConnection | None) -> None:
        self._connection = connection

    def insert(self, table: Table) -> UpsertInsert:
        """The dialect's own INSERT, which knows ON CONFLICT."""
        if self.dialect == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    async def execute(self, statement: Executable, params: Params = None) -> CursorResult[Any]:
        """Run one statement; a violated constraint becomes ``Conflict``.

        The database transaction is then unusable on PostgreSQL until rolled back; inserts
        where a conflict is an expected answer go through ``guarded`` instead.
        """
        if self._connection is None and self.reopen is not None:
            await self.reopen()
        try:
            return await self.connection.execute(statement, params)
        except IntegrityError as error:
            raise Conflict(explain_integrity_error(error, "the change")) from error

    async def run(self, statement: Direct, params: Mapping[str, Any]) -> DirectResult:
        """SQLite only: run a ``Direct`` statement on this unit of work's ``sqlite3``
        connection, in its transaction (storage/sqlite_direct.py, ADR 0019)."""
        if self._connection is None and self.reopen is not None:
            await self.reopen()
        connection = self.connection
        if not connection.in_transaction():  # the Core path would begin on first use too
            await connection.begin()
        sync = connection.sync_connection
        assert sync is not None  # started: in a transaction
        compiled = statement.compiled(sync.dialect)
        parameters = compiled.parameters(params)
        cursor = sqlite3.Cursor(sync.connection.dbapi_connection)  # type: ignore[arg-type]
        hooks = sync.dispatch.before_cursor_execute
        if hooks:  # statement recorders (tests), tracers: they see this one too
            for hook in hooks:
                hook(sync, cursor, compiled.sql, parameters, None, False)
        try:
            cursor.execute(compiled.sql, parameters)
        except sqlite3.IntegrityError as error:
            raise Conflict(explain_integrity_error(error, "the change")) from error
        return DirectResult(compiled, cursor)

    @asynccontextmanager
    async def guarded(self, subject: str) -> AsyncIterator[None]:
        """Run the block in a savepoint so a ``Conflict`` leaves the unit of work usable."""
        if self._connection is None and self.reopen is not None:
            await self.reopen()
        try:
            async with self.connection.begin_nested():
                yield
        except Conflict as conflict:
            # ``execute`` already translated it; name the subject the caller knows.
            cause = conflict.__cause__
            if isinstance(cause, IntegrityError | sqlite3.IntegrityError):
                raise Conflict(explain_integrity_error(cause, subject)) from cause
            raise


class DirectResult:
    """What a ``Direct`` statement returned: its rows (processed as the Core path would)."""

    def __init__(self, compiled: Compiled, cursor: Any) -> None:
        self._compiled = compiled
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)

    def first(self) -> dict[str, Any] | None:
        """The first row; the statement is then finished (no read left pending in SQLite)."""
        values = self._cursor.fetchone()
        self._cursor.close()
        return None if values is None else self._compiled.row(values)

    def all(self) -> list[dict[str, Any]]:
        return [self._compiled.row(values) for values in self._cursor.fetchall()]
