"""What every repository of one unit of work shares: its connection and dialect helpers."""

from __future__ import annotations

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

UpsertInsert = postgresql.Insert | sqlite.Insert
Params = Sequence[Mapping[str, Any]] | Mapping[str, Any] | None


def explain_integrity_error(error: IntegrityError, subject: str) -> str:
    """A message an operator can act on, without the SQL."""
    detail = str(error.orig).lower()
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
            if isinstance(cause, IntegrityError):
                raise Conflict(explain_integrity_error(cause, subject)) from cause
            raise
