"""The per-message SQLite statements, run on the ``sqlite3`` connection itself (ADR 0019).

On the MeterValues hot path SQLAlchemy Core costs more per statement than SQLite spends
running it: the compiled-cache lookup (a cache key built from the statement), an execution
context, generic parameter and row processing, and a greenlet switch. A ``Direct`` statement
is a Core statement compiled once per dialect, run with ``cursor.execute`` on the unit of work's
own connection (same transaction, same savepoint), with the bind and result processors
SQLAlchemy itself would apply to each column: the values stored and read are the same bytes.

Statement recorders still see every statement: ``DbContext.run`` announces it to the engine's
``before_cursor_execute`` listeners, as SQLAlchemy does (with no execution context).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement

Processor = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class Compiled:
    """One statement's SQL for one dialect and how to bind and read it."""

    sql: str
    binds: tuple[tuple[str, Processor | None], ...]  # in the order of the ``?`` marks
    columns: tuple[tuple[str, Processor | None], ...]  # the result columns, by name
    constants: Mapping[str, Any]  # values bound in the statement itself (``column == "x"``)

    def parameters(self, params: Mapping[str, Any]) -> tuple[Any, ...]:
        if self.constants:
            params = {**self.constants, **params}
        return tuple(
            params[name] if process is None else process(params[name])
            for name, process in self.binds
        )

    def row(self, values: Sequence[Any]) -> dict[str, Any]:
        """A result row as a dict by column name (``Row._asdict()`` of the Core path)."""
        return {
            name: value if process is None else process(value)
            for (name, process), value in zip(self.columns, values, strict=True)
        }


class Direct:
    """A Core statement to run on the driver; ``result`` names the columns it returns."""

    def __init__(self, statement: ClauseElement, result: Sequence[ColumnElement[Any]] = ()) -> None:
        self.statement = statement
        self._result = tuple(result)
        self._compiled: weakref.WeakKeyDictionary[Dialect, Compiled] = weakref.WeakKeyDictionary()

    def compiled(self, dialect: Dialect) -> Compiled:
        found = self._compiled.get(dialect)
        if found is None:
            found = self._compiled[dialect] = self._compile(dialect)
        return found

    def _compile(self, dialect: Dialect) -> Compiled:
        compiled = self.statement.compile(dialect=dialect)
        if not isinstance(compiled, SQLCompiler) or not compiled.positional:
            raise ValueError("direct statements need a positional paramstyle (SQLite's '?')")
        names = compiled.positiontup or []
        binds = tuple(
            (name, compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect))
            for name in names
        )
        columns = tuple(
            (str(column.key), column.type.dialect_impl(dialect).result_processor(dialect, None))
            for column in self._result
        )
        constants = {
            name: compiled.binds[name].value for name in names if not compiled.binds[name].required
        }
        return Compiled(compiled.string, binds, columns, constants)
